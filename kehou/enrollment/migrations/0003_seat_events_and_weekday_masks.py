"""Seat history, application weekdays as a bit mask, allocation runs handed to placement.

- `Application.service_weekdays` was a JSON list (not queryable on SQLite); it becomes a
  WeekdaysField (a bit mask), converted row by row.
- `Enrollment.run` goes: the run an enrolment came from is recorded in its SeatEvent.
- AllocationRun and AllocationOutcome now belong to the placement app: their tables are
  handed over (renamed there), not dropped.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import kehou.core.fields


def lists_to_masks(apps, schema_editor):
    Application = apps.get_model("enrollment", "Application")
    for app in Application.objects.only("pk", "service_weekdays_json").iterator():
        mask = 0
        for day in app.service_weekdays_json or []:
            if 0 <= int(day) <= 6:
                mask |= 1 << int(day)
        Application.objects.filter(pk=app.pk).update(service_weekdays=mask)


def masks_to_lists(apps, schema_editor):
    Application = apps.get_model("enrollment", "Application")
    for app in Application.objects.only("pk", "service_weekdays").iterator():
        Application.objects.filter(pk=app.pk).update(service_weekdays_json=app.service_weekdays)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("enrollment", "0002_run_mechanism_choices"),
        ("org", "0002_person_full_name_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("application", "service_weekdays", "service_weekdays_json"),
        migrations.AddField(
            model_name="application",
            name="service_weekdays",
            field=kehou.core.fields.WeekdaysField(default=list, verbose_name="service days"),
        ),
        migrations.RunPython(lists_to_masks, masks_to_lists),
        migrations.RemoveField("application", "service_weekdays_json"),
        migrations.RemoveField(model_name="enrollment", name="run"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AllocationOutcome"),
                migrations.DeleteModel(name="AllocationRun"),
            ],
        ),
        migrations.AlterField(
            model_name="enrollment",
            name="ends_on",
            field=models.DateField(
                blank=True,
                help_text="The first day the child is no longer in the group.",
                null=True,
                verbose_name="leaves from",
            ),
        ),
        migrations.AddIndex(
            model_name="enrollment",
            index=models.Index(fields=["offering", "starts_on"], name="enrolment_roster_idx"),
        ),
        migrations.AddConstraint(
            model_name="enrollment",
            constraint=models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="enrolment_ends_after_start",
            ),
        ),
        migrations.CreateModel(
            name="SeatEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("taken", "Seat taken"), ("ended", "Leaving date set"), ("released", "Seat released"), ("offered", "Seat offered from the waiting list"), ("declined", "Offer declined"), ("expired", "Offer expired"), ("waiting", "Joined the waiting list"), ("left_waitlist", "Left the waiting list")], max_length=15, verbose_name="change")),
                ("source", models.CharField(blank=True, max_length=15, verbose_name="source")),
                ("effective_on", models.DateField(blank=True, null=True, verbose_name="takes effect on")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="reason")),
                ("reference", models.CharField(blank=True, help_text="e.g. the allocation run", max_length=100, verbose_name="reference")),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="at")),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("enrollment", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="events", to="enrollment.enrollment")),
                ("offering", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="seat_events", to="catalog.offering")),
                ("school", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="org.school")),
                ("student", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="seat_events", to="org.student")),
            ],
            options={"verbose_name": "seat change", "verbose_name_plural": "seat changes", "ordering": ["at", "pk"]},
        ),
        migrations.AddIndex(
            model_name="seatevent",
            index=models.Index(fields=["student", "at"], name="seat_event_student_idx"),
        ),
    ]
