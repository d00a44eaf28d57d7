"""Roster import benchmark (SPEC R3): 3,000 students, their guardians and ~150 staff.

    .venv/bin/python bench/roster_import.py                 # SQLite in a temp directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/roster_import.py

On PostgreSQL it drops and recreates a database named kehou_bench on that server. It
prints figures and asserts nothing about time.
"""

import datetime
import io
import os
import random
import resource
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")

from throwaway_db import prepare_throwaway_database  # noqa: E402

N_STUDENTS = 3000
N_STAFF = 150
CLASSES_PER_GRADE = 10  # 9 grades x 10 classes x ~33 students


def _rows(rng: random.Random):
    from kehou.roster.schema import CLASSES, GUARDIANS, STAFF, STUDENTS

    def row(spec, **values):
        return [values.get(c.key) for c in spec.columns]

    staff = []
    for i in range(N_STAFF):
        external = i % 3 == 0
        staff.append(
            row(
                STAFF,
                name=f"教师{i:03d}",
                phone=f"136{i:08d}",
                gender=rng.choice(["男", "女"]),
                kind="外聘人员" if external else "本校教师",
                subjects="" if external else rng.choice(["语文", "数学", "英语", "体育"]),
                external_kind=rng.choice(["教练", "退休教师", "大学生"]) if external else "",
                background_check_result="通过" if external else "",
                agreement_start=datetime.date(2026, 9, 1) if external else None,
                agreement_end=datetime.date(2027, 7, 10) if external else None,
                pay_per_class_hour=80 if external else None,
            )
        )
    classes = [
        row(CLASSES, grade=g, number=n, head_teacher_phone=f"136{(g * 10 + n) % N_STAFF:08d}")
        for g in range(1, 10)
        for n in range(1, CLASSES_PER_GRADE + 1)
    ]
    students, guardians = [], []
    guardian_no = 0
    for i in range(N_STUDENTS):
        number = f"G3205062015{i:08d}"
        students.append(
            row(
                STUDENTS,
                student_number=number,
                name=f"学生{i:04d}",
                gender=rng.choice(["男", "女"]),
                birth_date=datetime.date(2012 + i % 9, 1 + i % 12, 1 + i % 28),
                grade=1 + i % 9,
                number=1 + (i // 9) % CLASSES_PER_GRADE,
                is_boarder="是" if i % 10 == 0 else "否",
                has_disability="否",
                is_left_behind="是" if i % 7 == 0 else "否",
                is_migrant_child="否",
                low_income_basis="低保" if i % 25 == 0 else "",
            )
        )
        # ~5,000 guardian rows: two parents for two children in three, one for the rest.
        for relation in ["父亲", "母亲"][: 2 if i % 3 else 1]:
            guardian_no += 1
            guardians.append(
                row(
                    GUARDIANS,
                    student_number=number,
                    name=f"家长{guardian_no:05d}",
                    relation=relation,
                    phone=f"139{guardian_no:08d}",
                    is_primary="是" if relation == "父亲" else "否",
                    may_collect="是",
                )
            )
    return {
        "班级": classes,
        "学生": students,
        "监护人": guardians,
        "教职工": staff,
    }


def _timed(func):
    started = time.perf_counter()
    result = func()
    return result, time.perf_counter() - started


def _traced_peak(func) -> int:
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    where = prepare_throwaway_database("kehou_bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from kehou.org.access import SYSTEM
    from kehou.org.models import Region, School
    from kehou.roster.services import roster_import
    from kehou.roster.workbook import build_workbook

    city = Region.objects.create(code="320500", name="苏州市", level=Region.Level.CITY)
    county = Region.objects.create(code="320506", name="吴中区", level="county", parent=city)
    school = School.objects.create(
        code="3205060099", name="基准九年一贯制学校", region=county, school_type="nine_year"
    )
    rows = _rows(random.Random(2026))
    started = time.perf_counter()
    data = build_workbook(rows)
    build_seconds = time.perf_counter() - started
    total_rows = sum(len(r) for r in rows.values())
    print(f"database: {where}")
    print(
        f"workbook: {len(data) / 1024:.0f} KiB, {total_rows} rows "
        f"({len(rows['学生'])} students, {len(rows['监护人'])} guardian rows, "
        f"{len(rows['教职工'])} staff, {len(rows['班级'])} classes), built in {build_seconds:.2f} s"
    )

    # tracemalloc slows Python down several times, so memory is measured on a dry run
    # (the same validation and writes, rolled back) and the timed runs are untraced.
    dry_peak = _traced_peak(
        lambda: roster_import(school=school, data=data, actor=SYSTEM, dry_run=True)
    )
    first, first_s = _timed(lambda: roster_import(school=school, data=data, actor=SYSTEM))
    assert first.ok, first.lines()[:10]
    print(f"first import:  {first_s:6.2f} s  {total_rows / first_s:8.0f} rows/s")
    for line in first.lines()[:-1]:
        print("   ", line)
    print(f"peak traced memory of a first import (dry run): {dry_peak / 1024 / 1024:.1f} MiB")
    again, again_s = _timed(lambda: roster_import(school=school, data=data, actor=SYSTEM))
    assert again.ok and again.changed == 0, again.lines()
    print(
        f"re-import:     {again_s:6.2f} s  {total_rows / again_s:8.0f} rows/s  "
        f"({again_s / first_s:.2f} x the first import; {again.changed} changes)"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process peak RSS (ru_maxrss): {rss / 1024:.0f} MiB")
    for name, hostile in _hostile_files(data):
        report, seconds = _timed(
            lambda h=hostile: roster_import(school=school, data=h, actor=SYSTEM)
        )
        assert not report.ok
        print(
            f"refusing {name} ({len(hostile) / 1024:.0f} KiB): {seconds * 1000:6.0f} ms "
            f"({seconds / first_s:.3f} x a valid import) - {report.errors[0].reason[:60]}"
        )


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename not in replace:
                dst.writestr(item, src.read(item.filename))
        for name, body in replace.items():
            dst.writestr(name, body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _hostile_files(data: bytes) -> list[tuple[str, bytes]]:
    """A zip bomb (50 MiB of zeros in a small file) and a billion-laughs sheet: refused
    before parsing, so in a fraction of a valid import's time (kehou/roster/workbook.py)."""
    bomb = _rezip(data, {"xl/media/bomb.bin": b"\0" * (50 * 1024 * 1024)})
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    lol = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">{entities}]>\n'.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet3.xml")
    body = sheet.split(b"?>", 1)[-1].replace(
        b"<sheetData>",
        b'<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
        1,
    )
    laughs = _rezip(data, {"xl/worksheets/sheet3.xml": lol + body})
    return [("a zip bomb", bomb), ("a billion-laughs sheet", laughs)]


if __name__ == "__main__":
    main()
