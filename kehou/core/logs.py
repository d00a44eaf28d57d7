"""Log lines for production: one JSON object per line on stdout (LOGGING in settings).

Django's error records carry the request object; a line carries what a reader needs from
it (path, method, the user's id, the status) instead. Mobile numbers in a message or a
traceback (an IntegrityError quotes the row, a refusal names the phone) are masked as
138****0004 before the line is written (research/reliability.md S9).
"""

import logging
import re

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from kehou.lib.validators import mask_mobile

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_mobiles(text: str) -> str:
    return MOBILE.sub(lambda match: mask_mobile(match.group()), text)


def _user_id(request: HttpRequest) -> int | None:
    """The id of a user the request has already loaded; a log line never queries for it
    (the database may be the very thing that failed)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user.__dict__.get("_wrapped", empty)
        if user is empty:
            return None
    return getattr(user, "pk", None)


def request_fields(request: object) -> dict:
    if not isinstance(request, HttpRequest):
        return {}
    return {"path": request.path, "method": request.method, "user_id": _user_id(request)}


class JsonFormatter(BaseJsonFormatter):
    """Each line carries "time" in UTC (ISO 8601), whatever the process's time zone;
    Chinese stays readable (no \\u escapes)."""

    def __init__(self, *args, timestamp="time", json_ensure_ascii=False, **kwargs) -> None:
        super().__init__(*args, timestamp=timestamp, json_ensure_ascii=json_ensure_ascii, **kwargs)

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data.update(request_fields(log_data.pop("request", None)))
        if "status_code" in log_data:
            log_data["status"] = log_data.pop("status_code")
        log_data.pop("server_time", None)  # runserver's own timestamp, beside "time"

    def process_log_record(self, log_data):
        return {
            key: mask_mobiles(value) if isinstance(value, str) else value
            for key, value in log_data.items()
        }


class MaskingFormatter(logging.Formatter):
    """Plain lines for a terminal (debug mode), masked like the JSON ones."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_mobiles(super().format(record))
