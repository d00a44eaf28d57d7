"""The template's notes name the values a school types: each must be one the import takes."""

import re

from kehou.roster.schema import SHEETS


def _named_values(help_text: str) -> list[str]:
    """The values a note lists: its first clause (before "；"), after any "...：" lead-in,
    split at "、" and " 或 "; "空" (leave the cell blank) is not a value."""
    clause = help_text.split("；")[0].split("：")[-1]
    return [v.strip() for v in re.split(r"、| 或 ", clause) if v.strip() and v.strip() != "空"]


def test_every_value_a_choice_note_names_is_accepted_by_the_import():
    wrong = [
        (sheet.name, column.header, value)
        for sheet in SHEETS
        for column in sheet.columns
        if column.kind == "choice" and column.help
        for value in _named_values(column.help)
        if value not in column.choices
    ]
    assert wrong == []
