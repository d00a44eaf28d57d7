"""Phones and student/ID numbers in one stored form (issue 8, item 5). No database."""

import pytest

from kehou.lib.validators import (
    is_mobile,
    is_region_code,
    is_school_code,
    is_student_number,
    normalise_identifier,
    normalise_mobile,
    normalise_student_number,
)


@pytest.mark.parametrize(
    "typed",
    [
        "13800000001",
        "138 0000 0001",
        "138-0000-0001",
        "+86 138 0000 0001",
        "8613800000001",
        "13800000001.0",
        "１３８００００００01",  # full-width digits
        "١٣٨٠٠٠٠٠٠٠١",  # Arabic-Indic digits
        "۱۳۸۰۰۰۰۰۰۰۱",  # Persian (extended Arabic-Indic) digits
        "१३८००००००01",  # Devanagari digits
        "138\u200b0000\u200d0001",  # zero-width space and joiner
        "\ufeff13800000001",  # byte-order mark
        "\u200e13800000001\u200f",  # direction marks
        "138\u30000000\u00a00001",  # ideographic and no-break space
        "138－0000—0001",  # full-width hyphen, em dash
        " 13800000001\t",
    ],
)
def test_every_way_of_typing_a_phone_comes_to_one_ascii_number(typed):
    phone = normalise_mobile(typed)
    assert phone == "13800000001"
    assert is_mobile(phone)


def test_the_activated_arabic_indic_number_becomes_ascii():
    assert normalise_mobile("137٠٠٠٠٨٨٠٤") == "13700008804"


@pytest.mark.parametrize(
    "value",
    [
        "137٠٠٠٠٨٨٠٤",  # not normalised: only ASCII digits pass the check
        "１３８００００００01",
        "13800000001\n",  # "$" would let a trailing newline through
        "1380000000a",
        "12800000001",
        "1380000000",
        "138000000012",
        "",
        None,
        13800000001,
    ],
)
def test_is_mobile_accepts_only_eleven_ascii_digits(value):
    assert not is_mobile(value)


@pytest.mark.parametrize("value", ["138000000O1", "1380000000〇", "电话13800000001"])
def test_what_is_not_a_digit_stays_and_is_refused(value):
    assert not is_mobile(normalise_mobile(value))


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("G320500201901010001", "G320500201901010001"),
        ("Ｇ３２０５００２０１９０１０１０００１", "G320500201901010001"),
        ("G٣٢٠٥٠٠٢٠١٩٠١٠١٠٠٠١", "G320500201901010001"),
        ("\u200bG320500201901010001 ", "G320500201901010001"),
        ("G 3205 0020 1901 0100 01", "G320500201901010001"),
    ],
)
def test_student_numbers_are_normalised_the_same_way(typed, stored):
    assert normalise_student_number(typed) == stored
    assert is_student_number(normalise_student_number(typed))


@pytest.mark.parametrize("value", ["Ｇ3205", "G3205\n", "学籍号123", "G-12345"])
def test_is_student_number_is_ascii_only(value):
    assert not is_student_number(value)


def test_codes_are_ascii_only():
    assert is_school_code("3205060001")
    assert not is_school_code("３２０５０６０００１")
    assert not is_school_code("3205060001\n")
    assert is_region_code("320506")
    assert not is_region_code("٣٢٠٥٠٦")


def test_normalise_identifier_keeps_letters_and_removes_only_invisible_things():
    assert normalise_identifier("\u2060Ab\u00ad1\u0007") == "Ab1"
    assert normalise_identifier(None) == ""
