"""长治市 (seed 001): 5+2+1, vacation opening, no fee before a standard, homework rules.

Silent in seed 001, so absent here: the pay floor per class-hour, the evening-study
maximum duration (only its latest end is given), and a numeric content model. The local
off-work time is referred to but not given: the bureau enters it.
"""

import datetime as dt

from ..documents import DOCUMENT_TITLES
from ..model import Citation, FeeStandard, ProfileRules, Rule

SEED = "001_5321a4d9f89be473"
DOC = DOCUMENT_TITLES["001"]
TIME_SECTION = "三、服务内容与方式 ·（二）服务时间"
FORM_SECTION = "三、服务内容与方式 ·（四）服务形式 · 1.丰富校内课后服务样式"
CONTENT_SECTION = "三、服务内容与方式 ·（三）服务内容"

_EVENING = Citation(
    SEED,
    TIME_SECTION,
    "初中学校可探索在工作日晚上开设自习班，但不得讲授新课，不得分配到学科，"
    "原则上结束时间不晚于20:30。",
)

_5_2_1 = Citation(
    SEED,
    TIME_SECTION,
    "全市各义务教育阶段公办学校开展“5+2+1”课后服务模式。即5天工作日均开展课后服务，"
    "原则上每天不少于2小时，双休日中的1天用于开展课后服务。",
)
_VACATION = Citation(
    SEED,
    TIME_SECTION,
    "义务教育阶段公办学校在“5+2+1”基础上，实行寒假开放1周、暑假开放3周的开放校园制度。",
)

PROFILE = ProfileRules(
    key="changzhi_001",
    locality="山西省长治市",
    service_days_per_week=Rule(5, _5_2_1),
    weekend_days_per_week=Rule(1, _5_2_1),
    min_minutes_per_day=Rule(120, _5_2_1),
    off_work_time=Rule(
        None,
        Citation(
            SEED,
            TIME_SECTION,
            "具体服务时间由各校结合实际弹性确定，结束时间一般不早于当地正常下班时间",
            note=f"{DOC}未给出当地下班时间,由教育局录入",
        ),
    ),
    extended_care_required=Rule(
        True,
        Citation(SEED, TIME_SECTION, "对有特殊需要的学生，学校应提供延时托管服务。"),
    ),
    evening_study_latest_end=Rule(dt.time(20, 30), _EVENING),
    evening_study_weekdays_only=Rule(True, _EVENING),
    no_new_lessons=Rule(True, Citation(SEED, CONTENT_SECTION, "不得组织集体补课和上新课。")),
    no_commercial_promotion=Rule(
        True, Citation(SEED, CONTENT_SECTION, "严禁开展商业推广性质的活动")
    ),
    no_high_risk_activities=Rule(
        True, Citation(SEED, CONTENT_SECTION, "不得组织开展危险性较高的活动")
    ),
    instructors_vetted=Rule(
        True,
        Citation(
            SEED,
            "三、服务内容与方式 ·（四）服务形式 · 2.拓宽校外课后服务渠道",
            "三是充分发挥社会热心人士、退休教师、具备资质的社会专业人员、特别是家长的作用",
            note="外聘人员须具备资质并经背景审查",
        ),
    ),
    vacation_weeks_winter=Rule(1, _VACATION),
    vacation_weeks_summer=Rule(3, _VACATION),
    fee_standard=Rule(
        FeeStandard(max_yuan_per_term=None),
        Citation(
            SEED,
            "二、基本原则 ·（一）坚持公益属性",
            "课后服务收费标准未出台之前，学校不得向学生收取课后服务费。",
            note="收费标准出台后由教育局录入金额",
        ),
    ),
    grade12_no_written_homework=Rule(
        True,
        Citation(SEED, FORM_SECTION, "小学一二年级学生不留书面家庭作业"),
    ),
    junior_homework_at_school_min_percent=Rule(
        80,
        Citation(SEED, FORM_SECTION, "引导初中学生利用课后服务时间至少完成80%书面作业"),
    ),
    notes=(
        f"晚自习:{DOC}只规定结束时间不晚于20:30,未规定时长,不设时长规则。",
        f"{DOC}未规定教师每课时报酬标准。",
        "内容:要求作业辅导、课业辅导、文体劳动兴趣社团和阅读等,未规定“2+N”等数量化模式。",
        "村小学(教学点)由乡镇中心学校统筹,寄宿制学校由各县区统筹安排。",
    ),
)
