"""What the HTTP benchmarks share: copies of a seeded database (one per measurement, so each
starts from the same rows), a Django alias to read what a server committed, a server
(runserver or gunicorn with kehou/gunicorn_conf.py) on a free port of 127.0.0.1 under the
production settings with KEHOU_COUNT_QUERIES=1, sessions written straight to the session
table, and a short printout of a cProfile run.

Import after DATABASE_URL is set (bench/throwaway_db.py) and, for the Django parts, after
django.setup().
"""

from __future__ import annotations

import cProfile
import datetime
import http.client
import io
import os
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------------- databases


def is_postgres() -> bool:
    return os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://"))


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def copy_database(suffixes: list[str]) -> dict[str, str]:
    """A copy of the seeded database per measurement: their DATABASE_URLs."""
    from django.db import connections

    connections.close_all()
    url = os.environ["DATABASE_URL"]
    copies = {}
    if is_postgres():
        import psycopg

        base, _, template = url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            for suffix in suffixes:
                name = f"{template}_{suffix}"
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
                copies[suffix] = f"{base}/{name}"
        return copies
    path = Path(url.removeprefix("sqlite:///"))
    for suffix in suffixes:
        copy = path.with_name(f"{path.stem}_{suffix}.sqlite3")
        shutil.copyfile(path, copy)
        copies[suffix] = f"sqlite:///{copy}"
    return copies


def drop_copies(copies: dict[str, str]) -> None:
    from django.db import connections

    connections.close_all()
    if not is_postgres():
        return
    import psycopg

    base = os.environ["DATABASE_URL"].rpartition("/")[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        for url in copies.values():
            conn.execute(f"DROP DATABASE IF EXISTS {url.rpartition('/')[2]} WITH (FORCE)")


def alias(url: str) -> str:
    """A Django database alias for one of the copies, to read what the server committed."""
    import dj_database_url
    from django.db import connections

    alias = "copy_" + url.rpartition("/")[2].replace(".", "_")
    if alias not in connections.settings:
        config = dict(connections.settings["default"])
        config.update({k: v for k, v in dj_database_url.parse(url).items() if k == "NAME"})
        connections.settings[alias] = config
    return alias


# ----------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(kind: str, port: int) -> list[str]:
    if kind == "runserver":
        return [sys.executable, "-m", "kehou", "runserver", "--noreload", f"127.0.0.1:{port}"]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "kehou" / "gunicorn_conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
    ]


class Server:
    """A server of `kind` on a free port of 127.0.0.1 over the database at `url`."""

    def __init__(self, kind: str, url: str, *, name: str = "bench", env=None) -> None:
        self.kind, self.port = kind, free_port()
        self.log = tempfile.NamedTemporaryFile("w+", prefix=f"kehou-{name}-{kind}-", suffix=".log")
        env = {k: v for k, v in {**os.environ, **(env or {})}.items() if k != "KEHOU_DB_POOL"}
        env.update({"DATABASE_URL": url, "KEHOU_COUNT_QUERIES": "1", "KEHOU_DEBUG": ""})
        self.process = subprocess.Popen(
            server_command(kind, self.port), cwd=ROOT, env=env, stdout=self.log, stderr=self.log
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.kind} server stopped:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
                conn.close()
            except OSError:
                pass
            time.sleep(0.2)
        self.process.terminate()
        raise RuntimeError(f"the {self.kind} server did not answer within 60 s:\n{self.tail()}")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def tail(self, size: int = 3000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-size:]

    def errors(self, limit: int = 3) -> list[str]:
        """The first error lines of the server's (JSON) log."""
        self.log.flush()
        self.log.seek(0)
        found = []
        for line in self.log:
            if '"ERROR"' in line or "Traceback" in line:
                found.append(line.strip()[:600])
                if len(found) >= limit:
                    break
        return found


# ----------------------------------------------------------------------- profile


def print_stats(profiler: cProfile.Profile, key: str, count: int, title: str) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(count)
    lines = out.getvalue().replace(str(ROOT) + "/", "").splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    print(f"{title}:")
    print(
        "\n".join(
            line.replace(".venv/lib/python3.11/site-packages/", "")
            for line in lines[start : start + count + 1]
        )
    )


# ----------------------------------------------------------------------- sessions


def write_sessions(users, hours: int = 4) -> list[str]:
    """A logged-in session for each user, written straight to the session table (thousands
    of argon2 logins would measure the password hasher): their keys, in order."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    expire = timezone.now() + datetime.timedelta(hours=hours)
    keys, rows = [], []
    for user in users:
        key = get_random_string(32)
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        keys.append(key)
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys
