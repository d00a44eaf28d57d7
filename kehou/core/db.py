"""Database upkeep after bulk writes."""

from django.db import connection, transaction


def analyze(*models) -> None:
    """Refresh PostgreSQL's planner statistics for these tables (every table without
    arguments). Bulk writes (the seed, a roster import, an allocation's results) change a
    table's size by orders of magnitude before autovacuum notices; a planner still reading
    the old statistics chose 13-second plans for a count on a freshly seeded city."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not models:
            cursor.execute("ANALYZE")
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def analyze_after_commit(*models) -> None:
    """`analyze` once the current transaction has committed (statistics of the new rows)."""
    transaction.on_commit(lambda: analyze(*models))
