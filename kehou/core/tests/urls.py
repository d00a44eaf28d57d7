"""Views that fail on purpose, beside kehou's own pages (the error pages link to them)."""

from django.db import OperationalError
from django.urls import path
from psycopg_pool import PoolTimeout

from kehou.urls import urlpatterns as kehou_urlpatterns


def boom(request):
    raise RuntimeError("roster row for 13800000001 could not be read")


def pool_timeout(request):
    raise PoolTimeout("couldn't get a connection after 5.00 sec")


def too_many_clients(request):
    try:
        raise PoolTimeout("FATAL:  sorry, too many clients already")
    except PoolTimeout as error:
        raise OperationalError("FATAL:  sorry, too many clients already") from error


def remaining_slots(request):
    raise OperationalError(
        "FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute"
    )


def locked(request):
    raise OperationalError("database is locked")


def lost(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("test/boom/", boom),
    path("test/pool-timeout/", pool_timeout),
    path("test/too-many-clients/", too_many_clients),
    path("test/remaining-slots/", remaining_slots),
    path("test/locked/", locked),
    path("test/lost/", lost),
    *kehou_urlpatterns,
]
