"""安溪县 (seed 003): 5+2 and the 2+N content model, urban 2+3 in at least 80 % of schools.

Seed 003 names "5+2" without spelling it out; it is read with the meaning seed 000 gives
(5 days a week, at least 2 hours a day) — see each citation's note. Silent in seed 003, so
absent here: the off-work end time, evening study, vacation opening, the pay floor, a fee
standard, the homework rules and what a menu may not hold (subject training, new lessons,
commercial promotion, high-risk activities, agency fees).
"""

from ..documents import DOCUMENT_TITLES
from ..model import BASIC_CATEGORIES, Citation, ContentModel, ProfileRules, Rule, UrbanTarget

SEED = "003_56a495717f389d57"
DOC = DOCUMENT_TITLES["003"]
_5_PLUS_2 = Citation(
    SEED,
    "三、工作措施 · 1.深入调研,积极推进",
    "继续推行课后服务“5+2”制度",
    note=f"{DOC}未解释“5+2”,按{DOCUMENT_TITLES['000']}的定义(每周5天,每天至少2小时)理解",
)
_2_PLUS_N = Citation(
    SEED,
    "二、工作目标",
    "推进全县所有义务教育阶段学校实现课后服务“2+N”模式全覆盖，“2”即作业辅导和体育活动2项基本服务，"
    "“N”即学校结合优势特色、学生需求开展科普、文艺、劳动、阅读、兴趣小组及社团活动等拓展服务；"
    "其中城区实现“2+3”（2项基本服务+3项拓展服务）课后服务模式的学校达80%以上。",
)

TWO_PLUS_N = ContentModel("2+N", basic=BASIC_CATEGORIES, min_extended=1)
TWO_PLUS_THREE = ContentModel("2+3", basic=BASIC_CATEGORIES, min_extended=3)

PROFILE = ProfileRules(
    key="anxi_003",
    locality="福建省泉州市安溪县",
    service_days_per_week=Rule(5, _5_PLUS_2),
    min_minutes_per_day=Rule(120, _5_PLUS_2),
    content_models=Rule((TWO_PLUS_N,), _2_PLUS_N),
    instructors_vetted=Rule(
        True,
        Citation(
            SEED,
            "三、工作措施 · 3.用好资源,丰富形式",
            "鼓励学校聘请退休教师、具备资质的社会专业人员、非遗传承人或志愿者承担课后服务工作。",
            note="外聘人员须具备资质并经背景审查",
        ),
    ),
    urban_target=Rule(
        UrbanTarget(TWO_PLUS_THREE, share_percent=80),
        Citation(
            _2_PLUS_N.seed,
            _2_PLUS_N.where,
            _2_PLUS_N.quote,
            note="城区指县城关所在地，乡镇及以下学校暂不纳入统计(附件说明1)",
        ),
    ),
    report_due_day=Rule(
        24,
        Citation(
            SEED,
            "三、工作措施 · 4.狠抓落实,巩固成果",
            "于“点题整治”期间每月24日将《城区义务教育阶段学校课后服务开展情况汇总表》（附件）"
            "电子版报送教育局相关股室邮箱",
            note="每月的汇总表于次月24日前报送",
        ),
    ),
    notes=(
        "月报:城区学校每月24日前报送《城区义务教育阶段学校课后服务开展情况汇总表》。",
        "举报电话和邮箱:0595-23220785、0595-23236764,chuyoujiao@163.com、zjg23236764@163.com。",
        f"{DOC}未规定结束时间、晚自习、寒暑假开放、教师报酬标准、收费标准和作业比例。",
    ),
)
