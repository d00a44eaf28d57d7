"""Forms of the supervision pages. The scoring sheet and the review are rows of inputs
(one per item, one per finding) read here into the services' arguments; every check is
the service's, whose refusals come back keyed by the row they concern."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from kehou.supervision.models import Finding, Kind

BLANK_ITEM_ROWS = 4
BLANK_FINDING_ROWS = 3


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


# --------------------------------------------------------------------------- sheets


def sheet_items_from(post) -> list[dict]:
    """The item rows of a sheet form (item-text-N, item-max-N), blank rows dropped."""
    rows = []
    numbers = sorted(
        {int(k.rsplit("-", 1)[1]) for k in post if k.startswith("item-text-") and k[10:].isdigit()}
    )
    for n in numbers:
        text = post.get(f"item-text-{n}", "").strip()
        points = post.get(f"item-max-{n}", "").strip()
        if text or points:
            rows.append({"text": text, "max_points": points})
    return rows


def sheet_bands_from(post) -> dict:
    return {
        name: post.get(name, "").strip() for name in ("excellent_from", "good_from", "pass_from")
    }


def sheet_rows(items, *, errors: dict | None = None) -> list[dict]:
    """Rows to show: the given items and a few blank ones, with each row's errors."""
    errors = errors or {}
    rows = [
        {
            "n": n,
            "text": i["text"],
            "max_points": i["max_points"],
            "errors": errors.get(f"item-{n}", []),
        }
        for n, i in enumerate(items, start=1)
    ]
    for n in range(len(rows) + 1, len(rows) + 1 + BLANK_ITEM_ROWS):
        rows.append({"n": n, "text": "", "max_points": "", "errors": []})
    return rows


# --------------------------------------------------------------------------- reviews


def review_scores_from(post, items) -> dict:
    return {
        item.pk: (post.get(f"points-{item.pk}", ""), post.get(f"note-{item.pk}", ""))
        for item in items
    }


def review_findings_from(post) -> list[tuple[str, str]]:
    numbers = sorted(
        {int(k[13:]) for k in post if k.startswith("finding-text-") and k[13:].isdigit()}
    )
    rows = []
    for n in numbers:
        text = post.get(f"finding-text-{n}", "").strip()
        if text:
            rows.append((text, post.get(f"finding-severity-{n}", "")))
    return rows


def review_arguments(post, items) -> dict:
    """The review_record arguments a posted review form carries (school, term, kind and
    sheet come from the page)."""
    return {
        "reviewed_on": _date(post.get("reviewed_on")),
        "reviewers": post.get("reviewers", ""),
        "scores": review_scores_from(post, items),
        "summary": post.get("summary", ""),
        "findings": review_findings_from(post),
        "requires_rectification": post.get("requires_rectification") == "1",
        "rectification_due": _date(post.get("rectification_due")),
    }


def finding_rows(findings, *, errors: dict | None = None) -> list[dict]:
    errors = errors or {}
    rows = [
        {"n": n, "text": text, "severity": severity, "errors": errors.get(f"finding-{n}", [])}
        for n, (text, severity) in enumerate(findings, start=1)
    ]
    for n in range(len(rows) + 1, len(rows) + 1 + BLANK_FINDING_ROWS):
        rows.append({"n": n, "text": "", "severity": Finding.Severity.MINOR, "errors": []})
    return rows


def kind_or_none(value: str | None) -> str | None:
    return value if value in Kind.values else None


# --------------------------------------------------------------------------- others


class RectificationForm(forms.Form):
    action = forms.CharField(
        label=_("What the school did"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class DecisionForm(forms.Form):
    decision_note = forms.CharField(
        label=_("The bureau's note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Needed when you return it: say what is still to be done."),
    )


class CaseForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=None)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(
        label=_("The case"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )

    def __init__(self, *args, schools, **kwargs):
        """`schools`: those an officer chooses from; None for a school admin, whose case
        is their own school's."""
        super().__init__(*args, **kwargs)
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].queryset = schools
