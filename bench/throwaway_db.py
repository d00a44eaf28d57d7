"""A fresh, empty database for one benchmark: on PostgreSQL (when DATABASE_URL points
there) a database of the given name, dropped and created anew; otherwise an SQLite file
in a temporary folder. Sets DATABASE_URL (and KEHOU_VAR_DIR for SQLite) before Django
starts, and returns a label for the printout."""

import os
import tempfile


def prepare_throwaway_database(name: str) -> str:
    # Benchmarks run the production settings (no debug query log); the key signs nothing
    # that outlives the run.
    os.environ.setdefault("KEHOU_SECRET_KEY", "bench-only-secret-key")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        base, _, _old = url.rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        return f"PostgreSQL ({name})"
    tmp = tempfile.mkdtemp(prefix=f"{name}-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["KEHOU_VAR_DIR"] = tmp
    return f"SQLite ({tmp}/bench.sqlite3)"
