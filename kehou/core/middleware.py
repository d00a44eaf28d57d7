"""kehou's middleware: Chinese pages unless the user chose English; and, for serving under
load, the health check, "busy, try again" instead of an error when the database has no
connection to give, and a query count for the bench (docs/production.md).
"""

import sqlite3

import psycopg
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, OperationalError, connection
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template import loader
from django.utils import translation
from django.utils.log import log_response
from psycopg_pool import PoolTimeout, TooManyRequests


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose otherwise with the language switch.

    Django's own middleware follows the browser's Accept-Language, so a parent whose
    phone is set to English, or a headless browser, would get English pages. kehou
    speaks Chinese by default and only the explicit choice (the language cookie) changes it.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


HEALTH_PATHS = {"/healthz", "/healthz/"}
# What PostgreSQL says when it accepts no more connections, and SQLite when a writer waited
# its whole timeout for the lock.
BUSY_MESSAGES = (
    "too many clients",
    "remaining connection slots",
    "too many connections",
    "database is locked",
)


def is_busy(error: BaseException) -> bool:
    """The database is there but could not be had in time: the pool waited `timeout`
    seconds (PoolTimeout) or refused to queue more clients (TooManyRequests), PostgreSQL
    reached max_connections, or SQLite's write lock stayed taken. Django wraps the
    driver's errors; look inside. The request's transaction was rolled back, so trying
    again is safe."""
    seen = error
    while seen is not None:
        if isinstance(seen, PoolTimeout | TooManyRequests):
            return True
        if isinstance(seen, OperationalError | psycopg.OperationalError | sqlite3.OperationalError):
            text = str(seen).lower()
            if any(message in text for message in BUSY_MESSAGES):
                return True
        seen = seen.__cause__
    return False


def busy_response(request, error: BaseException) -> HttpResponse:
    """503 with Retry-After and a page saying to try again in a moment, in the request's
    language. The page is rendered without touching the database: the visitor is shown
    as logged out and no stored messages are read."""
    body = loader.get_template("503.html").render(
        {"user": AnonymousUser(), "messages": ()}, request
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(settings.BUSY_RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    log_response(
        "Busy, asked to retry (%s): %s",
        type(error).__name__,
        request.path,
        response=response,
        request=request,
        level="warning",
    )
    return response


class BusyMiddleware:
    """Gets the request's database connection first, so a pool or server with none to
    give is answered 503 "busy" before any work begins (later middleware and the view
    would turn the same error into a 500). A connection lost mid-view with the same cause
    is answered the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            connection.ensure_connection()
        except OperationalError as error:
            if not is_busy(error):
                raise
            return busy_response(request, error)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_busy(exception):
            return busy_response(request, exception)
        return None


class HealthCheckMiddleware:
    """GET /healthz: 200 "ok" when the database answers SELECT 1, 503 otherwise. The body
    carries no data. Answered before the host check and the HTTPS redirect, so a load
    balancer can probe a worker by its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in HEALTH_PATHS:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError as error:
            response = _plain("unavailable\n", status=503)
            log_response(
                "Health check failed (%s): %s",
                type(error).__name__,
                request.path,
                response=response,
                request=request,
                level="error",
            )
            return response
        return _plain("ok\n", status=200)


def _plain(text: str, *, status: int) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


class QueryCountMiddleware:
    """The bench's count of SQL statements per request, in an X-Kehou-Queries header.
    Installed only when KEHOU_COUNT_QUERIES=1 (settings); production never runs it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Kehou-Queries"] = str(count)
        return response
