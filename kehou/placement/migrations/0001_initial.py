"""Allocation runs and outcomes, taken over from the enrollment app with their rows (the
tables are renamed, not recreated), plus the run's lease and task for the worker."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0001_initial"),
        ("enrollment", "0003_seat_events_and_weekday_masks"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AllocationRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("mechanism", models.CharField(choices=[("da", "Deferred acceptance (round-wise for several offerings)"), ("rsd", "Tiered random serial dictatorship (strictly strategy-proof)")], max_length=5, verbose_name="mechanism")),
                        ("max_extended_per_child", models.PositiveSmallIntegerField(verbose_name="k")),
                        ("seed", models.CharField(max_length=128, verbose_name="lottery seed")),
                        ("seed_hash", models.CharField(max_length=64, verbose_name="lottery seed hash")),
                        ("dry_run", models.BooleanField(default=False, verbose_name="dry run")),
                        ("status", models.CharField(choices=[("running", "Running"), ("done", "Done"), ("failed", "Failed")], default="running", max_length=10, verbose_name="status")),
                        ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="progress (%)")),
                        ("started_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("input_digest", models.CharField(blank=True, max_length=64)),
                        ("result_digest", models.CharField(blank=True, max_length=64)),
                        ("metrics", models.JSONField(default=dict, verbose_name="metrics")),
                        ("error", models.TextField(blank=True)),
                        ("menu", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="runs", to="catalog.menu")),
                        ("started_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"verbose_name": "allocation run", "verbose_name_plural": "allocation runs", "ordering": ["menu", "-started_at"], "db_table": "enrollment_allocationrun"},
                ),
                migrations.CreateModel(
                    name="AllocationOutcome",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("tier", models.PositiveSmallIntegerField(verbose_name="priority tier")),
                        ("lottery_number", models.PositiveIntegerField(verbose_name="lottery number")),
                        ("best_rank", models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="best choice obtained")),
                        ("explanation", models.TextField(verbose_name="why this result")),
                        ("application", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="outcomes", to="enrollment.application")),
                        ("run", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="outcomes", to="placement.allocationrun")),
                    ],
                    options={"verbose_name": "allocation outcome", "verbose_name_plural": "allocation outcomes", "db_table": "enrollment_allocationoutcome"},
                ),
                migrations.AddConstraint(
                    model_name="allocationoutcome",
                    constraint=models.UniqueConstraint(fields=("run", "application"), name="one_outcome_per_child_run"),
                ),
            ],
        ),
        migrations.AlterModelTable(name="allocationrun", table=None),
        migrations.AlterModelTable(name="allocationoutcome", table=None),
        migrations.AlterModelOptions(
            name="allocationrun",
            options={"ordering": ["menu", "-started_at"], "verbose_name": "allocation run", "verbose_name_plural": "allocation runs"},
        ),
        migrations.AlterModelOptions(
            name="allocationoutcome",
            options={"verbose_name": "allocation outcome", "verbose_name_plural": "allocation outcomes"},
        ),
        migrations.AlterField(
            model_name="allocationrun",
            name="status",
            field=models.CharField(choices=[("queued", "Waiting for the background worker"), ("running", "Running"), ("done", "Done"), ("failed", "Failed"), ("interrupted", "Interrupted")], default="queued", max_length=12, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="allocationrun",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="alive until"),
        ),
        migrations.AddField(
            model_name="allocationrun",
            name="task_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="background task"),
        ),
    ]
