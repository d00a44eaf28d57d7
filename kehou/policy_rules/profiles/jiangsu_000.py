"""The Jiangsu city of seed 000 (the document does not name the city; it cites 苏教基〔2021〕5号).

Silent in seed 000, so absent here: a weekend service day, vacation opening weeks, a
content model with numbers (it asks for homework guidance plus activities, without a
count), a numeric homework share, and the fee amount (schools set fees "按照相关文件精神",
i.e. the provincial standard 苏教财〔2020〕2号, whose amounts the seed does not give).
The local off-work time is referred to but not given: the bureau enters it.
"""

import datetime as dt
from decimal import Decimal

from ..model import Citation, ProfileRules, Rule

SEED = "000_9a9d0b41bb444542"
TIME_SECTION = "二、坚持需求导向,全面扩大课后服务范围和时间 · 保证课后服务时间"

_5_PLUS_2 = Citation(
    SEED,
    TIME_SECTION,
    "推行课后服务“5+2”模式,即学校每周5天都要开展课后服务,每天至少提供2小时的课后服务。",
)

PROFILE = ProfileRules(
    key="jiangsu_000",
    locality="江苏省某市(种子000,市名未载明)",
    service_days_per_week=Rule(5, _5_PLUS_2),
    min_minutes_per_day=Rule(120, _5_PLUS_2),
    off_work_time=Rule(
        None,
        Citation(
            SEED,
            TIME_SECTION,
            "课后服务结束时间原则上不早于当地正常下班时间",
            note="种子未给出当地下班时间,由教育局录入",
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
    evening_study_latest_end=Rule(
        dt.time(20, 30),
        Citation(
            SEED,
            TIME_SECTION,
            "有条件的初中,周一至周五可设晩自习(一般安排2小时以内,原则上不晚于20:30结束)。",
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
        "收费:种子要求“按照相关文件精神制定学校课后服务费标准”(苏教财〔2020〕2号),"
        "未载明金额,故不设收费上限规则,待教育局录入。",
        "家庭经济困难学生:“对建档立卡、低保等家庭经济困难学生实行减免”(由收费模块执行)。",
        "作业:“小学生课后作业一般在学校完成,初中生大部分课后作业尽量在学校完成”,无具体比例,不设规则。",
        "种子未规定双休日服务、寒暑假开放周数和“2+N”等数量化内容模式。",
    ),
)
