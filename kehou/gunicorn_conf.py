"""gunicorn settings for kehou in production (docs/production.md):

    gunicorn -c kehou/gunicorn_conf.py              # from the source tree
    gunicorn -c python:kehou.gunicorn_conf          # from an installed package

gthread workers: KEHOU_WEB_WORKERS processes (default 2) of KEHOU_WEB_THREADS threads
(default 8). Each thread serves one request at a time with at most one database
connection, taken from its process's pool (KEHOU_DB_POOL_MAX, default 10), so the web tier
holds at most workers × pool max connections (2 × 10 = 20 by default) whatever the load.

A rush does not drop connections: the kernel queues up to `backlog` connections that no
worker has accepted yet, each worker accepts up to `worker_connections` and queues their
requests for its threads; a request waits its turn rather than being refused, and one that
cannot get a database connection in time is answered 503 "busy, try again"
(kehou.core.middleware), never dropped.
"""

import logging
import os

wsgi_app = "kehou.wsgi:application"
bind = os.environ.get("KEHOU_BIND", "127.0.0.1:8000").split(",")
worker_class = "gthread"
workers = int(os.environ.get("KEHOU_WEB_WORKERS", "2"))
threads = int(os.environ.get("KEHOU_WEB_THREADS", "8"))
# Connections the kernel holds for us before accept(); Linux caps it at
# net.core.somaxconn (4096 on current kernels).
backlog = int(os.environ.get("KEHOU_WEB_BACKLOG", "2048"))
worker_connections = 1000
# gthread's main loop tells the arbiter it is alive while its threads work, so `timeout`
# only kills a worker that is really stuck; a busy one is never restarted mid-rush.
timeout = 30
graceful_timeout = 30
keepalive = 5
# The control socket's default path is per user, shared by every gunicorn on the machine.
control_socket_disable = True

_json = {
    "()": "kehou.core.logs.JsonFormatter",
    "fmt": "%(levelname)s %(name)s %(message)s",
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": _json},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        # Requests are logged by the proxy in front; KEHOU_ACCESS_LOG=1 logs them here too.
        "gunicorn.access": {
            "level": "INFO" if os.environ.get("KEHOU_ACCESS_LOG") == "1" else "WARNING",
            "handlers": ["console"],
            "propagate": False,
        },
    },
}


def on_starting(server) -> None:
    """Read the settings once in the master, so a missing KEHOU_SECRET_KEY or a bad pool
    size stops gunicorn at once with its message instead of failing every worker's boot;
    then state the connection budget."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kehou.settings")
    from django.conf import settings

    database = settings.DATABASES["default"]
    pool = database.get("OPTIONS", {}).get("pool")
    log = logging.getLogger("gunicorn.error")
    if not pool:
        log.info("kehou: %d workers × %d threads, no connection pool", workers, threads)
        return
    log.info(
        "kehou: %d workers × %d threads; pool of %d-%d connections per worker: "
        "at most %d connections to PostgreSQL from the web tier",
        workers,
        threads,
        pool["min_size"],
        pool["max_size"],
        workers * pool["max_size"],
    )
    if pool["max_size"] < threads:
        log.warning(
            "kehou: KEHOU_DB_POOL_MAX (%d) is below KEHOU_WEB_THREADS (%d): threads will "
            "wait for connections and some requests will be answered 503",
            pool["max_size"],
            threads,
        )
