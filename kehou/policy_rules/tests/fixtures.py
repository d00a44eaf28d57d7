"""Plans used by the tests: seed 002's plan as written, and a plan that meets seed 000."""

import datetime as dt
from decimal import Decimal

from kehou.policy_rules import Category, ContentItem, PlanFacts, Slot, SlotKind

T = dt.time

# 音德尔第二小学延时服务工作实施方案 (seed 002, 三、具体安排):
# "每周周一至周四学习日(寒暑假及法定节假日除外)…1---2年级5:00---5:50,
#  3---6年级5:45—6:20校外住宿生服务,6:40—8:00校内住宿生服务。"
# "服务内容。蒙语文、语文、数学、英语学科作业辅导、音美社团活动"; 一二年级 "自愿参加朗读活动".
# It says nothing of extended care, pay per class-hour, fees or written homework.
SEED_002_PLAN = PlanFacts(
    school="扎赉特旗音德尔第二小学",
    grades=frozenset(range(1, 7)),
    service_weekdays=frozenset({0, 1, 2, 3}),
    slots=(
        Slot((1, 2), T(17, 0), T(17, 50), label="1-2年级"),
        Slot((3, 6), T(17, 45), T(18, 20), label="3-6年级"),
        Slot((1, 6), T(18, 40), T(20, 0), SlotKind.BOARDING, label="校内住宿生服务"),
    ),
    content=(
        ContentItem("学科作业辅导", Category.HOMEWORK),
        ContentItem("音美社团活动", Category.CLUB),
        ContentItem("朗读活动", Category.READING),
    ),
    vacation_weeks_winter=0,
    vacation_weeks_summer=0,
    is_urban=True,  # 音德尔镇 is the seat of 扎赉特旗
    service_mode="弹性离校",  # only pupils whose parents apply
)

# A plan meeting every rule of seed 000 (once the bureau has entered 18:00 as the local
# off-work time), each value exactly at its boundary.
COMPLIANT_000_PLAN = PlanFacts(
    school="示范小学",
    grades=frozenset(range(1, 10)),
    service_weekdays=frozenset(range(5)),
    slots=(
        Slot((1, 9), T(16, 0), T(17, 0), label="作业辅导"),
        Slot((1, 9), T(17, 0), T(18, 0), label="社团活动"),
        Slot((1, 9), T(18, 0), T(19, 0), SlotKind.EXTENDED_CARE, label="延时托管"),
        Slot((7, 9), T(18, 30), T(20, 30), SlotKind.EVENING_STUDY, label="晚自习"),
    ),
    content=(
        ContentItem("作业辅导", Category.HOMEWORK),
        ContentItem("体育活动", Category.SPORTS),
        ContentItem("科普", Category.SCIENCE),
    ),
    pay_per_class_hour_yuan=Decimal(60),
    fee_yuan_per_term=Decimal(0),
    grade12_written_homework=False,
    junior_homework_at_school_percent=80,
)
