"""A guardian record per school (docs/adr/0007-guardians-across-schools.md).

Until now one Guardian per phone number was shared by every school that imported that
number. Each shared record is split: the school with the lowest id keeps it, every other
school gets a copy with the same name, phone and login, and its children's links and
applications move to that copy. Logins already linked are kept (they were made before
the rule; dropping one would cut a family off a child it may really have). A record linked
to no child and no application is a guardian of nobody and is removed. The next migration
makes the school required (apart, so that PostgreSQL alters the table after the data
changes are committed).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kehou.accounts.models


def split_per_school(apps, schema_editor):
    Guardian = apps.get_model("org", "Guardian")
    Link = apps.get_model("org", "StudentGuardian")
    Application = apps.get_model("enrollment", "Application")
    for guardian in Guardian.objects.order_by("pk").iterator():
        school_ids = sorted(
            set(Link.objects.filter(guardian=guardian).values_list("student__school_id", flat=True))
            | set(
                Application.objects.filter(guardian=guardian).values_list(
                    "student__school_id", flat=True
                )
            )
        )
        if not school_ids:
            guardian.delete()
            continue
        guardian.school_id = school_ids[0]
        guardian.save(update_fields=["school"])
        for school_id in school_ids[1:]:
            copy = Guardian.objects.create(
                school_id=school_id, name=guardian.name, phone=guardian.phone, user=guardian.user
            )
            Link.objects.filter(guardian=guardian, student__school_id=school_id).update(
                guardian=copy
            )
            Application.objects.filter(guardian=guardian, student__school_id=school_id).update(
                guardian=copy
            )
    if schema_editor.connection.vendor == "postgresql":
        # Check the moved rows' foreign keys now: PostgreSQL refuses the index this
        # migration creates at its end while deferred checks are still pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0003_organisation_vetting"),
        ("enrollment", "0004_seat_event_kinds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="guardian",
            name="school",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="guardians",
                to="org.school",
                verbose_name="school",
            ),
        ),
        migrations.AlterField(
            model_name="guardian",
            name="phone",
            field=models.CharField(
                max_length=11,
                validators=[kehou.accounts.models.validate_mobile],
                verbose_name="mobile phone",
            ),
        ),
        migrations.AlterField(
            model_name="guardian",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="guardian_records",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(split_per_school, migrations.RunPython.noop),
    ]
