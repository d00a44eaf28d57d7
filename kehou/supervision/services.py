"""Writes of the supervision records (R24). Keyword-only `<entity>_<verb>(*, ..., actor)`.

Who may do what:
- a bureau officer over a region (`access.may_oversee`) keeps its scoring sheets, records
  and finalises reviews of its schools, accepts or returns their rectifications, and
  publishes exemplary cases of them;
- a school's admin submits the rectification of a finding of a final review of their
  school (`access.require_school_admin`).

Each write checks the scope first, then validates everything (every problem at once, the
scoring item named), then writes in one transaction; a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kehou.accounts.models import User
from kehou.core.errors import Problems, refusal
from kehou.notifications.models import Notification
from kehou.notifications.services import notify
from kehou.org import access
from kehou.org import selectors as org_selectors
from kehou.org.models import Region, School
from kehou.supervision.models import (
    ExemplaryCase,
    Finding,
    ItemScore,
    Kind,
    Rectification,
    Review,
    ScoringSheet,
    SheetItem,
)
from kehou.terms.models import Term

TEXT_MAX = 4000
MAX_ITEMS = 60
MAX_ITEM_POINTS = 100
MAX_FINDINGS = 30
STEP = Decimal("0.1")


def _require_overseer(actor, region: Region) -> None:
    if not access.may_oversee(actor, region):
        raise access.OutOfScope


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _long_text(problems: Problems, value, *, field: str, code: str, message, limit=TEXT_MAX):
    text = _text(value)
    if not text:
        problems.add(code, message, field=field)
    elif len(text) > limit:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field=field, max=limit
        )
    return text


def _decimal(value) -> Decimal | None:
    """A number of points with at most one decimal, or None."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace("，", ".").replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    # A huge exponent ("1e400") cannot be quantized: it is no score either.
    if not number.is_finite() or abs(number) >= 10000 or number != number.quantize(STEP):
        return None
    return number.quantize(STEP)


def _points_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _school_admins(school: School) -> list[User]:
    return list(User.objects.filter(role=User.Role.SCHOOL_ADMIN, school=school, is_active=True))


# --------------------------------------------------------------------------- sheets


def _sheet_values(problems: Problems, *, name, kind, items, bands) -> dict:
    name = _text(name)
    if not name:
        problems.add("name_missing", _("Give the sheet a name."), field="name")
    elif len(name) > 100:
        problems.add("text_too_long", _("Keep it under %(max)d characters."), field="name", max=100)
    if kind not in Kind.values:
        problems.add("kind_unknown", _("Choose the kind of review."), field="kind")
    clean_items = []
    items = list(items or ())
    if not items:
        problems.add("no_items", _("A scoring sheet has at least one item."), field="items")
    if len(items) > MAX_ITEMS:
        problems.add("too_many_items", _("At most %(max)d items."), field="items", max=MAX_ITEMS)
    for number, item in enumerate(items, start=1):
        text = _text(item.get("text"))
        raw = item.get("max_points")
        try:
            points = int(str(raw).strip())
        except (TypeError, ValueError):
            points = None
        if not text:
            problems.add(
                "item_text_missing",
                _("Item %(number)d: say what is scored."),
                field=f"item-{number}",
                number=number,
            )
        elif len(text) > 300:
            problems.add(
                "text_too_long",
                _("Item %(number)d: keep it under 300 characters."),
                field=f"item-{number}",
                number=number,
            )
        if points is None or not 1 <= points <= MAX_ITEM_POINTS:
            problems.add(
                "item_points_out_of_range",
                _("Item %(number)d: the maximum is a whole number from 1 to %(max)d."),
                field=f"item-{number}",
                number=number,
                max=MAX_ITEM_POINTS,
            )
        clean_items.append({"text": text, "max_points": points or 0})
    total = sum(i["max_points"] for i in clean_items)
    clean_bands = {}
    for field, label in (
        ("excellent_from", _("Excellent")),
        ("good_from", _("Good")),
        ("pass_from", _("Pass")),
    ):
        raw = (bands or {}).get(field)
        if raw in (None, ""):
            clean_bands[field] = None
            continue
        value = _decimal(raw)
        if value is None or value < 0 or value > total:
            problems.add(
                "band_out_of_range",
                _("%(grade)s: a total from 0 to %(max)s points."),
                field=field,
                grade=label,
                max=total,
            )
        clean_bands[field] = value
    given = [v for v in clean_bands.values() if v is not None]
    if given and clean_bands["pass_from"] is None:
        problems.add(
            "pass_band_missing",
            _("Say from which total a school passes, or set no grades at all."),
            field="pass_from",
        )
    descending = given == sorted(given, reverse=True) and len(set(given)) == len(given)
    if not descending:
        problems.add(
            "bands_out_of_order",
            _("Excellent needs more points than good, and good more than pass."),
            field="excellent_from",
        )
    return {"name": name, "kind": kind, "items": clean_items, "bands": clean_bands}


def _write_items(sheet: ScoringSheet, items: Sequence[dict]) -> None:
    SheetItem.objects.bulk_create(
        SheetItem(sheet=sheet, order=n, text=i["text"], max_points=i["max_points"])
        for n, i in enumerate(items, start=1)
    )


def sheet_create(
    *, region: Region, name: str, kind: str, items: Iterable[Mapping], bands=None, actor
) -> ScoringSheet:
    """A new scoring sheet of `region`. `items`: [{"text", "max_points"}] in order;
    `bands`: {"excellent_from", "good_from", "pass_from"} (lowest totals, optional)."""
    _require_overseer(actor, region)
    problems = Problems()
    clean = _sheet_values(problems, name=name, kind=kind, items=items, bands=bands)
    problems.raise_if_any()
    with transaction.atomic():
        sheet = ScoringSheet.objects.create(
            region=region,
            name=clean["name"],
            kind=clean["kind"],
            created_by=access.user_of(actor),
            **clean["bands"],
        )
        _write_items(sheet, clean["items"])
    return sheet


def sheet_edit(
    *, sheet: ScoringSheet, name: str, items: Iterable[Mapping], bands=None, actor
) -> ScoringSheet:
    """Change the sheet; once a review has used it the change is a new version (returned)
    and the old one stays as the reviews scored on it saw it."""
    _require_overseer(actor, sheet.region)
    problems = Problems()
    clean = _sheet_values(problems, name=name, kind=sheet.kind, items=items, bands=bands)
    problems.raise_if_any()
    with transaction.atomic():
        sheet = ScoringSheet.objects.select_for_update().get(pk=sheet.pk)
        if not sheet.is_current:
            raise refusal(
                "sheet_superseded",
                _("A newer version of this sheet exists: change that one."),
            )
        if sheet.reviews.exists():
            ScoringSheet.objects.filter(pk=sheet.pk).update(is_current=False)
            new = ScoringSheet.objects.create(
                region=sheet.region,
                name=clean["name"],
                kind=sheet.kind,
                version=sheet.version + 1,
                previous=sheet,
                created_by=access.user_of(actor),
                **clean["bands"],
            )
            _write_items(new, clean["items"])
            return new
        sheet.name = clean["name"]
        for field, value in clean["bands"].items():
            setattr(sheet, field, value)
        sheet.save()
        sheet.items.all().delete()
        _write_items(sheet, clean["items"])
        return sheet


# --------------------------------------------------------------------------- reviews


def sheet_usable_for(sheet: ScoringSheet, school: School) -> bool:
    """A sheet of the school's region or of a region above it."""
    return school.region.path.startswith(sheet.region.path)


def _check_scores(problems: Problems, items: list[SheetItem], scores: Mapping) -> list:
    clean = []
    for item in items:
        raw = scores.get(item.pk)
        note = ""
        if isinstance(raw, tuple | list):
            raw, note = (list(raw) + [""])[:2]
        field = f"item-{item.pk}"
        if raw is None or str(raw).strip() == "":
            problems.add(
                "item_unscored",
                _("“%(item)s” has no score."),
                field=field,
                item=item.text,
            )
            continue
        points = _decimal(raw)
        if points is None:
            problems.add(
                "points_not_a_number",
                _("“%(item)s”: the score is a number with at most one decimal."),
                field=field,
                item=item.text,
            )
            continue
        if not 0 <= points <= item.max_points:
            problems.add(
                "points_out_of_range",
                _("“%(item)s”: %(points)s is outside 0–%(max)d points."),
                field=field,
                item=item.text,
                points=_points_text(points),
                max=item.max_points,
            )
            continue
        note = _text(note)
        if len(note) > 300:
            problems.add(
                "text_too_long",
                _("“%(item)s”: keep the note under 300 characters."),
                field=field,
                item=item.text,
            )
        clean.append((item, points, note))
    return clean


def _check_findings(problems: Problems, findings: Iterable) -> list[tuple[str, str]]:
    clean = []
    findings = list(findings or ())
    if len(findings) > MAX_FINDINGS:
        problems.add(
            "too_many_findings", _("At most %(max)d findings."), field="findings", max=MAX_FINDINGS
        )
    for number, finding in enumerate(findings, start=1):
        text, severity = (list(finding) + ["", ""])[:2]
        text = _text(text)
        if not text:
            problems.add(
                "finding_text_missing",
                _("Finding %(number)d: say what was found."),
                field=f"finding-{number}",
                number=number,
            )
        elif len(text) > TEXT_MAX:
            problems.add(
                "text_too_long",
                _("Keep it under %(max)d characters."),
                field=f"finding-{number}",
                max=TEXT_MAX,
            )
        if severity not in Finding.Severity.values:
            problems.add(
                "severity_unknown",
                _("Finding %(number)d: choose how serious it is."),
                field=f"finding-{number}",
                number=number,
            )
        clean.append((text, severity))
    return clean


def review_record(
    *,
    school: School,
    term: Term,
    kind: str,
    sheet: ScoringSheet,
    reviewed_on: dt.date | None,
    reviewers: str,
    scores: Mapping,
    summary: str = "",
    findings: Iterable = (),
    requires_rectification: bool = False,
    rectification_due: dt.date | None = None,
    actor,
) -> Review:
    """Record (or re-record, while a draft) the school's review of `kind` in `term`.
    `scores`: {item pk: points or (points, note)} for every item of the sheet;
    `findings`: [(text, severity)]. The total is the sum of the points."""
    _require_overseer(actor, school.region)
    problems = Problems()
    if kind not in Kind.values:
        problems.add("kind_unknown", _("Choose the kind of review."), field="kind")
    if not isinstance(term, Term):
        problems.add("term_missing", _("Choose the term."), field="term")
    if not isinstance(sheet, ScoringSheet) or not sheet_usable_for(sheet, school):
        raise refusal("sheet_unknown", _("Choose one of your region's sheets."), field="sheet")
    if kind in Kind.values and sheet.kind != kind:
        problems.add(
            "sheet_of_another_kind",
            _("This sheet is for a %(kind)s."),
            field="sheet",
            kind=sheet.get_kind_display(),
        )
    today = timezone.localdate()
    if not isinstance(reviewed_on, dt.date) or isinstance(reviewed_on, dt.datetime):
        problems.add("date_missing", _("Give a date."), field="reviewed_on")
    elif reviewed_on > today:
        problems.add(
            "in_the_future",
            _("%(when)s is still to come: record what has happened."),
            field="reviewed_on",
            when=reviewed_on.isoformat(),
        )
    reviewers = _long_text(
        problems,
        reviewers,
        field="reviewers",
        code="reviewers_missing",
        message=_("Name who reviewed the school."),
        limit=300,
    )
    items = list(sheet.items.all())
    clean_scores = _check_scores(problems, items, scores or {})
    clean_findings = _check_findings(problems, findings)
    summary = _text(summary)
    if len(summary) > TEXT_MAX:
        problems.add(
            "text_too_long", _("Keep it under %(max)d characters."), field="summary", max=TEXT_MAX
        )
    requires_rectification = bool(requires_rectification)
    if requires_rectification:
        if not clean_findings:
            problems.add(
                "rectification_without_findings",
                _("List the findings the school is to rectify."),
                field="findings",
            )
        if not isinstance(rectification_due, dt.date):
            problems.add(
                "due_date_missing",
                _("Say by when the school is to rectify."),
                field="rectification_due",
            )
        elif isinstance(reviewed_on, dt.date) and rectification_due < reviewed_on:
            problems.add(
                "due_before_review",
                _("The rectification cannot be due before the review."),
                field="rectification_due",
            )
    else:
        rectification_due = None
    problems.raise_if_any()

    total = sum((points for _item, points, _note in clean_scores), Decimal(0))
    values = {
        "sheet": sheet,
        "reviewed_on": reviewed_on,
        "reviewers": reviewers,
        "total": total,
        "grade": sheet.grade_for(total),
        "summary": summary,
        "requires_rectification": requires_rectification,
        "rectification_due": rectification_due,
    }
    with transaction.atomic():
        # The sheet's row first (sheet_edit locks it too): its items cannot change between
        # the checks above and the scores written below.
        locked = ScoringSheet.objects.select_for_update().get(pk=sheet.pk)
        if [i.pk for i in locked.items.all()] != [i.pk for i in items]:
            raise refusal(
                "sheet_changed",
                _("The sheet was changed meanwhile: open the form again."),
                field="sheet",
            )
        review = (
            Review.objects.select_for_update().filter(school=school, term=term, kind=kind).first()
        )
        if review is not None and review.is_final:
            raise refusal(
                "review_final",
                _("This school's %(kind)s of this term is final already."),
                kind=review.get_kind_display(),
            )
        if review is None and not locked.is_current:
            raise refusal(
                "sheet_superseded",
                _("A newer version of this sheet exists: score on that one."),
                field="sheet",
            )
        if review is None:
            review = Review.objects.create(
                school=school,
                term=term,
                kind=kind,
                recorded_by=access.user_of(actor),
                **values,
            )
        else:
            for field, value in values.items():
                setattr(review, field, value)
            review.save()
            review.scores.all().delete()
            review.findings.all().delete()
        ItemScore.objects.bulk_create(
            ItemScore(review=review, school=school, item=item, points=points, note=note)
            for item, points, note in clean_scores
        )
        Finding.objects.bulk_create(
            Finding(review=review, school=school, order=n, text=text, severity=severity)
            for n, (text, severity) in enumerate(clean_findings, start=1)
        )
    return review


def review_finalise(*, review: Review, confirmed: bool = False, actor) -> Review:
    """Freeze the review; the school's admins are told, and its findings to rectify open.
    Final is for good: refused as `confirmation_required` unless `confirmed`."""
    _require_overseer(actor, review.school.region)
    if not confirmed:
        raise refusal(
            "confirmation_required",
            _("A final review cannot be changed, and the school is told: confirm."),
        )
    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("school").get(pk=review.pk)
        if review.is_final:
            raise refusal("review_final", _("The review is final already."))
        review.status = Review.Status.FINAL
        review.finalised_by = access.user_of(actor)
        review.finalised_at = timezone.now()
        review.save()
        if review.requires_rectification:
            review.findings.update(status=Finding.Status.OPEN)
        title = _("%(kind)s of %(school)s: %(total)s points") % {
            "kind": review.get_kind_display(),
            "school": review.school.name,
            "total": _points_text(review.total),
        }
        body = (
            _("Rectify the findings by %(day)s.") % {"day": review.rectification_due.isoformat()}
            if review.requires_rectification
            else _("No rectification is asked.")
        )
        notify(
            recipients=_school_admins(review.school),
            kind=Notification.Kind.GENERAL,
            title=title,
            body=body,
            link=reverse("supervision:review", args=[review.pk]),
            key=f"supervision-review:{review.pk}",
            school=review.school,
        )
    return review


# --------------------------------------------------------------------------- rectification


def rectification_submit(*, finding: Finding, action: str, actor) -> Rectification:
    """The school says what it did about a finding of a final review that asks for it."""
    access.require_school_admin(actor, finding.school)
    problems = Problems()
    action = _long_text(
        problems,
        action,
        field="action",
        code="action_missing",
        message=_("Say what the school did."),
    )
    problems.raise_if_any()
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update()
            .select_related("review", "school")
            .get(pk=finding.pk)
        )
        if not finding.review.is_final or finding.status == Finding.Status.NOTED:
            raise refusal(
                "rectification_not_asked",
                _("No rectification is asked for this finding."),
            )
        if finding.status == Finding.Status.SUBMITTED:
            raise refusal(
                "rectification_pending",
                _("A rectification of this finding awaits the bureau already."),
            )
        if finding.status == Finding.Status.ACCEPTED:
            raise refusal("finding_rectified", _("This finding is rectified and accepted already."))
        rectification = Rectification.objects.create(
            finding=finding,
            school=finding.school,
            action=action,
            submitted_by=access.user_of(actor),
            submitted_at=timezone.now(),
        )
        finding.status = Finding.Status.SUBMITTED
        finding.save(update_fields=["status"])
        recorder = finding.review.recorded_by
        notify(
            recipients=[recorder] if recorder else [],
            kind=Notification.Kind.GENERAL,
            title=_("%(school)s submitted a rectification") % {"school": finding.school.name},
            body=finding.text[:200],
            link=reverse("supervision:review", args=[finding.review_id]),
            key=f"supervision-rectification:{rectification.pk}",
            school=finding.school,
        )
    return rectification


def _decide(rectification: Rectification, *, accept: bool, note: str, actor) -> Rectification:
    _require_overseer(actor, rectification.school.region)
    problems = Problems()
    note = _text(note)
    if not accept and not note:
        problems.add("note_missing", _("Say what is still to be done."), field="decision_note")
    if len(note) > TEXT_MAX:
        problems.add(
            "text_too_long",
            _("Keep it under %(max)d characters."),
            field="decision_note",
            max=TEXT_MAX,
        )
    problems.raise_if_any()
    with transaction.atomic():
        rectification = (
            Rectification.objects.select_for_update()
            .select_related("finding", "school")
            .get(pk=rectification.pk)
        )
        if rectification.status != Rectification.Status.SUBMITTED:
            raise refusal(
                "rectification_decided",
                _("This rectification was %(status)s already."),
                status=rectification.get_status_display(),
            )
        rectification.status = (
            Rectification.Status.ACCEPTED if accept else Rectification.Status.RETURNED
        )
        rectification.decided_by = access.user_of(actor)
        rectification.decided_at = timezone.now()
        rectification.decision_note = note
        rectification.save()
        finding = rectification.finding
        finding.status = Finding.Status.ACCEPTED if accept else Finding.Status.OPEN
        finding.save(update_fields=["status"])
        notify(
            recipients=_school_admins(rectification.school),
            kind=Notification.Kind.GENERAL,
            title=_("Rectification accepted") if accept else _("Rectification returned"),
            body=note or finding.text[:200],
            link=reverse("supervision:review", args=[finding.review_id]),
            key=f"supervision-decision:{rectification.pk}",
            school=rectification.school,
        )
    return rectification


def rectification_accept(*, rectification: Rectification, note: str = "", actor) -> Rectification:
    return _decide(rectification, accept=True, note=note, actor=actor)


def rectification_return(*, rectification: Rectification, note: str, actor) -> Rectification:
    """Back to the school, with what is still to be done; the finding is open again."""
    return _decide(rectification, accept=False, note=note, actor=actor)


# --------------------------------------------------------------------------- cases


def case_create(*, school: School, title: str, summary: str, body: str, actor) -> ExemplaryCase:
    """An exemplary case of the school, published by case_publish: a bureau officer's is a
    draft; the school admin's own is proposed, and the county's officers are told."""
    by_bureau = access.may_oversee(actor, school.region)
    if not by_bureau and not access.may_manage_school(actor, school):
        raise access.OutOfScope
    problems = Problems()
    title = _long_text(
        problems, title, field="title", code="title_missing", message=_("Give a title."), limit=120
    )
    summary = _long_text(
        problems,
        summary,
        field="summary",
        code="summary_missing",
        message=_("Sum the case up in a sentence or two."),
        limit=300,
    )
    body = _long_text(
        problems,
        body,
        field="body",
        code="body_missing",
        message=_("Describe the case."),
        limit=20000,
    )
    problems.raise_if_any()
    with transaction.atomic():
        case = ExemplaryCase.objects.create(
            school=school,
            title=title,
            summary=summary,
            body=body,
            status=ExemplaryCase.Status.DRAFT if by_bureau else ExemplaryCase.Status.PROPOSED,
            created_by=access.user_of(actor),
        )
        if not by_bureau:
            notify(
                recipients=org_selectors.bureau_officers(school),
                kind=Notification.Kind.GENERAL,
                title=_("%(school)s proposes an exemplary case") % {"school": school.name},
                body=title,
                link=reverse("supervision:case_manage", args=[case.pk]),
                key=f"supervision-case-proposed:{case.pk}",
                school=school,
            )
    return case


def case_publish(*, case: ExemplaryCase, actor) -> ExemplaryCase:
    """On the public pages from now on (a withdrawn case may be published again)."""
    _require_overseer(actor, case.school.region)
    with transaction.atomic():
        case = ExemplaryCase.objects.select_for_update().get(pk=case.pk)
        if case.status == ExemplaryCase.Status.PUBLISHED:
            raise refusal("case_published", _("The case is published already."))
        case.status = ExemplaryCase.Status.PUBLISHED
        case.published_at = timezone.now()
        case.published_by = access.user_of(actor)
        case.withdrawn_at = None
        case.save()
    return case


def case_withdraw(*, case: ExemplaryCase, actor) -> ExemplaryCase:
    """Off the public pages; the case stays on record."""
    _require_overseer(actor, case.school.region)
    with transaction.atomic():
        case = ExemplaryCase.objects.select_for_update().get(pk=case.pk)
        if case.status != ExemplaryCase.Status.PUBLISHED:
            raise refusal("case_not_published", _("Only a published case can be withdrawn."))
        case.status = ExemplaryCase.Status.WITHDRAWN
        case.withdrawn_at = timezone.now()
        case.save()
    return case
