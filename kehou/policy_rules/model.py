"""Plain data for the compliance core: a locality's rules (R4) and a school plan's facts (R5).

No Django here. The Django side (kehou/policy) stores profiles and plans and builds these
objects from them; `kehou.policy_rules.serialise` turns a profile into JSON and back.

A profile field that is None means *the locality states no such rule*: nothing is checked.
A rule always carries the citation it comes from (seed file id, the place in the text and
the quoted sentence), so every shortfall can name its source.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from kehou.lib.vocabulary import (  # noqa: F401  (the content categories, re-exported)
    BASIC_CATEGORIES,
    CATEGORY_NAMES_ZH,
    EXTENDED_CATEGORIES,
    PLAN_CATEGORIES,
    Category,
)

T = TypeVar("T")

GRADES = range(1, 10)  # compulsory education: primary 1–6, junior 7–9
JUNIOR_GRADES = frozenset({7, 8, 9})
WEEKDAYS = frozenset(range(5))  # Monday … Friday
WEEKEND = frozenset({5, 6})


@dataclass(frozen=True)
class Citation:
    seed: str  # the seed file's id, e.g. "000_9a9d0b41bb444542"
    where: str  # the place in the text (section heading / item)
    quote: str  # the sentence, verbatim from the seed
    note: str = ""  # how the value was read, when it is not literally in the quote

    @property
    def document(self) -> str:
        """The document's name as schools know it (its title, never the file id)."""
        from .documents import document_name

        return document_name(self)

    @property
    def place(self) -> str:
        """Where in the document, when that says more than the document's name."""
        return self.where if self.where and self.where != self.document else ""


@dataclass(frozen=True)
class Rule(Generic[T]):
    value: T
    cite: Citation


@dataclass(frozen=True)
class ContentModel:
    """A content model such as 2+N (003) or 30+X (004).

    A plan satisfies it when it offers every `basic` category, at least `min_extended`
    extended items (003's form counts N as the number of extended service items), and,
    where set, at least `homework_minutes` of homework tutoring a day (30+X) and club days a
    week within `club_days` (004's second mode).
    """

    name: str
    basic: frozenset[Category] = frozenset()
    min_extended: int = 0
    homework_minutes: int | None = None
    club_days: tuple[int, int] | None = None


@dataclass(frozen=True)
class UrbanTarget:
    """Region-level: at least `share_percent` % of urban schools run `model` (003's 2+3)."""

    model: ContentModel
    share_percent: int


@dataclass(frozen=True)
class FeeStandard:
    """The locality's fee standard per child per term; None = no standard has been issued,
    so no fee may be billed (001)."""

    max_yuan_per_term: Decimal | None


@dataclass(frozen=True)
class ProfileRules:
    key: str  # stable id, e.g. "changzhi"
    locality: str  # 长治市
    service_days_per_week: Rule[int] | None = None  # Monday–Friday days ("5" of 5+2)
    weekend_days_per_week: Rule[int] | None = None  # the "+1" of 5+2+1
    min_minutes_per_day: Rule[int] | None = None  # per grade, regular slots of a weekday
    # The rule "not before the local off-work time"; value None = the seed states the rule
    # but not the time, which the bureau must enter (until then nothing is checked).
    off_work_time: Rule[dt.time | None] | None = None
    extended_care_required: Rule[bool] | None = None  # 延时托管 on request
    evening_study_max_minutes: Rule[int] | None = None  # junior evening study
    evening_study_latest_end: Rule[dt.time] | None = None
    vacation_weeks_winter: Rule[int] | None = None
    vacation_weeks_summer: Rule[int] | None = None
    # A plan must satisfy one of these (004 names two accepted modes).
    content_models: Rule[tuple[ContentModel, ...]] | None = None
    urban_target: Rule[UrbanTarget] | None = None  # region-level, see urban_target_share
    pay_floor_per_class_hour: Rule[Decimal] | None = None
    fee_standard: Rule[FeeStandard] | None = None
    # A leave covering at least this many of the child's service days is refunded (004:
    # 按未服务的实际课时据实退还); the seeds give no number: the bureau enters it.
    leave_refund_min_days: Rule[int] | None = None
    # The monthly report (月报, R22) of a month is due on this day of the following month
    # (003: 每月24日报送); None = the locality sets no due day, so no report is late.
    report_due_day: Rule[int] | None = None
    # School admins are reminded this many days before the due day; the bureau enters it.
    report_reminder_days: Rule[int] | None = None
    # A complaint or report (投诉、举报) is to be replied to within this many days of its
    # receipt, then escalated to the bureau (003: 对存在的问题及时督促整改); the bureau
    # enters the number, the seeds give none.
    complaint_reply_days: Rule[int] | None = None
    grade12_no_written_homework: Rule[bool] | None = None
    junior_homework_at_school_min_percent: Rule[int] | None = None
    # What a menu may not hold (R8), each True where the seed says so: the menu's services
    # read them from the school's profile instead of assuming one city's rules everywhere.
    evening_study_weekdays_only: Rule[bool] | None = None
    no_subject_training_by_organisations: Rule[bool] | None = None
    no_new_lessons: Rule[bool] | None = None
    no_commercial_promotion: Rule[bool] | None = None
    no_high_risk_activities: Rule[bool] | None = None
    agency_fee_for_organisations_only: Rule[bool] | None = None
    instructors_vetted: Rule[bool] | None = None
    # What the seed says that is not a checkable rule, and which rules it is silent on.
    notes: tuple[str, ...] = ()


class SlotKind(enum.StrEnum):
    REGULAR = "regular"  # the after-school service open to the grade group
    EXTENDED_CARE = "extended_care"  # 延时托管, for families who ask
    EVENING_STUDY = "evening_study"  # junior evening study (晚自习)
    BOARDING = "boarding"  # boarders' evening service (002)


@dataclass(frozen=True)
class Slot:
    grades: tuple[int, int]  # inclusive range, e.g. (1, 2)
    start: dt.time
    end: dt.time
    kind: SlotKind = SlotKind.REGULAR
    weekdays: frozenset[int] | None = None  # None = every service weekday of the plan
    label: str = ""

    def __post_init__(self) -> None:
        lo, hi = self.grades
        if not (1 <= lo <= hi <= 9):
            raise ValueError(f"年级范围{lo}-{hi}无效(应在1-9年级之间)")
        if self.end <= self.start:
            raise ValueError(f"时段{self.start:%H:%M}-{self.end:%H:%M}的结束时间不晚于开始时间")
        if self.weekdays is not None and not set(self.weekdays) <= set(range(7)):
            raise ValueError("星期应为0(周一)至6(周日)")

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def covers(self, grade: int) -> bool:
        return self.grades[0] <= grade <= self.grades[1]


@dataclass(frozen=True)
class ContentItem:
    name: str
    category: Category


@dataclass(frozen=True)
class PlanFacts:
    """What a school plan (一校一案) states, as the compliance check needs it.

    None for a fact means the plan does not state it: a rule that needs it reports the
    gap (Shortfall.unknown) instead of passing or failing silently.
    """

    school: str
    grades: frozenset[int]  # the grades the school teaches
    service_weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday (5/6 = the weekend day)
    slots: tuple[Slot, ...] = ()
    content: tuple[ContentItem, ...] = ()
    homework_minutes_per_day: int | None = None  # 30+X: homework tutoring first
    club_days_per_week: int | None = None
    vacation_weeks_winter: int | None = None
    vacation_weeks_summer: int | None = None
    pay_per_class_hour_yuan: Decimal | None = None
    fee_yuan_per_term: Decimal | None = None  # 0 = free
    grade12_written_homework: bool | None = None  # do grades 1–2 get written homework?
    junior_homework_at_school_percent: int | None = None
    is_urban: bool | None = None  # 003: 城区 = the county seat
    service_mode: str | None = None  # 弹性离校 / 延时放学 (004)

    def __post_init__(self) -> None:
        if not self.grades or not set(self.grades) <= set(GRADES):
            raise ValueError("学校年级应在1-9年级之间")
        if not set(self.service_weekdays) <= set(range(7)):
            raise ValueError("星期应为0(周一)至6(周日)")
