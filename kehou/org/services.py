"""Writes of the organisation's people (SPEC R2, R26): a guardian's own activation; the
everyday records a school admin keeps; external organisations the bureau vets."""

import unicodedata
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kehou.accounts.models import User
from kehou.accounts.services import password_problems, temporary_password_give
from kehou.core.errors import Problems, refusal
from kehou.core.labels import category_label
from kehou.lib.validators import (
    is_mobile,
    is_student_number,
    normalise_mobile,
    normalise_student_number,
)
from kehou.org import access, selectors
from kehou.org.models import (
    ClassMembership,
    ExternalOrganisation,
    Guardian,
    Region,
    SchoolClass,
    Staff,
    Student,
    StudentGuardian,
)
from kehou.policy_rules import DOCUMENT_TITLES

# One message for every mismatch: it must not tell a stranger which of phone, number
# or name was right.
ACTIVATION_REFUSED = _(
    "These details do not match the school's records, or the account is already active. "
    "Check them, or ask your child's class teacher."
)


def _locked(model, *related: str, **lookup):
    """The row `lookup` names, locked for this transaction with `related` joined; out of
    scope (a 404) when there is none."""
    target = model.objects.select_for_update(of=("self",)).select_related(*related)
    target = target.filter(**lookup).first()
    if target is None:
        raise access.OutOfScope
    return target


@transaction.atomic
def guardian_activate(*, phone: str, student_number: str, child_name: str, password: str) -> User:
    """Create the login of a guardian who came from a roster (Guardian without user).

    The guardian proves who they are with their phone on record, and their child's
    student number and name together; no one else acts here (the guardian has no login
    yet), so there is no actor to check. Any mismatch is one refusal,
    `activation_refused`, and writes nothing.

    The password rules (settings.AUTH_PASSWORD_VALIDATORS) are checked twice: first
    with what was typed only (length, common passwords, the phone, the student number),
    so that a weak password tells nothing about whether the details matched; then, once
    they match, with the school's and district's names too."""
    phone = normalise_mobile(phone)
    number = normalise_student_number(student_number)
    candidate = User(phone=phone, role=User.Role.GUARDIAN)
    candidate.password_context = {"student_numbers": [number]}
    password_problems(password, candidate, field="password").raise_if_any()
    if not is_mobile(phone) or not number:
        raise refusal("activation_refused", ACTIVATION_REFUSED)
    guardian = (
        Guardian.objects.select_for_update(of=("self",))
        .filter(
            phone=phone,
            user__isnull=True,
            student_links__student__student_number__iexact=number,
            student_links__student__name="".join(child_name.split()),
            student_links__student__is_active=True,
        )
        .first()
    )
    if guardian is None or User.objects.filter(phone=phone).exists():
        raise refusal("activation_refused", ACTIVATION_REFUSED)
    children = Student.objects.filter(guardian_links__guardian=guardian, is_active=True)
    children = list(children.select_related("school__region"))
    candidate.password_context = {
        "schools": [child.school for child in children],
        "student_numbers": [child.student_number for child in children],
    }
    password_problems(password, candidate, field="password").raise_if_any()
    user = User.objects.create_user(phone, password, name=guardian.name, role=User.Role.GUARDIAN)
    guardian.user = user
    guardian.save(update_fields=["user"])
    return user


# ----- passwords a school admin gives (issue 8, item 9; docs/adr/0008) -------------------
#
# Without SMS, a person who forgot their password (or a teacher imported from the roster,
# who has no login yet) gets a temporary password from their school's admin, in person or
# by a phone call. It is shown once, opens only the page to choose a new password, and
# lapses after a week (kehou.accounts.services.temporary_password_give).

RESET_NEEDS_CONFIRMATION = _("Confirm the reset: the current password stops working at once.")


def _require_confirmed(confirmed: bool) -> None:
    if not confirmed:
        raise refusal("confirmation_required", RESET_NEEDS_CONFIRMATION)


@transaction.atomic
def staff_password_reset(*, staff: Staff, actor, confirmed: bool = False) -> str:
    """A temporary password for a staff member of the actor's school, returned once. A
    staff member imported from the roster has no login yet: this creates it (a teacher's
    login of that school, the staff record's name and phone) - the way imported staff
    get in, since nothing a stranger could not know (a name, a phone) proves who they are."""
    target = _locked(Staff, "school", "user", pk=staff.pk)
    access.require_school_admin(actor, target.school)
    _require_confirmed(confirmed)
    if not target.is_active:
        raise refusal(
            "staff_inactive",
            _("%(name)s is no longer active: make the staff record active first."),
            name=target.name,
        )
    login = target.user
    if login is None:
        if User.objects.filter(phone=target.phone).exists():
            raise refusal(
                "phone_has_login",
                _(
                    "The phone of %(name)s already logs in to another account, and one phone "
                    "has one login. Record the phone they use for work on the staff record."
                ),
                name=target.name,
            )
        login = _first_login(target)
    else:
        _require_resettable_here(login, target.school, actor)
    return temporary_password_give(user=login, given_by=access.user_of(actor))


def _require_resettable_here(login: User, school, actor) -> None:
    """The checks before a school's admin gives an existing school login of `school` a
    temporary password: not their own, an active login of that school, and nothing beyond
    it (`selectors.login_is_shared_beyond`)."""
    if login.pk == getattr(actor, "pk", None):
        raise refusal(
            "own_password",
            _("Your own password: change it on the “Change password” page."),
        )
    if (
        login.is_superuser
        or login.school_id != school.pk
        or not login.is_active
        or selectors.login_is_shared_beyond(login, school)
    ):
        raise refusal(
            "reset_not_here",
            _(
                "This login is not an active login of the school: its password is reset by "
                "the education bureau's system administrator."
            ),
        )


@transaction.atomic
def account_password_reset(*, account: User, actor, confirmed: bool = False) -> str:
    """A temporary password for a login of a school (an admin, a teacher, gate staff),
    from the school's logins page: the way in for a login without a staff record. Who may
    is who manages the login (`selectors.may_manage_account`); the checks are those of
    `staff_password_reset`."""
    target = _locked(User, "school__region", pk=account.pk)
    _require_account_manager(actor, target)
    if target.role not in access.SCHOOL_ROLES or target.school is None:
        raise access.OutOfScope
    _require_confirmed(confirmed)
    _require_resettable_here(target, target.school, actor)
    return temporary_password_give(user=target, given_by=access.user_of(actor))


def _first_login(staff: Staff) -> User:
    """The login of a staff member who has none: a teacher's login of their school."""
    login = User.objects.create_user(
        staff.phone, None, name=staff.name, role=User.Role.TEACHER, school=staff.school
    )
    staff.user = login
    staff.save(update_fields=["user"])
    return login


@dataclass
class FirstPasswords:
    """What `staff_first_passwords_give` did: the temporary password of each staff member
    who got a login, and those left without (their phone already logs in elsewhere)."""

    given: list[tuple[Staff, str]]
    skipped: list[Staff]


@transaction.atomic
def staff_first_passwords_give(*, school, actor, confirmed: bool = False) -> FirstPasswords:
    """A login and a temporary password for every active staff member of `school` who has
    no login yet (after a roster import): one sheet for the admin to hand out."""
    access.require_school_admin(actor, school)
    _require_confirmed(confirmed)
    waiting = list(
        Staff.objects.select_for_update(of=("self",))
        .select_related("school")
        .filter(school=school, user__isnull=True, is_active=True)
        .order_by("name", "pk")
    )
    if not waiting:
        raise refusal(
            "no_staff_without_login",
            _("Every active staff member of the school already has a login."),
        )
    taken = set(
        User.objects.filter(phone__in=[m.phone for m in waiting]).values_list("phone", flat=True)
    )
    result = FirstPasswords(given=[], skipped=[])
    for member in waiting:
        if member.phone in taken:
            result.skipped.append(member)
            continue
        login = _first_login(member)
        password = temporary_password_give(user=login, given_by=access.user_of(actor))
        result.given.append((member, password))
    return result


@transaction.atomic
def guardian_password_reset(*, guardian: Guardian, school, actor, confirmed: bool = False) -> str:
    """A temporary password for a guardian of a child of `school`, given by its admin.

    Refused when the login also covers a child of another school: the school's admin
    would hold a password that opens another school's child's records. The refusal
    names no school and no child."""
    access.require_school_admin(actor, school)
    target = _locked(Guardian, "user", pk=guardian.pk, student_links__student__school=school)
    _require_confirmed(confirmed)
    if target.user is None:
        raise refusal(
            "guardian_not_activated",
            _(
                "%(name)s has no login yet: they create it on the activation page with "
                "their phone and their child's student number and name."
            ),
            name=target.name,
        )
    if selectors.login_is_shared_beyond(target.user, school) or not target.user.is_active:
        raise refusal(
            "reset_not_here",
            _(
                "This login is not reset by the school: its password is reset by the "
                "education bureau's system administrator."
            ),
        )
    return temporary_password_give(user=target.user, given_by=access.user_of(actor))


# ----- everyday records: students, guardians, staff, accounts (SPEC R2, R26) -------------
#
# The school's own admin edits its children, their guardians and its staff; a bureau
# officer oversees schools but does not edit children. Each write locks the row, checks
# every field (a Chinese message naming it), then saves through the model so that
# django-auditlog records the change (the actor comes from the request).

STUDENT_FIELDS = (
    "name",
    "student_number",
    "gender",
    "birth_date",
    "is_boarder",
    "has_disability",
    "is_left_behind",
    "is_migrant_child",
    "low_income_basis",
)
# Told to whoever tries a phone that is someone else's: it must not say whose it is, nor
# whether that person is a guardian, a teacher or a login.
PHONE_TAKEN = _(
    "Mobile phone: this number cannot be used here. Check the number with the person; if it "
    "is right, ask the education bureau's system administrator."
)
PHONE_INVALID = _("Mobile phone: enter an 11-digit mainland mobile number.")
# Told when the login also opens records beyond the school: it names no school.
PHONE_NOT_HERE = _(
    "Mobile phone: the phone this login logs in with is changed by the education bureau's "
    "system administrator, not by the school."
)


def _clean_name(problems: Problems, value, *, field: str = "name") -> str:
    name = " ".join(str(value or "").split())
    if not name:
        problems.add("name_required", _("Full name: required."), field=field)
    elif len(name) > 50:
        problems.add("name_too_long", _("Full name: at most 50 characters."), field=field)
    return name


def _clean_phone(problems: Problems, value, *, field: str = "phone") -> str:
    phone = normalise_mobile(value)
    if not is_mobile(phone):
        problems.add("phone_invalid", PHONE_INVALID, field=field)
    return phone


def _login_phone_taken(phone: str, *, user_id: int | None) -> bool:
    return User.objects.filter(phone=phone).exclude(pk=user_id).exists()


def _save_or_taken(objects, *, field: str = "phone") -> None:
    """Save in a savepoint; a unique phone taken meanwhile by another request is the same
    refusal as one taken before (never a 500)."""
    try:
        with transaction.atomic():
            for obj in objects:
                if obj is not None:
                    obj.save()
    except IntegrityError as exc:
        raise refusal("phone_taken", PHONE_TAKEN, field=field) from exc


@transaction.atomic
def student_update(
    *, student: Student, actor, school_class: SchoolClass | None = None, **fields
) -> Student:
    """Change a child's record (the fields of `STUDENT_FIELDS`) and, with `school_class`,
    put the child in that class for the class's school year (one class a year: a move
    changes the membership, so the history shows from which class to which)."""
    unknown = set(fields) - set(STUDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown student fields: {sorted(unknown)}")
    target = _locked(Student, "school", pk=student.pk)
    access.require_school_admin(actor, target.school)
    problems = Problems()
    for name, value in fields.items():
        setattr(target, name, value)
    target.name = _clean_name(problems, target.name)
    target.student_number = normalise_student_number(target.student_number)
    if not is_student_number(target.student_number):
        problems.add(
            "student_number_invalid",
            _("Student number: 3 to 20 letters or digits."),
            field="student_number",
        )
    elif (
        Student.objects.filter(school=target.school, student_number=target.student_number)
        .exclude(pk=target.pk)
        .exists()
    ):
        problems.add(
            "student_number_taken",
            _("Student number: another student of this school has it."),
            field="student_number",
        )
    if target.gender not in Student.Gender.values:
        problems.add("gender_invalid", _("Gender: choose male or female."), field="gender")
    if target.low_income_basis not in Student.LowIncomeBasis.values:
        problems.add(
            "low_income_basis_invalid",
            _("Low-income basis: choose one of the list."),
            field="low_income_basis",
        )
    today = timezone.localdate()
    if target.birth_date is not None and not (
        today.replace(year=today.year - 25) <= target.birth_date <= today
    ):
        problems.add(
            "birth_date_invalid",
            _("Date of birth: not a school child's date of birth."),
            field="birth_date",
        )
    membership = None
    if school_class is not None:
        if school_class.school_id != target.school_id:
            problems.add(
                "class_other_school",
                _("Class: not a class of this school."),
                field="school_class",
            )
        else:
            membership = (
                ClassMembership.objects.select_for_update()
                .filter(student=target, school_year_id=school_class.school_year_id)
                .first()
            ) or ClassMembership(student=target, school_year_id=school_class.school_year_id)
            membership.school_class = school_class
    problems.raise_if_any()
    try:
        with transaction.atomic():
            target.save()
            if membership is not None:
                membership.save()
    except IntegrityError as exc:
        raise refusal(
            "student_number_taken",
            _("Student number: another student of this school has it."),
            field="student_number",
        ) from exc
    return target


@transaction.atomic
def guardian_update(
    *,
    student: Student,
    guardian: Guardian,
    actor,
    name: str,
    phone: str,
    relation: str,
    is_primary: bool,
    may_collect: bool,
) -> Guardian:
    """Change the school's record of a guardian of one of its children (name, phone) and
    their tie to this child (relation, primary contact, may collect).

    The record is this school's alone (docs/adr/0007-guardians-across-schools.md): a
    phone another school has for someone is no concern of this one and is not looked at.
    Refused: a phone another guardian record of this school has, and, for a guardian
    who logs in with this record's phone, a phone that is already someone else's login
    (one phone, one login); the message never says whose. That login moves to the new
    phone with the record, so the guardian logs in with the new number from now on -
    unless it also holds another school's record or child (`selectors.login_follows_record`):
    then only this school's record changes, still joined to the login, which keeps its
    phone. Otherwise one school's admin could move such a login to a phone of their own
    and, with it, reach another school's child."""
    link = (
        StudentGuardian.objects.select_for_update(of=("self",))
        .select_related("student__school")
        .filter(student_id=student.pk, guardian_id=guardian.pk)
        .first()
    )
    if link is None:
        raise access.OutOfScope
    access.require_school_admin(actor, link.student.school)
    target = Guardian.objects.select_for_update(of=("self",)).get(pk=guardian.pk)
    problems = Problems()
    target.name = _clean_name(problems, name)
    new_phone = _clean_phone(problems, phone)
    if relation not in StudentGuardian.Relation.values:
        problems.add("relation_invalid", _("Relation: choose one of the list."), field="relation")
    login = None
    if target.user_id:
        login = User.objects.select_for_update().get(pk=target.user_id)
        if not selectors.login_follows_record(target, login):
            login = None  # another number, or shared beyond the school: not moved
    if is_mobile(new_phone) and new_phone != target.phone:
        if (
            Guardian.objects.filter(school_id=target.school_id, phone=new_phone)
            .exclude(pk=target.pk)
            .exists()
        ) or (login is not None and _login_phone_taken(new_phone, user_id=login.pk)):
            problems.add("phone_taken", PHONE_TAKEN, field="phone")
    problems.raise_if_any()
    target.phone = new_phone
    link.relation, link.is_primary, link.may_collect = relation, bool(is_primary), bool(may_collect)
    if login is not None:
        login.phone, login.name = target.phone, target.name
    others = []
    if link.is_primary:
        # One primary contact per child: the others stop being it (each change audited).
        others = list(
            StudentGuardian.objects.select_for_update()
            .filter(student_id=link.student_id, is_primary=True)
            .exclude(pk=link.pk)
        )
        for other in others:
            other.is_primary = False
    _save_or_taken([target, login, link, *others])
    return target


STAFF_FIELDS = (
    "name",
    "phone",
    "gender",
    "kind",
    "external_kind",
    "subjects",
    "qualification",
    "organisation",
    "is_active",
)


@transaction.atomic
def staff_update(*, staff: Staff, actor, **fields) -> Staff:
    """Change a staff member of the school (the fields of `STAFF_FIELDS`). Their login, if
    they have one, follows: the same name and phone, and no login while inactive. A new
    phone is refused for a login that also opens another school's records (as in
    `account_update`)."""
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise TypeError(f"unknown staff fields: {sorted(unknown)}")
    target = _locked(Staff, "school__region", pk=staff.pk)
    access.require_school_admin(actor, target.school)
    old_phone = target.phone
    for name, value in fields.items():
        setattr(target, name, value)
    problems = Problems()
    target.name = _clean_name(problems, target.name)
    target.phone = _clean_phone(problems, target.phone)
    target.is_active = bool(target.is_active)
    if target.kind not in Staff.Kind.values:
        problems.add("kind_invalid", _("Kind: choose one of the list."), field="kind")
    if target.gender and target.gender not in Student.Gender.values:
        problems.add("gender_invalid", _("Gender: choose male or female."), field="gender")
    if target.kind == Staff.Kind.EXTERNAL:
        if target.external_kind not in Staff.ExternalKind.values:
            problems.add(
                "external_kind_required",
                _("External kind: required for an external instructor."),
                field="external_kind",
            )
    else:
        target.external_kind = ""
        if target.organisation_id:
            problems.add(
                "organisation_for_school_teacher",
                _("Organisation: only external instructors belong to an organisation."),
                field="organisation",
            )
    if target.organisation_id and target.kind == Staff.Kind.EXTERNAL:
        organisation = target.organisation
        if not organisation.serves(target.school) or not organisation.is_usable_on(
            timezone.localdate()
        ):
            problems.add(
                "organisation_not_approved",
                _(
                    "Organisation “%(organisation)s”: not on the education bureau's approved "
                    "list for this school (or its licence has expired)."
                ),
                field="organisation",
                organisation=organisation.name,
            )
    if is_mobile(target.phone) and target.phone != old_phone:
        if Staff.objects.filter(school=target.school, phone=target.phone).exclude(
            pk=target.pk
        ).exists() or _login_phone_taken(target.phone, user_id=target.user_id):
            problems.add("phone_taken", PHONE_TAKEN, field="phone")
    login = None
    if target.user_id:
        login = User.objects.select_for_update().get(pk=target.user_id)
        if (
            target.phone != old_phone
            and not getattr(actor, "is_superuser", False)
            and selectors.login_is_shared_beyond(login, target.school)
        ):
            problems.add("phone_not_here", PHONE_NOT_HERE, field="phone")
        if login.pk == getattr(actor, "pk", None) and not target.is_active:
            problems.add(
                "own_account",
                _("Active: you cannot deactivate yourself; another admin can."),
                field="is_active",
            )
        login.name, login.phone, login.is_active = target.name, target.phone, target.is_active
    problems.raise_if_any()
    _save_or_taken([target, login])
    return target


def _require_account_manager(actor, account: User) -> None:
    if not selectors.may_manage_account(actor, account):
        raise access.OutOfScope


@transaction.atomic
def account_update(
    *, account: User, actor, name: str, phone: str, is_active: bool, role: str | None = None
) -> User:
    """Change a login: the name, the phone it logs in with, whether it may log in, and
    (within a school) its role. A staff record of the same person follows. The phone of a
    login that also opens another school's records (`selectors.login_is_shared_beyond`)
    is moved only by a superuser (the bureau's system administrator)."""
    target = _locked(User, "school__region", "region", pk=account.pk)
    _require_account_manager(actor, target)
    problems = Problems()
    target.name = _clean_name(problems, name)
    new_phone = _clean_phone(problems, phone)
    is_self = target.pk == getattr(actor, "pk", None)
    if role is not None and role != target.role:
        if target.role not in access.SCHOOL_ROLES or role not in access.SCHOOL_ROLES:
            problems.add(
                "role_invalid",
                _("Role: a school login is an admin, a teacher or gate staff."),
                field="role",
            )
        elif is_self or not access.may_manage_school(actor, target.school):
            problems.add(
                "role_not_yours",
                _("Role: only another admin of the school changes this login's role."),
                field="role",
            )
        else:
            target.role = role
    if is_self and not is_active:
        problems.add(
            "own_account",
            _("Active: you cannot deactivate yourself; another admin can."),
            field="is_active",
        )
    staff = Staff.objects.select_for_update().filter(user=target).first()
    if is_mobile(new_phone) and new_phone != target.phone:
        if _login_phone_taken(new_phone, user_id=target.pk) or (
            staff is not None
            and Staff.objects.filter(school_id=staff.school_id, phone=new_phone)
            .exclude(pk=staff.pk)
            .exists()
        ):
            problems.add("phone_taken", PHONE_TAKEN, field="phone")
        elif (
            target.school_id is not None
            and not getattr(actor, "is_superuser", False)
            and selectors.login_is_shared_beyond(target, target.school)
        ):
            problems.add("phone_not_here", PHONE_NOT_HERE, field="phone")
    problems.raise_if_any()
    target.phone, target.is_active = new_phone, bool(is_active)
    if staff is not None:
        staff.name, staff.phone, staff.is_active = target.name, target.phone, target.is_active
    _save_or_taken([target, staff])
    return target


# ----- external organisations: registered and vetted by the bureau (SPEC R2, seed 000) ----

ORGANISATION_FIELDS = (
    "name",
    "credit_code",
    "licence_number",
    "licence_valid_until",
    "scope",
    "offers",
    "has_violation_record",
)
# The document (seed 000) and its sentence on organisations.
SEED_000_TITLE = DOCUMENT_TITLES["000"]
SEED_000_ORGANISATIONS = (
    "适当引进资质优、行为规范、信誉度高、无违法违规记录的社会组织和校外专业机构参与课后服务，"
    "但不得开展学科类培训"
)
_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _is_credit_code(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""
    if len(code) != 18 or any(c not in _CREDIT_CODE_CHARS for c in code):
        return False
    total = sum(
        _CREDIT_CODE_CHARS.index(c) * w for c, w in zip(code, _CREDIT_CODE_WEIGHTS, strict=False)
    )
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31] == code[-1]


def _require_vetting_bureau(actor, region: Region) -> None:
    if not access.is_acting(actor) or not selectors.may_vet(actor, region):
        raise access.OutOfScope


def _organisation_problems(target: ExternalOrganisation, problems: Problems) -> None:
    target.name = " ".join(str(target.name or "").split())
    if not target.name:
        problems.add("name_required", _("Name: required."), field="name")
    elif len(target.name) > 100:
        problems.add("name_too_long", _("Name: at most 100 characters."), field="name")
    target.credit_code = unicodedata.normalize("NFKC", str(target.credit_code or ""))
    target.credit_code = target.credit_code.strip().upper()
    if not _is_credit_code(target.credit_code):
        problems.add(
            "credit_code_invalid",
            _(
                "Unified social credit code: 18 digits and capital letters as printed on the "
                "licence; this one is mistyped (its check character does not match)."
            ),
            field="credit_code",
        )
    elif (
        ExternalOrganisation.objects.filter(credit_code=target.credit_code)
        .exclude(pk=target.pk)
        .exists()
    ):
        problems.add(
            "credit_code_taken",
            _("Unified social credit code: an organisation with this code is already registered."),
            field="credit_code",
        )
    target.licence_number = str(target.licence_number or "").strip()
    if len(target.licence_number) > 50:
        problems.add(
            "licence_number_too_long",
            _("Licence number: at most 50 characters."),
            field="licence_number",
        )
    target.scope = str(target.scope or "").strip()
    offers = list(dict.fromkeys(target.offers or []))
    forbidden = [c for c in offers if c not in ExternalOrganisation.MAY_OFFER]
    if forbidden:
        problems.add(
            "subject_training_by_organisation",
            _(
                "May offer: an external organisation may not deliver %(categories)s. "
                "Under %(source)s: “%(quote)s”"
            ),
            field="offers",
            categories="、".join(str(category_label(c)) for c in forbidden),
            source=SEED_000_TITLE,
            quote=SEED_000_ORGANISATIONS,
        )
    elif not offers:
        problems.add(
            "offers_required",
            _("May offer: choose at least one category of service."),
            field="offers",
        )
    target.offers = [c for c in ExternalOrganisation.MAY_OFFER if c in offers]
    target.has_violation_record = bool(target.has_violation_record)


@transaction.atomic
def organisation_register(*, region: Region, actor, **fields) -> ExternalOrganisation:
    """Register an organisation with its credentials; it waits for vetting."""
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    _require_vetting_bureau(actor, region)
    target = ExternalOrganisation(region=region, **fields)
    problems = Problems()
    if region.level == Region.Level.PROVINCE:
        problems.add(
            "region_level", _("Registered in: a city or a county / district."), field="region"
        )
    _organisation_problems(target, problems)
    problems.raise_if_any()
    target.save()
    return target


@transaction.atomic
def organisation_update(
    *, organisation: ExternalOrganisation, actor, **fields
) -> ExternalOrganisation:
    """Change a registered organisation's credentials. An approved one stays approved: a
    record of violations or an expired licence makes it unusable at once
    (`ExternalOrganisation.is_usable_on`); suspend it to say why."""
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    target = _locked(ExternalOrganisation, "region", pk=organisation.pk)
    _require_vetting_bureau(actor, target.region)
    for name, value in fields.items():
        setattr(target, name, value)
    problems = Problems()
    _organisation_problems(target, problems)
    problems.raise_if_any()
    target.save()
    return target


@transaction.atomic
def organisation_vet(
    *, organisation: ExternalOrganisation, actor, status: str, reason: str = ""
) -> ExternalOrganisation:
    """Approve, refuse or suspend an organisation (or send it back to pending), dated
    today, with the reason (required to refuse or suspend). Approval needs a licence in
    force and no record of violations, as seed 000 requires."""
    target = _locked(ExternalOrganisation, "region", pk=organisation.pk)
    _require_vetting_bureau(actor, target.region)
    today = timezone.localdate()
    reason = " ".join(str(reason or "").split())
    problems = Problems()
    Status = ExternalOrganisation.Status
    if status not in Status.values:
        problems.add("status_invalid", _("Decision: choose one of the list."), field="status")
    elif status == target.status:
        problems.add(
            "status_unchanged",
            _("Decision: the organisation is already %(status)s."),
            field="status",
            status=target.get_status_display(),
        )
    if status in (Status.REFUSED, Status.SUSPENDED) and not reason:
        problems.add("reason_required", _("Reason: required to refuse or suspend."), field="reason")
    if len(reason) > 200:
        problems.add("reason_too_long", _("Reason: at most 200 characters."), field="reason")
    if status == Status.APPROVED:
        if not target.licence_number or target.licence_valid_until is None:
            problems.add(
                "licence_required",
                _("Approval needs the licence number and its validity date."),
                field="status",
            )
        elif target.licence_valid_until < today:
            problems.add(
                "licence_expired",
                _("Approval: the licence expired on %(day)s."),
                field="status",
                day=target.licence_valid_until.isoformat(),
            )
        if target.has_violation_record:
            problems.add(
                "violation_record",
                _(
                    "Approval: the organisation has a record of violations. Under %(source)s: "
                    "“%(quote)s”"
                ),
                field="status",
                source=SEED_000_TITLE,
                quote=SEED_000_ORGANISATIONS,
            )
        if not target.offers:
            problems.add(
                "offers_required",
                _("May offer: choose at least one category of service."),
                field="status",
            )
    problems.raise_if_any()
    target.status, target.status_on, target.status_reason = status, today, reason
    target.save()
    return target
