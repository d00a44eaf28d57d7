"""The words of after-school service that every part of kehou shares (pure Python).

Values are stable codes stored in the database. The Chinese names here are for text the
pure cores write without Django (compliance shortfalls, calendar notices); pages show the
translatable labels of kehou.core.labels instead.
"""

import enum


class Category(enum.StrEnum):
    """What an offering or a plan's content item is. HOMEWORK and SPORTS are the basic
    services (the "2" of 2+N); the seven extended ones are the "N" (and 004's "X")."""

    HOMEWORK = "homework"  # 作业辅导
    SPORTS = "sports"  # 体育活动
    SCIENCE = "science"  # 科普
    ARTS = "arts"  # 文艺
    LABOUR = "labour"  # 劳动
    READING = "reading"  # 阅读
    FILM = "film"  # 影视欣赏
    INTEREST_GROUP = "interest_group"  # 兴趣小组
    CLUB = "club"  # 社团活动
    EVENING_STUDY = "evening_study"  # 晚自习 (junior)
    EXTENDED_CARE = "extended_care"  # 延时托管
    TUTORING = "tutoring"  # 课业辅导 (答疑, 培优辅差): neither basic nor extended
    OTHER = "other"


BASIC_CATEGORIES = frozenset({Category.HOMEWORK, Category.SPORTS})
EXTENDED_CATEGORIES = frozenset(
    {
        Category.SCIENCE,
        Category.ARTS,
        Category.LABOUR,
        Category.READING,
        Category.FILM,
        Category.INTEREST_GROUP,
        Category.CLUB,
    }
)
# What a menu offers, and what a plan's content lists.
MENU_CATEGORIES = (
    *sorted(BASIC_CATEGORIES, key=list(Category).index),
    *sorted(EXTENDED_CATEGORIES, key=list(Category).index),
    Category.EVENING_STUDY,
    Category.EXTENDED_CARE,
)
PLAN_CATEGORIES = (
    *sorted(BASIC_CATEGORIES, key=list(Category).index),
    *sorted(EXTENDED_CATEGORIES, key=list(Category).index),
    Category.TUTORING,
    Category.OTHER,
)

CATEGORY_NAMES_ZH = {
    Category.HOMEWORK: "作业辅导",
    Category.SPORTS: "体育活动",
    Category.SCIENCE: "科普",
    Category.ARTS: "文艺",
    Category.LABOUR: "劳动",
    Category.READING: "阅读",
    Category.FILM: "影视欣赏",
    Category.INTEREST_GROUP: "兴趣小组",
    Category.CLUB: "社团活动",
    Category.EVENING_STUDY: "晚自习",
    Category.EXTENDED_CARE: "延时托管",
    Category.TUTORING: "课业辅导",
    Category.OTHER: "其他",
}

WEEKDAY_NAMES_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

GRADES = range(1, 13)
GRADE_NAMES_ZH = {
    1: "一年级",
    2: "二年级",
    3: "三年级",
    4: "四年级",
    5: "五年级",
    6: "六年级",
    7: "七年级",
    8: "八年级",
    9: "九年级",
    10: "高一",
    11: "高二",
    12: "高三",
}

# The sentences of an allocation's "why" for a family (kehou.allocation.explain), one per
# choice, in the family's words: no priority pairs, no mechanism names. Each is a
# str.format template over the sentence's parameters (`rank`, `name`, ...); "zh" is the
# text stored with the result, "en" what an English page shows.
EXPLANATION_SENTENCES = {
    "zh": {
        "got": "第{rank}志愿「{name}」：已录取。",
        "got_unlisted": "已获得「{name}」。",
        "second_round": "第一轮没有获得任何志愿，第二轮补录时获得了「{name}」。",
        "fallback": "已为孩子安排基础托管「{name}」，保证放学后有老师照看。",
        "no_choices": "没有填报志愿，暂未安排。",
        "no_seat": "填报的志愿暂时都没有获得名额。",
        "grade": "第{rank}志愿「{name}」：不招收孩子所在的年级。",
        "conflict": "第{rank}志愿「{name}」：与已录取的第{other_rank}志愿「{other}」上课时间相同。",
        "conflict_unlisted": "第{rank}志愿「{name}」：与已获得的「{other}」上课时间相同。",
        "open": "第{rank}志愿「{name}」：现在有空位，已排入候补，有名额时按候补顺序通知您。",
        "no_seats": "第{rank}志愿「{name}」：没有可分配的名额。",
        "full_priority": (
            "第{rank}志愿「{name}」：名额全部录取了政策规定优先保障的孩子"
            "（残疾儿童、留守儿童、随迁子女、家庭经济困难儿童）。"
        ),
        "full_lottery": (
            "第{rank}志愿「{name}」：报名的孩子比名额多，按抽签号从小到大录取，"
            "录取到{cutoff}号，孩子的抽签号是{own}号。"
        ),
        "full_lottery_round": (
            "第{rank}志愿「{name}」：第{round}轮按抽签号从小到大录取，"
            "录取到{cutoff}号，孩子的抽签号是{own}号。"
        ),
        "full_lottery_reverse": (
            "第{rank}志愿「{name}」：第{round}轮按抽签号从大到小录取"
            "（让上一轮排在后面的孩子先选），录取到{cutoff}号，孩子的抽签号是{own}号。"
        ),
        "full_earlier": (
            "第{rank}志愿「{name}」：孩子先获得了排在前面的志愿，轮到这一项时已经满了。"
        ),
        "not_needed": (
            "第{rank}志愿「{name}」：孩子已获得排在前面的志愿"
            "（每位孩子最多参加{k}个拓展项目），这一项不再安排。"
        ),
    },
    "en": {
        "got": "Choice {rank}, “{name}”: a seat is yours.",
        "got_unlisted": "Your child has a seat in “{name}”.",
        "second_round": (
            "No choice could be given in the first round; the second round gave “{name}”."
        ),
        "fallback": (
            "Your child has basic care, “{name}”, so a teacher looks after them after school."
        ),
        "no_choices": "No choices were made, so nothing is arranged yet.",
        "no_seat": "None of the choices has a seat for now.",
        "grade": "Choice {rank}, “{name}”: not open to your child's grade.",
        "conflict": (
            "Choice {rank}, “{name}”: meets at the same time as choice {other_rank}, "
            "“{other}”, which your child got."
        ),
        "conflict_unlisted": (
            "Choice {rank}, “{name}”: meets at the same time as “{other}”, which your child has."
        ),
        "open": (
            "Choice {rank}, “{name}”: it has a free seat now; your child is on its waiting "
            "list and you will be told in waiting-list order."
        ),
        "no_seats": "Choice {rank}, “{name}”: it had no seats to give.",
        "full_priority": (
            "Choice {rank}, “{name}”: every seat went to children the policy serves first "
            "(children with a disability, left-behind or migrant workers' children, "
            "low-income families)."
        ),
        "full_lottery": (
            "Choice {rank}, “{name}”: more children asked than there were seats; seats went "
            "by lottery number from the smallest, up to number {cutoff}; your child's "
            "number is {own}."
        ),
        "full_lottery_round": (
            "Choice {rank}, “{name}”: in round {round} seats went by lottery number from "
            "the smallest, up to number {cutoff}; your child's number is {own}."
        ),
        "full_lottery_reverse": (
            "Choice {rank}, “{name}”: in round {round} seats went by lottery number from "
            "the largest (those last in the round before chose first), down to number "
            "{cutoff}; your child's number is {own}."
        ),
        "full_earlier": (
            "Choice {rank}, “{name}”: your child first got a choice ranked above it, and "
            "by its turn this one was full."
        ),
        "not_needed": (
            "Choice {rank}, “{name}”: your child got choices ranked above it (each child "
            "takes at most {k} extended offerings), so it is not arranged."
        ),
    },
}
