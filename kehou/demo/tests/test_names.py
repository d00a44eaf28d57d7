"""The pure generators: no database."""

import datetime
import random

from kehou.demo import names
from kehou.demo.seed import apportion
from kehou.lib.validators import is_mobile, is_student_number


def test_generated_phones_are_valid_unique_and_never_demo_numbers():
    # given
    phones = names.PhoneSequence()
    # when
    numbers = [next(phones) for _ in range(60_000)]
    # then
    assert len(set(numbers)) == len(numbers)
    assert all(is_mobile(n) for n in numbers)
    assert {n[:2] for n in numbers} <= {"13", "15", "18", "19"}
    assert not any(n.startswith("138") for n in numbers)


def test_student_numbers_look_like_id_numbers_and_do_not_repeat():
    # given
    numbers = names.StudentNumbers()
    born = datetime.date(2016, 3, 5)
    # when
    made = [numbers("371602", born, "M" if i % 2 else "F") for i in range(400)]
    # then
    assert len(set(made)) == 400
    for number in made:
        assert number.startswith("G3716022016030") and len(number) == 19
        assert number[1:].isdigit() and is_student_number(number)


def test_student_number_sequence_parity_gives_the_gender():
    numbers = names.StudentNumbers()
    born = datetime.date(2015, 1, 1)
    assert int(numbers("371603", born, "M")[15:18]) % 2 == 1
    assert int(numbers("371603", born, "F")[15:18]) % 2 == 0


def test_birth_dates_fit_the_grade():
    rng = random.Random(1)
    for grade in range(1, 10):
        for _ in range(50):
            born = names.birth_date_for_grade(rng, grade, 2026)
            # grade 1 in September 2026: born 1 Sep 2019 .. 31 Aug 2020
            assert (
                datetime.date(2019 - grade + 1, 9, 1)
                <= born
                <= datetime.date(2020 - grade + 1, 8, 31)
            )


def test_names_are_chinese_and_two_to_four_characters():
    rng = random.Random(7)
    for generation in ("child", "adult", "elder"):
        for gender in "MF":
            name = names.person_name(rng, gender, generation)
            assert 2 <= len(name) <= 4
            assert all("\u4e00" <= ch <= "\u9fff" for ch in name)


def test_surnames_follow_frequency():
    rng = random.Random(3)
    drawn = [names.surname(rng) for _ in range(5000)]
    assert drawn.count("王") > drawn.count("林") * 5


def test_ordinals():
    assert [names.ordinal(n) for n in (1, 10, 12, 20, 23)] == ["一", "十", "十二", "二十", "二十三"]


def test_apportion_is_exact():
    assert sum(apportion(190_000, [random.Random(i).random() for i in range(362)])) == 190_000
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert apportion(0, [1, 2]) == [0, 0]
