"""Benchmark: seed the demo city into a throwaway database and print the figures.

    .venv/bin/python bench/seed_city.py                       # SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehou .venv/bin/python bench/seed_city.py
    .venv/bin/python bench/seed_city.py --schools 12 --students 6000 --no-tracemalloc

On PostgreSQL the script creates the database kehou_bench_seed (dropping any left over)
on the server DATABASE_URL points at, and drops it at the end; the database named in the
URL is left alone. It prints rows/s, elapsed seconds and peak memory; it asserts nothing
about time. tracemalloc slows Python down about fourfold, so --no-tracemalloc gives the
truer elapsed time.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCH_DB = "kehou_bench_seed"


def _admin_connection(url: str):
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    return psycopg.connect(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        autocommit=True,
    )


def _drop_bench_database(url: str) -> None:
    with _admin_connection(url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _prepare_database(url: str | None, tmp: str) -> str:
    """Return the DATABASE_URL of a fresh, empty throwaway database."""
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{Path(tmp) / 'bench-seed.sqlite3'}"
    with _admin_connection(url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    return urlsplit(url)._replace(path=f"/{BENCH_DB}").geturl()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=362)
    parser.add_argument("--students", type=int, default=190_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kehou-bench-") as tmp:
        os.environ["DATABASE_URL"] = _prepare_database(os.environ.get("DATABASE_URL"), tmp)
        os.environ["KEHOU_VAR_DIR"] = tmp
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from kehou.demo.seed import seed_city

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_seconds = time.perf_counter() - started

        if not args.no_tracemalloc:
            tracemalloc.start()
        summary = seed_city(schools=args.schools, students=args.students, seed=args.seed)
        peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else None
        tracemalloc.stop()
        maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        print(f"database        {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"migrate         {migrate_seconds:.1f} s")
        print(f"schools         {summary.schools:,}")
        print(f"classes         {summary.classes:,}")
        print(f"students        {summary.students:,}")
        print(f"guardians       {summary.guardians:,}")
        print(f"guardian links  {summary.guardian_links:,}")
        print(f"staff           {summary.staff:,}")
        print(f"users           {summary.users:,}")
        print(f"rows in all     {summary.rows:,}")
        print(f"elapsed         {summary.elapsed:.1f} s")
        print(f"students/s      {summary.students / summary.elapsed:,.0f}")
        print(f"rows/s          {summary.rows / summary.elapsed:,.0f}")
        if peak is not None:
            print(f"tracemalloc     peak {peak / 2**20:,.1f} MiB")
        print(f"ru_maxrss       {maxrss_kib / 1024:,.1f} MiB")
        connection.close()
    if BENCH_DB in os.environ["DATABASE_URL"]:
        _drop_bench_database(os.environ["DATABASE_URL"])


if __name__ == "__main__":
    main()
