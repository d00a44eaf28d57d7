"""Building roster workbooks for tests."""

import datetime

from kehou.roster.schema import CLASSES, COLLECTORS, GUARDIANS, STAFF, STUDENTS, SheetSpec
from kehou.roster.workbook import build_workbook


def row(spec: SheetSpec, **values) -> list:
    return [values.get(c.key) for c in spec.columns]


def workbook(rows: dict[str, list[list]]) -> bytes:
    return build_workbook(rows)


def sample_rows() -> dict[str, list[list]]:
    """A small but complete roster for the `north` persona school (grades 1-6)."""
    return {
        CLASSES.name: [
            row(CLASSES, grade=3, number=1, head_teacher_phone="13800000002"),
            row(CLASSES, grade="四年级", number=2, head_teacher_phone="13600000001"),
        ],
        STUDENTS.name: [
            row(
                STUDENTS,
                student_number="G320506201501010011",
                name="张一",
                gender="男",
                birth_date=datetime.date(2016, 3, 1),
                grade=3,
                number=1,
                is_boarder="否",
                has_disability="否",
                is_left_behind="是",
                is_migrant_child="否",
                low_income_basis="低保",
            ),
            row(
                STUDENTS,
                student_number="G320506201501010012",
                name="张二",
                gender="女",
                birth_date="2015-05-02",
                grade="四年级",
                number=2,
            ),
        ],
        GUARDIANS.name: [
            row(
                GUARDIANS,
                student_number="G320506201501010011",
                name="张父",
                relation="父亲",
                phone="13900001111",
                is_primary="是",
                may_collect="是",
            ),
            row(
                GUARDIANS,
                student_number="G320506201501010012",
                name="张父",
                relation="父亲",
                phone="13900001111",
                is_primary="是",
            ),
            row(
                GUARDIANS,
                student_number="G320506201501010012",
                name="李母",
                relation="母亲",
                phone="13900002222",
            ),
        ],
        STAFF.name: [
            row(
                STAFF,
                name="王老师",
                phone="13600000001",
                gender="女",
                kind="本校教师",
                subjects="语文",
            ),
            row(
                STAFF,
                name="赵教练",
                phone="13600000002",
                gender="男",
                kind="外聘人员",
                external_kind="教练",
                qualification="二级教练员",
                background_check_date=datetime.date(2026, 8, 1),
                background_check_result="通过",
                agreement_start=datetime.date(2026, 9, 1),
                agreement_end=datetime.date(2027, 7, 10),
                pay_per_class_hour=80,
                pay_terms="按课时，每月结算",
            ),
        ],
        COLLECTORS.name: [
            row(
                COLLECTORS,
                student_number="G320506201501010011",
                name="邻居刘",
                relation="邻居",
                phone="13700001111",
                valid_until=datetime.date(2027, 7, 15),
            ),
        ],
    }


def set_cell(rows: dict, spec: SheetSpec, index: int, key: str, value) -> None:
    """Change one cell of the `index`-th data row (Excel row index + 2)."""
    rows[spec.name][index][spec.headers.index(spec.column(key).header)] = value
