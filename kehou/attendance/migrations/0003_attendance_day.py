"""A mark carries its sitting's date (`day`): the partition key on PostgreSQL (0004) and
what a month's figures filter on. The index on (school, marked_at) served nothing; the
monthly report reads (school, day)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_days(apps, schema_editor):
    Attendance = apps.get_model("attendance", "Attendance")
    Sitting = apps.get_model("sittings", "Sitting")
    Attendance.objects.using(schema_editor.connection.alias).filter(day__isnull=True).update(
        day=Subquery(Sitting.objects.filter(pk=OuterRef("sitting_id")).values("date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0002_marked_by_kehou"),
        ("sittings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="day",
            field=models.DateField(null=True, verbose_name="day"),
        ),
        migrations.RunPython(fill_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attendance",
            name="day",
            field=models.DateField(verbose_name="day"),
        ),
        migrations.RemoveIndex(model_name="attendance", name="attendance_school_idx"),
        migrations.AddIndex(
            model_name="attendance",
            index=models.Index(fields=["school", "day"], name="attendance_school_day_idx"),
        ),
    ]
