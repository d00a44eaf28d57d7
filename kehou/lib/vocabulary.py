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
