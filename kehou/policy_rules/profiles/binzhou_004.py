"""滨州市 (seed 004, a news report): two accepted content modes, 30+X or weekly club days.

Seed 004 reports practice rather than setting numbers: it is silent on days per week,
minutes per day, end time, evening study, vacation opening, the pay floor and homework.
Fees follow a standard set by the price authority and approved by the government; the
amount is not given, so no fee rule is set until the bureau enters it.
"""

from ..model import Category, Citation, ContentModel, ProfileRules, Rule

SEED = "004_e9c4a189c54b2d60"

THIRTY_PLUS_X = ContentModel(
    "30+X", basic=frozenset({Category.HOMEWORK}), min_extended=1, homework_minutes=30
)
WEEKLY_CLUBS = ContentModel(
    "每周1-2天社团", basic=frozenset({Category.HOMEWORK}), min_extended=1, club_days=(1, 2)
)

PROFILE = ProfileRules(
    key="binzhou_004",
    locality="山东省滨州市",
    content_models=Rule(
        (THIRTY_PLUS_X, WEEKLY_CLUBS),
        Citation(
            SEED,
            "「兩種開展形式+兩種服務模式」讓學生享受高質量課後服務",
            "其一為「30+X」模式,用30分鐘的時間輔導學生做作業,之後的時間交給學生,"
            "讓學生根據自己的興趣愛好自主選擇課後服務的內容;另一種方式為每周選擇一到兩天"
            "集中組織學生開展社團活動,其餘的時間主要用來讓學生做作業。",
            note="两种模式任选其一;“30”读作每天至少30分钟作业辅导,“X”至少1项自选拓展服务",
        ),
    ),
    notes=(
        "服务形式:“彈性離校”(有需求的学生)或“延時放學”(所有学生),均可。",
        "收费:“由市或縣級發展改革部門會同教育行政部門……制定收費標準,報本級人民政府審定後執行”,"
        "未载明金额。",
        "月报制度:“實施課後服務月報制度”。",
        "种子为新闻报道,未规定每周天数、每天时长、结束时间、晚自习、寒暑假开放、报酬和作业规则。",
    ),
)
