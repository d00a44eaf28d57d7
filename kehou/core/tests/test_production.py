"""Production serving (issue step 4, item 11): the settings refuse to start without a
secret key, errors leave a JSON trace with phones masked, the error pages are Chinese and
need no database, a database with no connection to give is answered 503 "busy", and
/healthz answers for the load balancer.
"""

import io
import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError, connection, connections
from django.template import loader
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject
from psycopg_pool import PoolTimeout

from kehou.accounts.models import User
from kehou.core import logs
from kehou.core.middleware import busy_response, is_busy
from kehou.testing import factories as f

ROOT = Path(__file__).resolve().parents[3]
TEST_URLS = "kehou.core.tests.urls"


def _settings_in_a_fresh_process(env: dict, code: str) -> subprocess.CompletedProcess:
    """Import the settings the way a server does, with exactly this environment."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KEHOU_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "kehou.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


# ---------------------------------------------------------------------------- settings


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    result = _settings_in_a_fresh_process({"KEHOU_VAR_DIR": str(tmp_path)}, PRINT_KEY)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "KEHOU_SECRET_KEY is not set" in result.stderr


def test_the_kehou_command_without_a_secret_key_says_what_to_do_without_a_traceback(tmp_path):
    result = _settings_in_a_fresh_process(
        {"KEHOU_VAR_DIR": str(tmp_path)},
        "import sys; sys.argv = ['kehou', 'worker', '--help']; from kehou.cli import main; main()",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("kehou: KEHOU_SECRET_KEY is not set")
    assert "Traceback" not in result.stderr


def test_the_secret_key_comes_from_the_environment_and_debug_alone_has_a_local_one(tmp_path):
    given = _settings_in_a_fresh_process(
        {"KEHOU_VAR_DIR": str(tmp_path), "KEHOU_SECRET_KEY": "a-key-of-this-server"}, PRINT_KEY
    )
    debug = _settings_in_a_fresh_process(
        {"KEHOU_VAR_DIR": str(tmp_path), "KEHOU_DEBUG": "1"}, PRINT_KEY
    )
    assert given.stdout.strip() == "a-key-of-this-server"
    assert debug.returncode == 0 and "KEHOU_DEBUG-only" in debug.stdout


def test_postgresql_connections_are_pooled_with_sizes_from_the_environment(tmp_path):
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d.get('OPTIONS', {}).get('pool'), d['CONN_MAX_AGE'], settings.DEMO_MODE)"
    )
    env = {
        "KEHOU_VAR_DIR": str(tmp_path),
        "KEHOU_SECRET_KEY": "k",
        "DATABASE_URL": "postgres://kehou@db.example:5432/kehou",
    }
    default = _settings_in_a_fresh_process(env, code)
    sized = _settings_in_a_fresh_process(
        {**env, "KEHOU_DB_POOL_MIN": "1", "KEHOU_DB_POOL_MAX": "4", "KEHOU_DB_POOL_TIMEOUT": "2"},
        code,
    )
    off = _settings_in_a_fresh_process({**env, "KEHOU_DB_POOL": "0"}, code)
    wrong = _settings_in_a_fresh_process({**env, "KEHOU_DB_POOL_MAX": "0"}, code)
    assert "{'min_size': 2, 'max_size': 10, 'timeout': 5.0} 0 False" in default.stdout
    assert "'max_size': 4" in sized.stdout and "'timeout': 2.0" in sized.stdout
    assert off.stdout.startswith("None")
    assert wrong.returncode != 0 and "KEHOU_DB_POOL_MAX" in wrong.stderr


# ---------------------------------------------------------------------------- logs


@pytest.fixture
def json_log():
    """The lines kehou's own console handler writes (JSON in production settings)."""
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, logs.JsonFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line]

    yield lines
    handler.setStream(previous)


@pytest.mark.urls(TEST_URLS)
def test_a_500_leaves_one_json_line_with_the_request_and_the_traceback_phones_masked(db, json_log):
    # given a logged-in user
    user = f.UserFactory(role=User.Role.GUARDIAN)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    # when a page fails
    response = client.get("/test/boom/")
    # then
    assert response.status_code == 500
    [line] = [line for line in json_log() if line["name"] == "django.request"]
    assert line["levelname"] == "ERROR" and line["time"].endswith("+00:00")
    assert line["path"] == "/test/boom/" and line["method"] == "GET"
    assert line["user_id"] == user.pk and line["status"] == 500
    assert "Traceback" in line["exc_info"] and "RuntimeError" in line["exc_info"]
    assert "138****0001" in line["exc_info"]
    assert "13800000001" not in json.dumps(line)


def test_log_lines_mask_phones_and_never_load_a_user():
    request = RequestFactory().get("/apply/")
    request.user = SimpleLazyObject(lambda: pytest.fail("a log line loaded the user"))
    record = logging.LogRecord(
        "kehou", logging.WARNING, __file__, 1, "guardian %s (%s)", ("13912345678", 7), None
    )
    record.request = request
    line = json.loads(logs.JsonFormatter("%(levelname)s %(message)s").format(record))
    assert line["message"] == "guardian 139****5678 (7)"
    assert line["path"] == "/apply/" and line["user_id"] is None
    # a longer number (a student number, an ID card) is not a phone
    assert logs.mask_mobiles("G371602201801010000 13800000001x") == (
        "G371602201801010000 138****0001x"
    )


# ---------------------------------------------------------------------------- error pages


def test_404_page_is_chinese_and_english_with_the_english_cookie(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Page not found" in client.get("/no-such-page/").content.decode()


@pytest.mark.urls(TEST_URLS)
def test_500_page_is_chinese(db):
    response = Client(raise_request_exception=False).get("/test/boom/")
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in body and "课后服务" in body
    assert "Traceback" not in body and "13800000001" not in body


def test_500_and_503_pages_render_without_the_database(db):
    with CaptureQueriesContext(connection) as queries:
        server_error = loader.get_template("500.html").render()
        request = RequestFactory().get("/apply/")
        request.user = SimpleLazyObject(lambda: pytest.fail("the busy page loaded the user"))
        request.session = SimpleLazyObject(lambda: pytest.fail("the busy page read the session"))
        busy = busy_response(request, PoolTimeout("couldn't get a connection"))
    assert len(queries) == 0
    assert "系统出错了" in server_error
    assert "系统繁忙" in busy.content.decode()


# ---------------------------------------------------------------------------- busy: 503


@pytest.mark.urls(TEST_URLS)
@pytest.mark.parametrize(
    "path",
    [
        "/test/pool-timeout/",
        "/test/too-many-clients/",
        "/test/remaining-slots/",
        "/test/locked/",  # SQLite: a writer waited its whole timeout for the lock
    ],
)
def test_no_connection_to_give_is_answered_503_busy_with_retry_after(db, json_log, path):
    client = Client(raise_request_exception=False)
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.BUSY_RETRY_AFTER_SECONDS)
    assert "系统繁忙" in response.content.decode()
    [line] = [line for line in json_log() if line["name"] == "django.request"]
    assert line["levelname"] == "WARNING" and line["status"] == 503 and line["path"] == path
    # in English with the English cookie
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "The system is busy" in client.get(path).content.decode()


@pytest.mark.urls(TEST_URLS)
def test_other_database_errors_stay_500(db):
    assert Client(raise_request_exception=False).get("/test/lost/").status_code == 500
    assert not is_busy(OperationalError("server closed the connection unexpectedly"))


def test_a_pool_that_cannot_connect_is_answered_503_before_any_work(client, db):
    def no_connection():
        try:
            raise PoolTimeout("couldn't get a connection after 5.00 sec")
        except PoolTimeout as error:
            raise OperationalError(*error.args) from error

    with mock.patch.object(connection, "ensure_connection", no_connection):
        response = client.get("/login/")
    assert response.status_code == 503
    assert "系统繁忙" in response.content.decode()


@pytest.fixture
def pool_of_one(db):
    """While the test runs, new connections come from a pool of one (this test's own
    connection stays in its pool and transaction)."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    pools = DatabaseWrapper._connection_pools
    options = connection.settings_dict["OPTIONS"]  # shared by every thread's connection
    saved_pool, saved_options = pools.pop(connection.alias), options["pool"]
    options["pool"] = {"min_size": 0, "max_size": 1, "timeout": 0.5}
    yield
    small = pools.pop(connection.alias, None)
    if small is not None:
        small.close()
    pools[connection.alias], options["pool"] = saved_pool, saved_options


def _in_a_thread(work):
    """Run `work` in a new thread, as a server thread would, with its own connection."""
    result = {}

    def run():
        try:
            result["value"] = work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    return result["value"]


@pytest.mark.skipif(
    not settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    reason="connections are pooled on PostgreSQL only",
)
def test_a_real_pool_of_one_held_by_another_thread_answers_503(pool_of_one):
    # given a pool of one connection, which another thread holds
    held, release = threading.Event(), threading.Event()

    def hold():
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
        held.set()
        release.wait(30)

    holder = threading.Thread(target=_in_a_thread, args=(hold,))
    holder.start()
    try:
        assert held.wait(30)
        # when a request comes
        response = _in_a_thread(lambda: Client().get("/login/"))
        # then it is told to come back, not given an error
        assert response.status_code == 503
        assert response["Retry-After"] == str(settings.BUSY_RETRY_AFTER_SECONDS)
        assert "系统繁忙" in response.content.decode()
    finally:
        release.set()
        holder.join(30)
    # and once the connection is back, pages are served again
    assert _in_a_thread(lambda: Client().get("/login/")).status_code == 200


# ---------------------------------------------------------------------------- /healthz


def test_healthz_answers_ok_without_data_for_any_host(client, db):
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_is_down(client, db, json_log):
    def down():
        raise OperationalError("connection refused")

    with mock.patch.object(connection, "cursor", down):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    [line] = [line for line in json_log() if line["name"] == "django.request"]
    assert line["levelname"] == "ERROR" and line["status"] == 503


# ---------------------------------------------------------------------------- bench switch


def test_queries_are_counted_only_when_the_bench_asks(client, db, settings):
    user = f.UserFactory(role=User.Role.GUARDIAN)
    client.force_login(user)
    assert "X-Kehou-Queries" not in client.get("/login/")
    settings.MIDDLEWARE = ["kehou.core.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]
    counting = Client()  # a client loads the middleware once
    counting.force_login(user)
    response = counting.get("/login/")  # a logged-in user is sent home: session + user
    assert response.status_code == 302
    assert int(response["X-Kehou-Queries"]) >= 2


def test_the_busy_page_shows_the_visitor_as_logged_out():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    body = busy_response(request, PoolTimeout()).content.decode()
    assert "退出登录" not in body
