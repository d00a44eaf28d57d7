"""Service errors that a page, a command and the API can all carry (docs/ARCHITECTURE.md).

A refusal is a Django `ValidationError` keyed by the field it concerns (`WHOLE` when it
concerns the request as a whole). Each message carries a stable `code` a client can act
on, and `params`; the message itself is a gettext string, so Chinese pages read Chinese
and English pages English. Services collect every problem first (`Problems`) and raise
them together, so a form shows all of them at once and nothing is half-written.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

WHOLE = NON_FIELD_ERRORS


def refusal(code: str, message, *, field: str = WHOLE, **params) -> ValidationError:
    """One refusal, ready to raise: `raise refusal("menu_not_editable", _("…"), field="mode")`."""
    return ValidationError({field: [ValidationError(message, code=code, params=params or None)]})


class Problems:
    """Every problem of one request, gathered before anything is written."""

    def __init__(self) -> None:
        self._errors: dict[str, list[ValidationError]] = {}

    def add(self, code: str, message, *, field: str = WHOLE, **params) -> None:
        error = ValidationError(message, code=code, params=params or None)
        self._errors.setdefault(field, []).append(error)

    def extend(self, error: ValidationError) -> None:
        """Add the problems of another refusal (a nested check)."""
        for item in items(error):
            self._errors.setdefault(item.field, []).append(item.error)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return sum(len(errors) for errors in self._errors.values())

    def raise_if_any(self) -> None:
        if self._errors:
            raise ValidationError(dict(self._errors))


class Item:
    """One message of a refusal: the field, the stable code and the text in the active
    language (with its params filled in)."""

    __slots__ = ("error", "field")

    def __init__(self, field: str, error: ValidationError) -> None:
        self.field = field
        self.error = error

    @property
    def code(self) -> str:
        return self.error.code or "invalid"

    @property
    def message(self) -> str:
        message = str(self.error.message)
        return message % self.error.params if self.error.params else message

    def as_dict(self) -> dict:
        return {
            "field": None if self.field == WHOLE else self.field,
            "code": self.code,
            "message": self.message,
        }


def items(error: ValidationError) -> list[Item]:
    """The messages of any ValidationError, as (field, code, text)."""
    if hasattr(error, "error_dict"):
        return [
            Item(field, single)
            for field, errors in error.error_dict.items()
            for nested in errors
            for single in _flat(nested)
        ]
    return [Item(WHOLE, single) for single in _flat(error)]


def _flat(error: ValidationError) -> list[ValidationError]:
    if hasattr(error, "error_dict"):
        return [
            single for errors in error.error_dict.values() for e in errors for single in _flat(e)
        ]
    if hasattr(error, "error_list") and not (
        len(error.error_list) == 1 and error.error_list[0] is error
    ):
        return [single for e in error.error_list for single in _flat(e)]
    return [error]


def codes(error: ValidationError) -> set[str]:
    return {item.code for item in items(error)}


def messages(error: ValidationError) -> list[str]:
    return [item.message for item in items(error)]


def add_to_form(form, error: ValidationError) -> None:
    """Show a service's refusal on a form: beside the field it concerns when the form has
    that field, at the top otherwise."""
    for item in items(error):
        field = item.field if item.field in form.fields else None
        form.add_error(field, item.message)
