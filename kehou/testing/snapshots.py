"""What the database holds, to assert that a refusal changed nothing."""

from django.apps import apps

WATCHED_APPS = (
    "accounts",
    "org",
    "roster",
    "terms",
    "policy",
    "catalog",
    "enrollment",
    "placement",
    "sittings",
    "attendance",
    "custody",
    "notifications",
    "safety",
    "billing",
    "payments",
    "payroll",
    "resources",
    "surveys",
    "complaints",
    "supervision",
    "reports",
    "staffrecords",
    "core",
    "auditlog",
    "django_tasks_database",
)


# Columns that change by logging in, not by what a test is about.
VOLATILE = {"accounts.User": {"last_login"}}


def rows(*models) -> dict[str, list[tuple]]:
    """Every row of these models, all concrete columns, in primary-key order."""
    out = {}
    for model in models:
        skip = VOLATILE.get(model._meta.label, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        values = model.objects.order_by("pk").values_list(*columns)
        out[model._meta.label] = [tuple(str(v) for v in row) for row in values]
    return out


def everything() -> dict[str, list[tuple]]:
    """Every row of every kehou table, the change history and the task queue."""
    models = [
        model
        for label in WATCHED_APPS
        if label in {c.label for c in apps.get_app_configs()}
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    ]
    return rows(*models)


def refused(call):
    """Call `call`, which must refuse (a ValidationError) and change nothing; returns the
    refusal, for its codes and messages (kehou.core.errors.items)."""
    import pytest
    from django.core.exceptions import ValidationError

    before = everything()
    with pytest.raises(ValidationError) as info:
        call()
    assert everything() == before
    return info.value
