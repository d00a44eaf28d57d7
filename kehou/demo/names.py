"""Plausible Chinese names, schools, addresses and identifiers for the demo city.

Pure Python, no Django: every function takes a seeded `random.Random`, so the same seed
always yields the same city. Nothing here is a real person; place names are real
townships of 滨州市 so the demo reads like the city in seed 004.
"""

import datetime
import random
from dataclasses import dataclass, field

# Surnames with their approximate share of the population (per mille, 2020 census, with
# the northern weighting of Shandong: more 王/张/李/刘, fewer 林/罗/梁).
SURNAMES: dict[str, float] = {
    "王": 80, "李": 75, "张": 75, "刘": 58, "陈": 38, "杨": 30, "黄": 18, "赵": 25,
    "吴": 18, "周": 17, "徐": 15, "孙": 20, "马": 14, "朱": 12, "胡": 11, "郭": 13,
    "何": 8, "高": 14, "林": 5, "罗": 5, "郑": 9, "梁": 6, "谢": 5, "宋": 10,
    "唐": 5, "许": 7, "韩": 9, "冯": 7, "邓": 4, "曹": 8, "彭": 4, "曾": 3,
    "肖": 4, "田": 8, "董": 9, "袁": 4, "潘": 3, "于": 10, "蒋": 3, "蔡": 3,
    "余": 3, "杜": 6, "叶": 3, "程": 5, "苏": 4, "魏": 6, "吕": 5, "丁": 6,
    "任": 5, "沈": 3, "姚": 3, "卢": 4, "姜": 7, "崔": 6, "钟": 2, "谭": 2,
    "陆": 2, "汪": 2, "范": 4, "金": 3, "石": 4, "贾": 5, "付": 4, "商": 2,
    "薄": 1, "牟": 1, "邢": 3, "孟": 4, "耿": 2, "房": 2, "隋": 1, "盖": 1,
}  # fmt: skip
_SURNAME_LIST = list(SURNAMES)
_SURNAME_CUM = []
_total = 0.0
for _weight in SURNAMES.values():
    _total += _weight
    _SURNAME_CUM.append(_total)

# Given-name characters by generation and gender: children born 2008-2020, parents born
# 1975-1995, grandparents born 1950-1965 were named in different fashions.
GIVEN = {
    ("child", "M"): "浩宇轩子俊杰博文明晨睿泽一铭昊然磊鹏鑫阳嘉豪航凯翔天佑梓皓辰逸奕宸恒锦烨瑞安"
    "诚哲毅远钧霖煜祺承硕彬乐言宁朗熙淳",
    ("child", "F"): "欣怡梓涵雨萱思琪佳悦诗雅婷可馨语彤若汐梦瑶紫一诺静晗雪琳芮依娜妍"
    "心沐晴月安然希舒蕊柠菲露茜桐",
    ("adult", "M"): "伟强军勇磊涛斌刚超明辉鹏飞杰建华峰亮波宁海东林志国庆永春新晓文",
    ("adult", "F"): "丽静娟敏燕艳霞芳玲红萍娜婷丹莉洁雪倩晶慧颖晓春梅琳华玉凤秀青",
    ("elder", "M"): "建国庆华民军德福成贵忠发胜友全明立新志学永生荣清",
    ("elder", "F"): "秀英桂兰玉兰淑珍凤英秀珍桂英玉梅秀兰桂芝凤兰淑英素芳",
}
# Elder female names are mostly the classic pairs, not free combinations.
ELDER_FEMALE_PAIRS = [
    "秀英", "桂兰", "玉兰", "淑珍", "凤英", "秀珍", "桂英", "玉梅", "秀兰", "桂芝",
    "凤兰", "淑英", "素芳", "玉珍", "金凤", "春兰", "玉芝", "秀云", "翠花", "兰英",
]  # fmt: skip


def surname(rng: random.Random) -> str:
    """A surname drawn by frequency."""
    x = rng.random() * _total
    lo, hi = 0, len(_SURNAME_CUM) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if _SURNAME_CUM[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return _SURNAME_LIST[lo]


def given_name(rng: random.Random, gender: str, generation: str = "child") -> str:
    """One or two characters; about a quarter of names have one."""
    if generation == "elder" and gender == "F":
        return rng.choice(ELDER_FEMALE_PAIRS)
    pool = GIVEN[(generation, gender)]
    if rng.random() < 0.25:
        return rng.choice(pool)
    first = rng.choice(pool)
    second = rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return first + second


def person_name(
    rng: random.Random, gender: str, generation: str = "child", family: str | None = None
) -> str:
    return (family or surname(rng)) + given_name(rng, gender, generation)


# --- places -------------------------------------------------------------------------


@dataclass(frozen=True)
class County:
    code: str
    name: str
    seat: str  # the county town's sub-district (urban schools)
    urban_towns: list[str]
    towns: list[str]  # rural townships
    streets: list[str]
    villages: list[str] = field(default_factory=list)


CITY_CODE = "371600"
CITY_NAME = "滨州市"

COUNTIES = [
    County(
        code="371602",
        name="滨城区",
        seat="市中街道",
        urban_towns=["市中街道", "市西街道", "市东街道", "彭李街道", "北镇街道", "滨北街道"],
        towns=["杨柳雪镇", "三河湖镇", "秦皇台乡", "里则街道", "杜店街道", "沙河街道"],
        streets=[
            "黄河二路",
            "黄河五路",
            "黄河八路",
            "黄河十二路",
            "渤海七路",
            "渤海十路",
            "渤海十八路",
            "渤海二十一路",
            "长江三路",
            "长江六路",
            "新立河西路",
            "梧桐五路",
        ],  # fmt: skip
    ),
    County(
        code="371603",
        name="沾化区",
        seat="富国街道",
        urban_towns=["富国街道", "富源街道"],
        towns=["黄升镇", "下洼镇", "古城镇", "冯家镇", "泊头镇", "大高镇", "滨海镇", "利国乡"],
        streets=["富国路", "金海五路", "恒业一路", "胜利路", "永安街", "新城路"],
    ),
    County(
        code="371621",
        name="惠民县",
        seat="孙武街道",
        urban_towns=["孙武街道", "武定府街道", "何坊街道"],
        towns=[
            "石庙镇",
            "桑落墅镇",
            "淄角镇",
            "胡集镇",
            "李庄镇",
            "麻店镇",
            "魏集镇",
            "清河镇",
            "姜楼镇",
            "辛店镇",
            "大年陈镇",
            "皂户李镇",
        ],  # fmt: skip
        streets=["鼓楼街", "乐安大街", "南外环路", "武圣路", "肖家路", "孙子大道"],
    ),
]

VILLAGE_STEMS = [
    "刘家", "王家", "张家", "李家", "大赵", "小赵", "孙家", "后杨", "前杨", "东马",
    "西马", "高家", "徐家", "韩家", "北郭", "南郭", "崔家", "吕家", "丁家", "于家",
]  # fmt: skip
VILLAGE_SUFFIX = ["村", "庄", "屯", "集"]


def village(rng: random.Random) -> str:
    return rng.choice(VILLAGE_STEMS) + rng.choice(VILLAGE_SUFFIX)


def urban_address(rng: random.Random, county: County, town: str) -> str:
    return f"{CITY_NAME}{county.name}{town}{rng.choice(county.streets)}{rng.randint(1, 899)}号"


def rural_address(rng: random.Random, county: County, town: str, place: str | None = None) -> str:
    return f"{CITY_NAME}{county.name}{town}{place or village(rng)}"


CHINESE_NUMERALS = "零一二三四五六七八九十"


def ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (enough for school numbers)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 10]
    tens, ones = divmod(n, 10)
    return CHINESE_NUMERALS[tens] + "十" + (CHINESE_NUMERALS[ones] if ones else "")


# --- people's identifiers -----------------------------------------------------------

# Generated mobile numbers use these prefixes (China Mobile, Unicom, Telecom).
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "185", "186", "187", "189",
    "191", "193", "195", "198", "199",
]  # fmt: skip
# The fixed demo logins live under 138 0000 ...; generated numbers never use 138.
_BODY_SPACE = 10**8
_BODY_STEP = 38_462_113  # coprime with 10**8: a bijection that scatters the counter


class PhoneSequence:
    """Unique, plausible 11-digit mobile numbers derived from a counter.

    Number n uses prefix n mod len(prefixes) and an eight-digit body that is a
    bijection of n div len(prefixes), so numbers never repeat (up to 3 billion) and do not
    look sequential.
    """

    def __init__(self, offset: int = 0) -> None:
        self.counter = offset

    def __next__(self) -> str:
        n = self.counter
        self.counter += 1
        prefix = MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)]
        k = n // len(MOBILE_PREFIXES)
        body = (k * _BODY_STEP + 12_345_679) % _BODY_SPACE
        return f"{prefix}{body:08d}"

    def __iter__(self):
        return self


# Birthplaces of migrant children (随迁子女): region codes outside the city.
MIGRANT_BIRTH_REGIONS = [
    "370102", "370211", "370602", "371302", "370902",  # elsewhere in Shandong
    "410102", "130102", "340102", "220102", "230102",  # Henan, Hebei, Anhui, Jilin, Heilongjiang
]  # fmt: skip


class StudentNumbers:
    """学籍号: "G" + an ID-number-like 18 digits: birthplace code (6), birth date (8), a
    3-digit sequence whose parity gives the gender (odd male, even female) as in an ID
    number, and a check digit. Unique across the whole city."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, datetime.date, str], int] = {}

    def __call__(self, region_code: str, birth_date: datetime.date, gender: str) -> str:
        key = (region_code, birth_date, gender)
        seq = self._next.get(key, 1 if gender == "M" else 2)
        if seq > 999:
            raise ValueError("more than 500 children of one gender born on one day in one place")
        self._next[key] = seq + 2
        body = f"{region_code}{birth_date:%Y%m%d}{seq:03d}"
        check = sum(int(d) * w for d, w in zip(body, _CHECK_WEIGHTS, strict=True)) % 10
        return f"G{body}{check}"


_CHECK_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def birth_date_for_grade(
    rng: random.Random, grade: int, school_year_start: int, *, held_back: bool = False
) -> datetime.date:
    """A child in grade 1 in September of year Y turned 6 by 31 August of Y: born between
    1 September Y-7 and 31 August Y-6. Grade g is g-1 years older; a child held back or
    started late is one year older still."""
    last = datetime.date(school_year_start - 5 - grade, 8, 31)
    if held_back:
        last = last.replace(year=last.year - 1)
    first = datetime.date(last.year - 1, 9, 1)
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def credit_code(rng: random.Random, region_code: str) -> str:
    """统一社会信用代码: 18 characters; companies start 91, then the region code."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "91" + region_code + "".join(rng.choice(alphabet) for _ in range(10))
