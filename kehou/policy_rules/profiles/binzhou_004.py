"""滨州市 (seed 004, a news report): two accepted content modes, 30+X or weekly club days.

Seed 004 reports practice rather than setting numbers: it is silent on days per week,
minutes per day, end time, evening study, vacation opening, the pay floor, homework, and
most of what a menu may not hold (subject training by organisations, commercial
promotion, high-risk activities, agency fees, vetting). It forbids illegal extra lessons,
and fees follow a standard the price authority sets and the government approves: none is
given, so no fee may be charged until the bureau enters the approved standard.
"""

from ..documents import DOCUMENT_TITLES
from ..model import Category, Citation, ContentModel, FeeStandard, ProfileRules, Rule

SEED = "004_e9c4a189c54b2d60"
DOC = DOCUMENT_TITLES["004"]
GUARANTEES = (
    "堅持「一把手」負責制,實行「一校一策」,努力實現課後服務「三結合」"
    " · 課後服務,安全、財政、質量是三大保障"
)

THIRTY_PLUS_X = ContentModel(
    "30+X", basic=frozenset({Category.HOMEWORK}), min_extended=1, homework_minutes=30
)
WEEKLY_CLUBS = ContentModel(
    "每周1-2天社团", basic=frozenset({Category.HOMEWORK}), min_extended=1, club_days=(1, 2)
)

PROFILE = ProfileRules(
    key="binzhou_004",
    locality="山东省滨州市",
    no_new_lessons=Rule(
        True,
        Citation(
            SEED,
            GUARANTEES,
            "堅決禁止違規補課、借課後服務之名違規亂收費及其他腐敗行為",
            note="违规补课:课后服务不得集体补课、讲新课",
        ),
    ),
    fee_standard=Rule(
        FeeStandard(max_yuan_per_term=None),
        Citation(
            SEED,
            GUARANTEES,
            "採取服務性收費予以補充的,堅持成本補償和非營利性原則,按照學校隸屬關係,由市或縣級"
            "發展改革部門會同教育行政部門充分聽取社會和家長的意見,制定收費標準,報本級人民政府"
            "審定後執行。",
            note="收费标准经本级人民政府审定前不得收费;审定后由教育局录入金额",
        ),
    ),
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
        "月报制度:“實施課後服務月報制度”。",
        f"{DOC}是新闻报道,未规定每周天数、每天时长、结束时间、晚自习、寒暑假开放、报酬和作业规则,"
        "也未规定校外机构、商业推广、高风险活动、代收费和外聘人员审核的规则:未规定的规则不检查。",
    ),
)
