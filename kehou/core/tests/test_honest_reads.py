"""The suite's guard that a GET never writes (kehou.testing.pytest_plugin) does catch a write, and
lets a POST write."""

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from kehou import urls as project_urls
from kehou.core.models import PeriodicJob
from kehou.testing.pytest_plugin import WriteOnGet


@csrf_exempt
def writing_view(request):
    PeriodicJob.objects.create(name=f"written by {request.method}", next_run_at="2026-01-01T00:00Z")
    return HttpResponse("ok")


urlpatterns = [path("write/", writing_view), *project_urls.urlpatterns]


@pytest.mark.urls("kehou.core.tests.test_honest_reads")
def test_a_get_that_writes_fails_the_test(db):
    with pytest.raises(WriteOnGet):
        Client().get("/write/")


@pytest.mark.urls("kehou.core.tests.test_honest_reads")
def test_a_post_may_write(db):
    assert Client().post("/write/").status_code == 200
    assert PeriodicJob.objects.get().name == "written by POST"
