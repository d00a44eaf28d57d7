"""Summing numbers inside SchoolMonth's JSON breakdowns in the database.

`by_grade` is keyed by grade numbers ("3"), which Django's key transforms read as array
indexes on SQLite (`$[3]`), so the path is written here, quoted, for both backends.
"""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, Sum
from django.db.models.functions import Coalesce


class JsonInt(Func):
    """The integer at `key` → `part` of a JSON object column, NULL when absent."""

    output_field = IntegerField()

    def __init__(self, column: str, key: str, part: str):
        self.key, self.part = str(key), str(part)
        super().__init__(F(column))

    def _column(self, compiler):
        return compiler.compile(self.source_expressions[0])

    def as_sql(self, compiler, connection, **extra):
        sql, params = self._column(compiler)
        path = '$."{}"."{}"'.format(self.key.replace('"', ""), self.part.replace('"', ""))
        return f"CAST(JSON_EXTRACT({sql}, %s) AS INTEGER)", (*params, path)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = self._column(compiler)
        return f"(({sql} -> %s ->> %s))::integer", (*params, self.key, self.part)


def json_sum(column: str, key: str, part: str) -> Sum:
    return Coalesce(Sum(JsonInt(column, key, part)), 0)


def total(field: str):
    return Coalesce(Sum(field), 0)
