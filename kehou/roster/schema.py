"""The roster workbook (SPEC R3): sheets, columns and how each cell is read.

The sheet names, column headers, choice labels and the help text in the 说明 sheet are
Chinese literals on purpose: they are the file format schools fill in, not UI text, and
a file must import the same whatever language the importing user has chosen. The
reasons given for a bad cell are UI text and go through gettext.

Every parser takes the raw value openpyxl returns (str, int, float, date, datetime, bool
or None) and returns the model value, or raises CellError with the reason.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from kehou.core.spreadsheets import FORMULA_PREFIXES
from kehou.lib.validators import (
    is_mobile,
    is_student_number,
    normalise_mobile,
    normalise_student_number,
)


class CellError(ValueError):
    """A cell's value cannot be used; the message is the reason shown to the school."""


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str  # text | student_number | mobile | date | bool | choice | grade | number | money
    required: bool = False
    # Label shown in the workbook -> model value. The first label of a value is the one
    # written on export; later ones are accepted aliases.
    choices: dict[str, object] = field(default_factory=dict)
    default: object = None  # the value of an empty optional cell
    max_length: int = 0
    help: str = ""
    example: str = ""
    width: int = 14

    def parse(self, raw: object) -> object:
        if _is_blank(raw):
            if self.required:
                raise CellError(_("required, but empty"))
            if self.default is None and self.kind == "text":
                return ""  # text fields are blank strings in the database, never NULL
            return self.default
        return PARSERS[self.kind](self, raw)

    def label_for(self, value: object) -> str:
        for label, choice in self.choices.items():
            if choice == value:
                return label
        return ""

    @property
    def dropdown(self) -> list[str]:
        """The canonical labels, for the template's data validation."""
        seen, labels = set(), []
        for label, value in self.choices.items():
            if value not in seen and label:
                seen.add(value)
                labels.append(label)
        return labels


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    help: str

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _plain_text(raw: object) -> str:
    """Text of a cell; a number typed into Excel comes back as 12.0, which means '12'."""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat()
    text = str(raw).strip()
    # Undo the export's formula escaping, so that export -> import changes nothing.
    if text.startswith("'") and text[1:2] and text[1] in FORMULA_PREFIXES:
        text = text[1:]
    return text


def parse_text(column: Column, raw: object) -> str:
    text = _plain_text(raw)
    if column.max_length and len(text) > column.max_length:
        raise CellError(_("at most %(n)d characters") % {"n": column.max_length})
    return text


def parse_student_number(column: Column, raw: object) -> str:
    text = normalise_student_number(_plain_text(raw))
    if not is_student_number(text):
        raise CellError(_("a student number has 3 to 20 letters or digits"))
    return text


def parse_mobile(column: Column, raw: object) -> str:
    text = normalise_mobile(_plain_text(raw))
    if not is_mobile(text):
        raise CellError(_("not a valid 11-digit mobile number"))
    return text


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_date(column: Column, raw: object) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        value = raw.date()
    elif isinstance(raw, datetime.date):
        value = raw
    else:
        text = _plain_text(raw)
        for fmt in _DATE_FORMATS:
            try:
                value = datetime.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise CellError(_("not a valid date (write it like 2015-03-01)"))
    if not 1900 <= value.year <= 2100:
        raise CellError(_("not a valid date (write it like 2015-03-01)"))
    return value


_YES = {"是", "y", "yes", "true", "1", "√"}
_NO = {"否", "n", "no", "false", "0", "×"}


def parse_bool(column: Column, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _plain_text(raw).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("write 是 or 否"))


def parse_choice(column: Column, raw: object) -> object:
    text = _plain_text(raw)
    if text in column.choices:
        return column.choices[text]
    raise CellError(_("must be one of: %(choices)s") % {"choices": "、".join(column.dropdown)})


_GRADE_WORDS = {
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_JUNIOR = {"初一": 7, "初二": 8, "初三": 9}


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


def ascii_number(text: str, *, digits: int = 4) -> int | None:
    """A whole number of at most `digits` digits typed as ASCII or full-width digits (an
    input method types those), or None. Not str.isdigit() then int(): isdigit accepts
    superscripts ("²") that int() then refuses with an exception, and int() accepts other
    scripts' digits, underscores and spaces."""
    text = text.strip().translate(_FULL_WIDTH_DIGITS)
    if re.fullmatch(rf"[0-9]{{1,{digits}}}", text, re.ASCII):
        return int(text)
    return None


def parse_grade(column: Column, raw: object) -> int:
    text = _plain_text(raw).replace(" ", "")
    if text in _JUNIOR:
        return _JUNIOR[text]
    text = text.removesuffix("年级")
    if text in _GRADE_WORDS:
        return _GRADE_WORDS[text]
    value = ascii_number(text)
    if value is not None and 1 <= value <= 9:
        return value
    raise CellError(_("a grade is 1 to 9, or 一年级 to 九年级"))


def parse_number(column: Column, raw: object) -> int:
    value = ascii_number(_plain_text(raw).replace(" ", "").removesuffix("班"))
    if value is not None and 1 <= value <= 99:
        return value
    raise CellError(_("a whole number from 1 to 99"))


_AMOUNT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,20})?", re.ASCII)


def parse_money(column: Column, raw: object) -> Decimal:
    text = _plain_text(raw).removesuffix("元").strip().translate(_FULL_WIDTH_DIGITS)
    if not _AMOUNT.fullmatch(text):
        raise CellError(_("an amount in yuan, such as 60 or 62.5"))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CellError(_("an amount in yuan, such as 60 or 62.5")) from None
    if not value.is_finite() or not 0 <= value <= Decimal("999999.99"):
        raise CellError(_("an amount in yuan, such as 60 or 62.5"))
    return value.quantize(Decimal("0.01"))


PARSERS = {
    "text": parse_text,
    "student_number": parse_student_number,
    "mobile": parse_mobile,
    "date": parse_date,
    "bool": parse_bool,
    "choice": parse_choice,
    "grade": parse_grade,
    "number": parse_number,
    "money": parse_money,
}

_YES_NO = {"是": True, "否": False}

GENDERS = {"男": "M", "女": "F"}
RELATIONS = {
    "父亲": "father",
    "母亲": "mother",
    "祖父": "grandfather",
    "祖母": "grandmother",
    "其他": "other",
    "爸爸": "father",
    "妈妈": "mother",
    "爷爷": "grandfather",
    "奶奶": "grandmother",
    "外祖父": "grandfather",
    "外祖母": "grandmother",
    "外公": "grandfather",
    "外婆": "grandmother",
}
STAFF_KINDS = {"本校教师": "school_teacher", "外聘人员": "external"}
EXTERNAL_KINDS = {
    "退休教师": "retired_teacher",
    "家长": "parent",
    "大学生": "university_student",
    "教练": "coach",
    "民间艺人": "folk_artist",
    "能工巧匠": "craftsman",
    "非遗传承人": "heritage_inheritor",
    "专业人士": "professional",
    "志愿者": "volunteer",
}
CHECK_RESULTS = {"通过": "passed", "未通过": "failed", "待审查": "pending"}
LOW_INCOME = {"建档立卡": "poverty_file", "低保": "dibao"}

CLASSES = SheetSpec(
    "班级",
    (
        Column("年级", "grade", "grade", required=True, help="1-9 或 一年级…九年级", example="3"),
        Column("班号", "number", "number", required=True, help="1-99", example="1"),
        Column(
            "班主任手机号",
            "head_teacher_phone",
            "mobile",
            help="可空；须是本表「教职工」中或系统里已有的本校教职工",
            example="13800001111",
            width=16,
        ),
    ),
    "本学年的班级。学生所在的班级须在此表中或系统里已有。",
)

STUDENTS = SheetSpec(
    "学生",
    (
        Column(
            "学籍号",
            "student_number",
            "student_number",
            required=True,
            help="全国学籍号或学校自编号，3-20位字母或数字；同一文件内不得重复",
            example="G320506201501010011",
            width=22,
        ),
        Column("姓名", "name", "text", required=True, max_length=50, example="王小明"),
        Column("性别", "gender", "choice", required=True, choices=GENDERS, example="男", width=8),
        Column("出生日期", "birth_date", "date", help="可空；如 2015-03-01", example="2015-03-01"),
        Column("年级", "grade", "grade", required=True, help="1-9 或 一年级…九年级", example="3"),
        Column("班号", "number", "number", required=True, example="1", width=8),
        Column("住校", "is_boarder", "bool", choices=_YES_NO, default=False, example="否", width=8),
        Column(
            "残疾", "has_disability", "bool", choices=_YES_NO, default=False, example="否", width=8
        ),
        Column("留守儿童", "is_left_behind", "bool", choices=_YES_NO, default=False, example="否"),
        Column(
            "随迁子女", "is_migrant_child", "bool", choices=_YES_NO, default=False, example="否"
        ),
        Column(
            "家庭经济困难",
            "low_income_basis",
            "choice",
            choices=LOW_INCOME,
            default="",
            help="空、建档立卡 或 低保",
            example="",
            width=16,
        ),
    ),
    "学生名单。以学籍号识别学生：已有的更新，没有的新增；文件中没有的学生不会被删除。"
    "是/否 列留空按「否」处理。",
)

GUARDIANS = SheetSpec(
    "监护人",
    (
        Column(
            "学籍号",
            "student_number",
            "student_number",
            required=True,
            help="须在「学生」表中或系统里已有",
            example="G320506201501010011",
            width=22,
        ),
        Column("姓名", "name", "text", required=True, max_length=50, example="王大明"),
        Column(
            "关系", "relation", "choice", required=True, choices=RELATIONS, example="父亲", width=8
        ),
        Column(
            "手机号",
            "phone",
            "mobile",
            required=True,
            help="11位手机号；以手机号识别监护人，同一手机号须是同一姓名",
            example="13900001111",
            width=16,
        ),
        Column(
            "主要联系人",
            "is_primary",
            "bool",
            choices=_YES_NO,
            default=False,
            help="每名学生最多一位；留空为否",
            example="是",
        ),
        Column(
            "可接送",
            "may_collect",
            "bool",
            choices=_YES_NO,
            default=True,
            help="留空为是",
            example="是",
            width=8,
        ),
    ),
    "学生的监护人，一行一位监护人与一名学生的关系；兄弟姐妹共用同一手机号的监护人。",
)

STAFF = SheetSpec(
    "教职工",
    (
        Column("姓名", "name", "text", required=True, max_length=50, example="李老师"),
        Column(
            "手机号",
            "phone",
            "mobile",
            required=True,
            help="以手机号识别教职工；同一文件内不得重复",
            example="13800001111",
            width=16,
        ),
        Column("性别", "gender", "choice", choices=GENDERS, default="", example="女", width=8),
        Column("类别", "kind", "choice", required=True, choices=STAFF_KINDS, example="本校教师"),
        Column("任教学科", "subjects", "text", max_length=100, example="语文、数学"),
        Column(
            "外聘类型",
            "external_kind",
            "choice",
            choices=EXTERNAL_KINDS,
            default="",
            help="外聘人员必填，本校教师不填：" + "、".join(EXTERNAL_KINDS),
            example="",
        ),
        Column("资质", "qualification", "text", max_length=100, help="如 教师资格证、教练证"),
        Column("背景审查日期", "background_check_date", "date", example=""),
        Column(
            "背景审查结果",
            "background_check_result",
            "choice",
            choices=CHECK_RESULTS,
            default="",
            help="通过、未通过 或 待审查；通过即无违法违规记录",
        ),
        Column("协议开始日期", "agreement_start", "date"),
        Column("协议结束日期", "agreement_end", "date", help="不得早于协议开始日期"),
        Column("课时报酬(元)", "pay_per_class_hour", "money", help="每课时报酬，如 60"),
        Column("报酬约定", "pay_terms", "text", max_length=200, width=20),
        Column(
            "所属机构统一社会信用代码",
            "credit_code",
            "text",
            max_length=18,
            help="外聘人员经校外机构派出时填写；机构须已由教育局登记",
            width=24,
        ),
    ),
    "本校教师和外聘人员（退休教师、家长、大学生、教练、民间艺人、能工巧匠、非遗传承人等）。",
)

COLLECTORS = SheetSpec(
    "授权接送人",
    (
        Column(
            "学籍号",
            "student_number",
            "student_number",
            required=True,
            help="须在「学生」表中或系统里已有",
            example="G320506201501010011",
            width=22,
        ),
        Column("姓名", "name", "text", required=True, max_length=50, example="张阿姨"),
        Column("与学生关系", "relation", "text", required=True, max_length=30, example="邻居"),
        Column("手机号", "phone", "mobile", required=True, example="13700001111", width=16),
        Column("有效期至", "valid_until", "date", help="可空；空为长期有效", example="2027-07-15"),
    ),
    "监护人以外可接孩子的人（可选表）。",
)

# In the order they are applied: staff before classes (head teachers), classes before
# students, students before guardians and collectors.
SHEETS: tuple[SheetSpec, ...] = (CLASSES, STUDENTS, GUARDIANS, STAFF, COLLECTORS)
SHEETS_BY_NAME = {s.name: s for s in SHEETS}
HELP_SHEET = "说明"

GENERAL_HELP = (
    "本文件用于导入本校的班级、学生、监护人、教职工和授权接送人。",
    "每张表的第一行是列名，请勿修改或删除；从第二行起每行一条记录。示例见下表「示例」列。",
    "不需要的表可以整张删除；系统以学籍号、手机号识别已有记录：已有的更新，没有的新增。",
    "文件中没有出现的学生、监护人、教职工不会被删除。",
    "只要有一处错误，整个文件都不会导入；请按错误清单（表名、行号、列名、原因）改正后重新上传。",
    "同一文件重复导入不会产生任何变化。",
    "班级和学生的分班记入当前学年（导入页面或命令可另选学年）。",
    "手机号、学籍号请按文本填写，以免 Excel 把它们变成科学计数法。",
)

_SPACES = re.compile(r"\s+")


def normalise_header(text: object) -> str:
    """Headers as people retype them: full-width brackets, stray spaces."""
    text = _SPACES.sub("", str(text or ""))
    return text.replace("（", "(").replace("）", ")")
