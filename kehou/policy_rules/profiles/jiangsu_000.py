"""The Jiangsu city of seed 000 (the document does not name the city; it cites 苏教基〔2021〕5号).

Silent in seed 000, so absent here: a weekend service day, vacation opening weeks, a
content model with numbers (it asks for homework guidance plus activities, without a
count), a numeric homework share, and the fee amount (schools set fees "按照相关文件精神",
i.e. the provincial standard 苏教财〔2020〕2号, whose amounts the seed does not give).
The local off-work time is referred to but not given: the bureau enters it.
"""

import datetime as dt
from decimal import Decimal

from ..documents import DOCUMENT_TITLES
from ..model import Citation, ProfileRules, Rule

SEED = "000_9a9d0b41bb444542"
DOC = DOCUMENT_TITLES["000"]
TIME_SECTION = "二、坚持需求导向,全面扩大课后服务范围和时间 · 保证课后服务时间"
QUALITY_SECTION = "三、聚焦学生发展,着力提升课后服务质量和水平"
FUNDING_SECTION = "四、强化组织领导 · 落实经费保障"

_EVENING = Citation(
    SEED,
    TIME_SECTION,
    "有条件的初中,周一至周五可设晩自习(一般安排2小时以内,原则上不晚于20:30结束)。",
)
_ORGANISATIONS = Citation(
    SEED,
    QUALITY_SECTION + " · 拓展校外渠道",
    "可根据发展学生兴趣特长的需要,适当引进资质优、行为规范、信誉度高、无违法违规记录的社会"
    "组织和校外专业机构参与课后服务,但不得开展学科类培训。",
)

_5_PLUS_2 = Citation(
    SEED,
    TIME_SECTION,
    "推行课后服务“5+2”模式,即学校每周5天都要开展课后服务,每天至少提供2小时的课后服务。",
)

PROFILE = ProfileRules(
    key="jiangsu_000",
    locality="江苏省某市(方案未载明市名)",
    service_days_per_week=Rule(5, _5_PLUS_2),
    min_minutes_per_day=Rule(120, _5_PLUS_2),
    off_work_time=Rule(
        None,
        Citation(
            SEED,
            TIME_SECTION,
            "课后服务结束时间原则上不早于当地正常下班时间",
            note=f"{DOC}未给出当地下班时间,由教育局录入",
        ),
    ),
    extended_care_required=Rule(
        True,
        Citation(
            SEED,
            TIME_SECTION,
            "对有特殊需要的学生,由家长或监护人提出申请后,学校应提供延时托管服务。",
        ),
    ),
    evening_study_max_minutes=Rule(
        120,
        Citation(
            SEED,
            TIME_SECTION,
            "有条件的初中,周一至周五可设晩自习(一般安排2小时以内,原则上不晚于20:30结束)。",
            note="“2小时以内”:不超过120分钟",
        ),
    ),
    evening_study_latest_end=Rule(dt.time(20, 30), _EVENING),
    evening_study_weekdays_only=Rule(True, _EVENING),
    no_subject_training_by_organisations=Rule(True, _ORGANISATIONS),
    no_new_lessons=Rule(
        True,
        Citation(SEED, QUALITY_SECTION + " · 提供丰富课程", "学校不得利用课后服务时间讲授新课。"),
    ),
    agency_fee_for_organisations_only=Rule(
        True,
        Citation(
            SEED,
            FUNDING_SECTION,
            "还可采用代收费方式向社会组织和校外专业机构提供课后服务",
            note="代收费只用于社会组织和校外专业机构提供的项目",
        ),
    ),
    instructors_vetted=Rule(
        True,
        Citation(
            SEED,
            QUALITY_SECTION + " · 拓展校外渠道",
            "也可积极争取退休教师、学生家长、高校优秀学生、体育教练、民间艺人、能工巧匠、"
            "非物质文化传承人等具备资质的社会专业人员或志愿服务力量",
            note="外聘人员须具备资质并经背景审查;机构须“无违法违规记录”",
        ),
    ),
    pay_floor_per_class_hour=Rule(
        Decimal(60),
        Citation(
            SEED,
            "四、强化组织领导 · 建立取酬机制",
            "义务教育学校教师在法定工作日课后服务报酬按照每课时不低于60元的标准核定",
        ),
    ),
    notes=(
        f"收费:{DOC}要求“按照相关文件精神制定学校课后服务费标准”(苏教财〔2020〕2号),"
        "未载明金额,故不设收费上限规则,待教育局录入。",
        "家庭经济困难学生:“对建档立卡、低保等家庭经济困难学生实行减免”(由收费模块执行)。",
        "作业:“小学生课后作业一般在学校完成,初中生大部分课后作业尽量在学校完成”,无具体比例,不设规则。",
        f"{DOC}未规定双休日服务、寒暑假开放周数和“2+N”等数量化内容模式。",
    ),
)
