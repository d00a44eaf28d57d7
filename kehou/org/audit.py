"""Which records keep a change history (SPEC R26: every change to a child's data).

django-auditlog records saves and deletes through the model layer. Bulk writes
(`bulk_create`, `QuerySet.update`) bypass it, so code that writes children's data in
bulk must call `log_bulk_created` / `log_bulk_changes` itself.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType

from kehou.accounts.models import User
from kehou.lib.validators import mask_mobile

PHONE_MASK = ["phone"]


def register_models() -> None:
    from kehou.org import models as m

    auditlog.register(m.Student)
    auditlog.register(m.ClassMembership)
    auditlog.register(m.Guardian, mask_fields=PHONE_MASK, exclude_fields=["user"])
    auditlog.register(m.StudentGuardian)
    auditlog.register(m.AuthorisedCollector, mask_fields=PHONE_MASK)
    auditlog.register(m.Staff, mask_fields=PHONE_MASK)
    auditlog.register(m.ExternalOrganisation)
    auditlog.register(
        User,
        include_fields=["name", "phone", "role", "school", "region", "is_active"],
        mask_fields=PHONE_MASK,
    )


def log_bulk_created(objects, *, actor, fields: list[str]) -> None:
    """One CREATE entry per object, as auditlog would have written for a save()."""
    _bulk_log(
        objects,
        actor=actor,
        action=LogEntry.Action.CREATE,
        changes_for=lambda o: {f: ["None", _text(o, f)] for f in fields},
    )


def log_bulk_changes(changes: list[tuple[object, dict[str, list[str]]]], *, actor) -> None:
    """`changes` pairs each object with {field: [old, new]}."""
    by_obj = dict((id(o), c) for o, c in changes)
    _bulk_log(
        [o for o, _ in changes],
        actor=actor,
        action=LogEntry.Action.UPDATE,
        changes_for=lambda o: by_obj[id(o)],
    )


def _text(obj, field: str) -> str:
    """The value as auditlog writes it for a save: a related record by its id (the
    history page turns ids into names), a phone masked, anything else as text."""
    model_field = obj._meta.get_field(field)
    if model_field.is_relation and model_field.concrete:
        value = getattr(obj, model_field.attname)
        return "None" if value is None else str(value)
    value = getattr(obj, field)
    return mask_mobile(value) if field in PHONE_MASK else str(value)


def _bulk_log(objects, *, actor, action, changes_for) -> None:
    entries = []
    for obj in objects:
        content_type = ContentType.objects.get_for_model(obj)
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=str(obj)[:200],
                action=action,
                changes=changes_for(obj),
                actor=actor,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=1000)
