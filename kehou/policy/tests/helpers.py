"""Building the plan page's POST data the way a browser sends it."""

import datetime as dt

SEED_002 = {
    "fields": {
        "term_start": "2026-09-01",
        "term_end": "2027-01-22",
        "service_weekdays": [0, 1, 2, 3],
        "service_mode": "flexible_leaving",
        "service_method": "家长自愿申请,学校审核",
        "safety_measures": "班主任清点人数,家长接送",
        "complaint_channel": "0482-1234567",
    },
    "slots": [
        {
            "grade_from": 1,
            "grade_to": 2,
            "start": "17:00",
            "end": "17:50",
            "kind": "regular",
            "label": "1-2年级",
        },
        {
            "grade_from": 3,
            "grade_to": 6,
            "start": "17:45",
            "end": "18:20",
            "kind": "regular",
            "label": "3-6年级",
        },
        {
            "grade_from": 1,
            "grade_to": 6,
            "start": "18:40",
            "end": "20:00",
            "kind": "boarding",
            "label": "校内住宿生服务",
        },
    ],
    "content": [
        {"name": "学科作业辅导", "category": "homework"},
        {"name": "音美社团活动", "category": "club"},
        {"name": "朗读活动", "category": "reading"},
    ],
    "weeks": [],
    "makeup": [],
}

# Meets every rule of seed 000 once the bureau has entered 18:00 as the off-work time.
COMPLIANT_000 = {
    "fields": {
        "term_start": "2026-09-01",
        "term_end": "2027-01-22",
        "service_weekdays": [0, 1, 2, 3, 4],
        "service_mode": "flexible_leaving",
        "pay_per_class_hour": "60",
        "fee_per_term": "0",
        "grade12_written_homework": "no",
    },
    "slots": [
        {
            "grade_from": 1,
            "grade_to": 6,
            "start": "16:00",
            "end": "17:00",
            "kind": "regular",
            "label": "作业辅导",
        },
        {
            "grade_from": 1,
            "grade_to": 6,
            "start": "17:00",
            "end": "18:00",
            "kind": "regular",
            "label": "社团活动",
        },
        {
            "grade_from": 1,
            "grade_to": 6,
            "start": "18:00",
            "end": "19:00",
            "kind": "extended_care",
            "label": "延时托管",
        },
    ],
    "content": [
        {"name": "作业辅导", "category": "homework"},
        {"name": "体育活动", "category": "sports"},
        {"name": "科普", "category": "science"},
        {"name": "合唱", "category": "arts"},
        {"name": "阅读", "category": "reading"},
    ],
    "weeks": [],
    "makeup": [],
}


def plan_post(plan: dict, **field_changes) -> dict:
    """The form data of the plan page for `plan` (a dict like SEED_002)."""
    data: dict = {}
    fields = {**plan["fields"], **field_changes}
    for name, value in fields.items():
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    for prefix in ("slots", "content", "weeks", "makeup"):
        rows = plan[prefix]
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = (
                    [str(v) for v in value] if isinstance(value, list) else str(value)
                )
    return data


def with_rows(plan: dict, prefix: str, rows: list) -> dict:
    return {**plan, prefix: rows}


def time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)
