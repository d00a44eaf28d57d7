"""Regions, schools and the people in them (SPEC R1, R2)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kehou.accounts.models import validate_mobile
from kehou.core.labels import class_label, grade_label
from kehou.lib.validators import is_region_code, is_school_code, is_student_number
from kehou.lib.vocabulary import EXTENDED_CATEGORIES, Category


def validate_school_code(value: str) -> None:
    if not is_school_code(value):
        raise ValidationError(_("The school code (学校标识码) has 10 digits."), code="school_code")


def validate_region_code(value: str) -> None:
    if not is_region_code(value):
        raise ValidationError(_("The region code has 6 digits."), code="region_code")


def validate_student_number(value: str) -> None:
    if not is_student_number(value):
        raise ValidationError(
            _("A student number has 3 to 20 letters or digits."), code="student_number"
        )


class Region(models.Model):
    """A node of the administrative tree: city → county/district.

    `path` holds the codes from the root ("/320500/320506/") so that a region and
    everything under it is one indexed prefix query.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County / district")

    code = models.CharField(
        _("region code"), max_length=6, unique=True, validators=[validate_region_code]
    )
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent region"),
        null=True,
        blank=True,
        related_name="children",
        on_delete=models.PROTECT,
    )
    path = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + f"{self.code}/"
        super().save(*args, **kwargs)

    def subtree(self) -> models.QuerySet["Region"]:
        return Region.objects.filter(path__startswith=self.path)


class School(models.Model):
    class Type(models.TextChoices):
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior high school")
        NINE_YEAR = "nine_year", _("Nine-year school")
        COMPLETE_MIDDLE = "complete_middle", _("Complete middle school")
        TWELVE_YEAR = "twelve_year", _("Twelve-year school")
        TEACHING_POINT = "teaching_point", _("Village teaching point")

    class Ownership(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Private")

    # Grades (1-9 compulsory; 10-12 senior) each type of school teaches.
    GRADES = {
        Type.PRIMARY: range(1, 7),
        Type.JUNIOR: range(7, 10),
        Type.NINE_YEAR: range(1, 10),
        Type.COMPLETE_MIDDLE: range(7, 13),
        Type.TWELVE_YEAR: range(1, 13),
        Type.TEACHING_POINT: range(1, 7),
    }

    code = models.CharField(
        _("school code"), max_length=10, unique=True, validators=[validate_school_code]
    )
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("county / district"),
        related_name="schools",
        on_delete=models.PROTECT,
    )
    school_type = models.CharField(_("school type"), max_length=20, choices=Type.choices)
    central_school = models.ForeignKey(
        "self",
        verbose_name=_("central school"),
        null=True,
        blank=True,
        related_name="teaching_points",
        on_delete=models.PROTECT,
        help_text=_("A village teaching point is run by its township central school."),
    )
    ownership = models.CharField(
        _("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.PUBLIC
    )
    is_urban = models.BooleanField(_("urban (城区)"), default=False)
    is_boarding = models.BooleanField(_("boarding"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="teaching_point_has_central_school",
                condition=~Q(school_type="teaching_point") | Q(central_school__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def grades(self) -> range:
        return self.GRADES[self.school_type]

    def clean(self) -> None:
        if self.region_id and self.region.level != Region.Level.COUNTY:
            raise ValidationError({"region": _("A school belongs to a county or district.")})
        if self.school_type == self.Type.TEACHING_POINT and not self.central_school_id:
            raise ValidationError(
                {"central_school": _("A teaching point needs its central school.")}
            )


class LeadershipMember(models.Model):
    """The school's leading group for after-school services (领导小组)."""

    class GroupRole(models.TextChoices):
        HEAD = "head", _("Head (组长)")
        DEPUTY = "deputy", _("Deputy (副组长)")
        MEMBER = "member", _("Member (成员)")

    school = models.ForeignKey(School, related_name="leadership", on_delete=models.CASCADE)
    name = models.CharField(_("full name"), max_length=50)
    post = models.CharField(
        _("post"), max_length=50, help_text=_("e.g. 校长, 业务副校长, 教导主任")
    )
    group_role = models.CharField(_("role in the group"), max_length=10, choices=GroupRole.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("leading group member")
        verbose_name_plural = _("leading group")
        ordering = ["school", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(group_role="head"), name="one_head_per_leading_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.post})"


class SchoolYear(models.Model):
    """学年: starts in September of `start_year`."""

    start_year = models.PositiveSmallIntegerField(_("start year"), unique=True)

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["-start_year"]

    def __str__(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}"


class SchoolClass(models.Model):
    """班级: one class of one grade in one school year."""

    school = models.ForeignKey(School, related_name="classes", on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, related_name="classes", on_delete=models.PROTECT)
    grade = models.PositiveSmallIntegerField(_("grade"))
    number = models.PositiveSmallIntegerField(_("class number"))
    head_teacher = models.ForeignKey(
        "Staff",
        verbose_name=_("head teacher"),
        null=True,
        blank=True,
        related_name="head_of_classes",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["school", "school_year", "grade", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "grade", "number"], name="unique_class_per_year"
            ),
            models.CheckConstraint(name="grade_1_to_12", condition=Q(grade__gte=1, grade__lte=12)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return class_label(self.grade, self.number)

    @property
    def grade_name(self) -> str:
        return grade_label(self.grade)


class Student(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class LowIncomeBasis(models.TextChoices):
        NONE = "", _("None")
        POVERTY_FILE = "poverty_file", _("Registered poor household (建档立卡)")
        DIBAO = "dibao", _("Minimum living allowance (低保)")

    school = models.ForeignKey(School, related_name="students", on_delete=models.PROTECT)
    student_number = models.CharField(
        _("student number"),
        max_length=20,
        validators=[validate_student_number],
        help_text=_("学籍号, or the school's own number"),
    )
    name = models.CharField(_("full name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    is_boarder = models.BooleanField(_("boarder"), default=False)
    # The groups policy puts first (seed 001): sensitive, shown only to school admins
    # and the bureau (kehou.org.access.may_see_priority_facts).
    has_disability = models.BooleanField(_("disability"), default=False)
    is_left_behind = models.BooleanField(_("left-behind child (留守)"), default=False)
    is_migrant_child = models.BooleanField(_("migrant worker's child (随迁)"), default=False)
    low_income_basis = models.CharField(
        _("low-income basis"), max_length=20, blank=True, choices=LowIncomeBasis.choices
    )
    is_active = models.BooleanField(_("on roll"), default=True)

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["school", "student_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"], name="unique_student_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_priority(self) -> bool:
        """In one of the groups seed 001 says are served first."""
        return bool(
            self.has_disability
            or self.is_left_behind
            or self.is_migrant_child
            or self.low_income_basis
        )


class ClassMembership(models.Model):
    """Which class a student is in for a school year: one class per student per year."""

    student = models.ForeignKey(Student, related_name="memberships", on_delete=models.CASCADE)
    school_class = models.ForeignKey(
        SchoolClass, related_name="memberships", on_delete=models.CASCADE
    )
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("class membership")
        verbose_name_plural = _("class memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_year"], name="one_class_per_student_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} → {self.school_class}"

    def clean(self) -> None:
        if self.school_class_id and self.student_id:
            if self.school_class.school_id != self.student.school_id:
                raise ValidationError(_("The class belongs to another school."))


class Guardian(models.Model):
    """A parent or other guardian as one school knows them: the name and phone that
    school entered (its roster). The same person at two schools (siblings) is one record
    at each; both may lead to one login (`user`), but only once the guardian confirmed
    each school's record themselves, never because the phone numbers match
    (docs/adr/0007-guardians-across-schools.md)."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), related_name="guardians", on_delete=models.CASCADE
    )
    name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, validators=[validate_mobile])
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        related_name="guardian_records",
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "phone"], name="unique_guardian_per_school"),
        ]

    def __str__(self) -> str:
        return self.name


class StudentGuardian(models.Model):
    class Relation(models.TextChoices):
        FATHER = "father", _("Father")
        MOTHER = "mother", _("Mother")
        GRANDFATHER = "grandfather", _("Grandfather")
        GRANDMOTHER = "grandmother", _("Grandmother")
        OTHER = "other", _("Other relative")

    student = models.ForeignKey(Student, related_name="guardian_links", on_delete=models.CASCADE)
    guardian = models.ForeignKey(Guardian, related_name="student_links", on_delete=models.CASCADE)
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    may_collect = models.BooleanField(_("may collect the child"), default=True)

    class Meta:
        verbose_name = _("guardian of a student")
        verbose_name_plural = _("guardians of students")
        constraints = [
            models.UniqueConstraint(fields=["student", "guardian"], name="unique_student_guardian"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.get_relation_display()}) → {self.student}"


class AuthorisedCollector(models.Model):
    """Someone who is not a guardian but may collect the child (a neighbour, a driver)."""

    student = models.ForeignKey(Student, related_name="collectors", on_delete=models.CASCADE)
    name = models.CharField(_("full name"), max_length=50)
    relation = models.CharField(_("relation to the child"), max_length=30)
    phone = models.CharField(_("mobile phone"), max_length=11, validators=[validate_mobile])
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("authorised collector")
        verbose_name_plural = _("authorised collectors")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "phone"], name="unique_collector_per_student"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


class ExternalOrganisation(models.Model):
    """A third-party provider (社会组织、校外专业机构) registered and vetted by the bureau.

    Seed 000 admits organisations "资质优、行为规范、信誉度高、无违法违规记录" and "不得开展学科类
    培训": the bureau of `region` records its credentials and what it may offer (never
    homework, tutoring or evening study), then approves, refuses or suspends it with a
    reason and a date. Schools under `region` may engage it while it is approved, its
    licence is valid and it has no record of violations (`is_usable_on`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting vetting")
        APPROVED = "approved", pgettext_lazy("vetting", "Approved")
        REFUSED = "refused", pgettext_lazy("vetting", "Refused")
        SUSPENDED = "suspended", _("Suspended")

    # What an external organisation may deliver: sports and the extended services. The
    # basic homework service, tutoring (课业辅导) and evening study are subject work, which
    # seed 000 forbids to organisations.
    MAY_OFFER = (
        Category.SPORTS,
        *sorted(EXTENDED_CATEGORIES, key=list(Category).index),
        Category.OTHER,
    )

    region = models.ForeignKey(Region, verbose_name=_("registered in"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    licence_number = models.CharField(_("licence number"), max_length=50, blank=True)
    licence_valid_until = models.DateField(_("licence valid until"), null=True, blank=True)
    scope = models.TextField(
        _("business scope"), blank=True, help_text=_("As on the licence (经营范围).")
    )
    offers = models.JSONField(
        _("may offer"), default=list, blank=True, help_text=_("Categories of service.")
    )
    status = models.CharField(
        _("vetting status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    status_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    has_violation_record = models.BooleanField(_("record of violations"), default=False)

    class Meta:
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_vetted(self) -> bool:
        return self.status == self.Status.APPROVED

    def is_usable_on(self, day: datetime.date) -> bool:
        return (
            self.is_vetted
            and not self.has_violation_record
            and (self.licence_valid_until is None or self.licence_valid_until >= day)
        )

    def serves(self, school: School) -> bool:
        """Registered with the school's county or a region above it."""
        return school.region.path.startswith(self.region.path)

    def may_offer(self, category: str) -> bool:
        """Whether the bureau registered it for this category of service."""
        return category in self.offers and category in self.MAY_OFFER


class Staff(models.Model):
    """A school teacher or an external instructor who works in the school's services."""

    class Kind(models.TextChoices):
        SCHOOL_TEACHER = "school_teacher", _("School teacher")
        EXTERNAL = "external", _("External instructor")

    class ExternalKind(models.TextChoices):
        RETIRED_TEACHER = "retired_teacher", _("Retired teacher")
        PARENT = "parent", _("Parent")
        UNIVERSITY_STUDENT = "university_student", _("University student")
        COACH = "coach", _("Coach")
        FOLK_ARTIST = "folk_artist", _("Folk artist")
        CRAFTSMAN = "craftsman", _("Craftsman")
        HERITAGE_INHERITOR = "heritage_inheritor", _("Heritage inheritor")
        PROFESSIONAL = "professional", _("Professional")
        VOLUNTEER = "volunteer", _("Volunteer")

    class CheckResult(models.TextChoices):
        PENDING = "pending", _("Pending")
        PASSED = "passed", _("Passed: no record of violations")
        FAILED = "failed", _("Failed")

    school = models.ForeignKey(School, related_name="staff", on_delete=models.PROTECT)
    name = models.CharField(_("full name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=11, validators=[validate_mobile])
    gender = models.CharField(_("gender"), max_length=1, choices=Student.Gender.choices, blank=True)
    kind = models.CharField(
        pgettext_lazy("a staff member", "kind"), max_length=20, choices=Kind.choices
    )
    subjects = models.CharField(
        _("subjects"), max_length=100, blank=True, help_text=_("e.g. 语文、数学")
    )
    external_kind = models.CharField(
        _("external kind"), max_length=20, choices=ExternalKind.choices, blank=True
    )
    organisation = models.ForeignKey(
        ExternalOrganisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        related_name="instructors",
        on_delete=models.PROTECT,
    )
    qualification = models.CharField(_("qualification"), max_length=100, blank=True)
    background_check_date = models.DateField(_("background check date"), null=True, blank=True)
    background_check_result = models.CharField(
        _("background check result"), max_length=10, choices=CheckResult.choices, blank=True
    )
    agreement_start = models.DateField(_("agreement from"), null=True, blank=True)
    agreement_end = models.DateField(_("agreement until"), null=True, blank=True)
    pay_per_class_hour = models.DecimalField(
        _("pay per class-hour (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    pay_terms = models.CharField(_("pay terms"), max_length=200, blank=True)
    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, related_name="staff", on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["school", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "phone"], name="unique_staff_phone_per_school"
            ),
            models.CheckConstraint(
                name="external_staff_has_kind",
                condition=Q(kind="school_teacher") | ~Q(external_kind=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_external(self) -> bool:
        return self.kind == self.Kind.EXTERNAL

    def vetting_problems(self, day: datetime.date) -> list[str]:
        """Why this person may not be assigned to children on `day`; empty if they may."""
        if not self.is_active:
            return [str(_("no longer active"))]
        if not self.is_external:
            return []
        problems = []
        if self.background_check_result != self.CheckResult.PASSED:
            problems.append(str(_("background check not passed")))
        if not self.agreement_start or not self.agreement_end:
            problems.append(str(_("no signed agreement")))
        elif not self.agreement_start <= day <= self.agreement_end:
            problems.append(str(_("agreement not in force on that day")))
        if self.organisation_id and not self.organisation.is_usable_on(day):
            problems.append(str(_("organisation not vetted or licence expired")))
        return problems

    def is_assignable_on(self, day: datetime.date) -> bool:
        return not self.vetting_problems(day)
