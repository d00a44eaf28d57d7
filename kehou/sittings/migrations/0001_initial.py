"""Sittings take over the sessions table of the terms app (its rows, attendance marks
included), then gain the offering, room and responsible adult of a meeting."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0001_initial"),
        ("org", "0002_person_full_name_label"),
        ("policy", "0004_weekday_masks"),
        ("terms", "0002_sessions_become_sittings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Sitting",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(verbose_name="date")),
                        ("timetable_weekday", models.PositiveSmallIntegerField(help_text="The weekday whose timetable runs (differs on 调休 days).", verbose_name="timetable of")),
                        ("start", models.TimeField(verbose_name="start")),
                        ("end", models.TimeField(verbose_name="end")),
                        ("grade_from", models.PositiveSmallIntegerField(verbose_name="from grade")),
                        ("grade_to", models.PositiveSmallIntegerField(verbose_name="to grade")),
                        ("kind", models.CharField(max_length=20, verbose_name="kind")),
                        ("label", models.CharField(blank=True, max_length=50, verbose_name="label")),
                        ("is_makeup_day", models.BooleanField(default=False, verbose_name="make-up workday")),
                        ("in_vacation", models.BooleanField(default=False, verbose_name="vacation opening week")),
                        ("roll_taken_at", models.DateTimeField(blank=True, null=True, verbose_name="roll taken at")),
                        ("plan", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="sittings", to="policy.schoolplan")),
                        ("school", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sittings", to="org.school")),
                        ("slot", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="sittings", to="policy.planslot")),
                        ("term", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="sittings", to="terms.term")),
                    ],
                    options={"db_table": "terms_session"},
                ),
                migrations.AddIndex(
                    model_name="sitting",
                    index=models.Index(fields=["school", "date"], name="terms_sessi_school__ac0f58_idx"),
                ),
                migrations.AddConstraint(
                    model_name="sitting",
                    constraint=models.UniqueConstraint(fields=("school", "date", "start", "grade_from", "grade_to", "kind"), name="unique_session"),
                ),
            ],
        ),
        migrations.AlterModelTable(name="sitting", table=None),
        migrations.RenameIndex(model_name="sitting", new_name="sitting_school_date_idx", old_name="terms_sessi_school__ac0f58_idx"),
        migrations.RemoveConstraint(model_name="sitting", name="unique_session"),
        migrations.AlterModelOptions(
            name="sitting",
            options={"ordering": ["school", "date", "start", "grade_from"], "verbose_name": "sitting", "verbose_name_plural": "sittings"},
        ),
        migrations.AlterField(
            model_name="sitting",
            name="kind",
            field=models.CharField(choices=[("regular", "After-school service"), ("extended_care", "Extended care (延时托管)"), ("evening_study", "Evening study (晚自习)"), ("boarding", "Boarders' evening service"), ("offering", "Activity group")], max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="sitting",
            name="label",
            field=models.CharField(blank=True, max_length=100, verbose_name="label"),
        ),
        migrations.AddField(
            model_name="sitting",
            name="offering",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="sittings", to="catalog.offering"),
        ),
        migrations.AddField(
            model_name="sitting",
            name="room",
            field=models.CharField(blank=True, max_length=100, verbose_name="room or venue"),
        ),
        migrations.AddField(
            model_name="sitting",
            name="responsible",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="sittings", to="org.staff", verbose_name="responsible adult"),
        ),
        migrations.AddConstraint(
            model_name="sitting",
            constraint=models.UniqueConstraint(condition=models.Q(("offering__isnull", True)), fields=("school", "date", "start", "grade_from", "grade_to", "kind"), name="unique_plan_sitting"),
        ),
        migrations.AddConstraint(
            model_name="sitting",
            constraint=models.UniqueConstraint(condition=models.Q(("offering__isnull", False)), fields=("offering", "date", "start"), name="unique_offering_sitting"),
        ),
        migrations.AddConstraint(
            model_name="sitting",
            constraint=models.CheckConstraint(condition=models.Q(models.Q(("kind", "offering"), ("offering__isnull", False)), models.Q(models.Q(("kind", "offering"), _negated=True), ("offering__isnull", True)), _connector="OR"), name="offering_sitting_has_offering"),
        ),
        migrations.AddConstraint(
            model_name="sitting",
            constraint=models.CheckConstraint(condition=models.Q(("end__gt", models.F("start"))), name="sitting_ends_after_start"),
        ),
    ]
