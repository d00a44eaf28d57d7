"""Run every benchmark once on SQLite and once on PostgreSQL and print their figures.

Benchmarks print figures and ratios against a baseline taken in the same run; they
never fail on time (these machines are shared and noisy).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/kehou_bench")

DATABASE_BENCHES = ["roster_import.py", "seed_city.py", "allocation_e2e.py"]
PURE_BENCHES = ["allocation_core.py"]
# The HTTP benchmarks, on PostgreSQL where production runs: the FCFS rush (runserver and
# gunicorn), roll call and dismissal under locust (bench/dismissal.py), the month's
# bills and pay sheets of the city (bench/money.py), and the region's monthly report, the
# dashboard and the 003 form on a month of the city's marks (bench/reports.py).
POSTGRES_BENCHES = ["fcfs.py", "dismissal.py", "money.py", "reports.py"]


# The benchmarks run the production settings (KEHOU_DEBUG unset), which need a secret key:
# a throwaway one for this run.
SECRET_KEY = os.environ.get("KEHOU_SECRET_KEY") or "bench-" + secrets.token_urlsafe(32)


def run(script: str, extra_env: dict[str, str]) -> int:
    env = {**os.environ, "KEHOU_SECRET_KEY": SECRET_KEY, **extra_env}
    env.pop("KEHOU_DEBUG", None)
    label = (extra_env.get("DATABASE_URL") or "sqlite (embedded)").split("@")[-1]
    print(f"\n=== {script} on {label} ===", flush=True)
    return subprocess.call([sys.executable, str(BENCH / script)], env=env)


def main() -> int:
    status = 0
    for script in DATABASE_BENCHES:
        if not (BENCH / script).exists():
            continue
        status |= run(script, {"DATABASE_URL": ""})
        status |= run(script, {"DATABASE_URL": PG_URL})
    for script in POSTGRES_BENCHES:
        status |= run(script, {"DATABASE_URL": PG_URL})
    for script in PURE_BENCHES:
        if (BENCH / script).exists():
            status |= run(script, {})
    return status


if __name__ == "__main__":
    sys.exit(main())
