"""Model fields shared by the apps."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _

ALL_WEEKDAYS = range(7)


def weekday_mask(days: Iterable[int]) -> int:
    mask = 0
    for day in days:
        day = int(day)
        if day not in ALL_WEEKDAYS:
            raise ValueError(f"weekday {day} is not 0 (Monday) … 6 (Sunday)")
        mask |= 1 << day
    return mask


def weekdays_of(mask: int) -> list[int]:
    return [day for day in ALL_WEEKDAYS if mask & (1 << day)]


class WeekdaysField(models.PositiveSmallIntegerField):
    """A set of weekdays (0 = Monday … 6 = Sunday), read and written as a sorted list.

    Stored as a bit mask so that "who comes on Tuesdays" is one column test on SQLite and
    PostgreSQL alike (JSON `contains` does not work on SQLite):
    `Application.objects.filter(service_weekdays__has=1)`.
    """

    description = _("Weekdays")

    def from_db_value(self, value, expression, connection):
        return None if value is None else weekdays_of(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, int):
            return weekdays_of(value)
        try:
            return sorted({int(day) for day in value})
        except (TypeError, ValueError) as error:
            raise ValidationError(_("Choose weekdays."), code="weekdays") from error

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, int):
            return value
        return weekday_mask(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else ",".join(str(day) for day in value)


@WeekdaysField.register_lookup
class HasWeekday(Lookup):
    """`field__has=<weekday>`: the set contains that weekday."""

    lookup_name = "has"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [1 << int(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) != 0", [*lhs_params, *rhs_params]
