"""External organisations: a vetting status with its date and reason instead of a flag,
the business scope and the categories the organisation may offer."""

from django.db import migrations, models


def flag_to_status(apps, schema_editor):
    Organisation = apps.get_model("org", "ExternalOrganisation")
    for organisation in Organisation.objects.filter(is_vetted=True):
        organisation.status = "approved"
        organisation.status_on = organisation.vetted_on
        organisation.save(update_fields=["status", "status_on"])


def status_to_flag(apps, schema_editor):
    Organisation = apps.get_model("org", "ExternalOrganisation")
    for organisation in Organisation.objects.filter(status="approved"):
        organisation.is_vetted = True
        organisation.vetted_on = organisation.status_on
        organisation.save(update_fields=["is_vetted", "vetted_on"])


class Migration(migrations.Migration):
    dependencies = [("org", "0002_person_full_name_label")]

    operations = [
        migrations.AddField(
            model_name="externalorganisation",
            name="offers",
            field=models.JSONField(
                blank=True, default=list, help_text="Categories of service.", verbose_name="may offer"
            ),
        ),
        migrations.AddField(
            model_name="externalorganisation",
            name="scope",
            field=models.TextField(
                blank=True, help_text="As on the licence (经营范围).", verbose_name="business scope"
            ),
        ),
        migrations.AddField(
            model_name="externalorganisation",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Awaiting vetting"),
                    ("approved", "Approved"),
                    ("refused", "Refused"),
                    ("suspended", "Suspended"),
                ],
                default="pending",
                max_length=10,
                verbose_name="vetting status",
            ),
        ),
        migrations.AddField(
            model_name="externalorganisation",
            name="status_on",
            field=models.DateField(blank=True, null=True, verbose_name="status since"),
        ),
        migrations.AddField(
            model_name="externalorganisation",
            name="status_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="reason"),
        ),
        migrations.RunPython(flag_to_status, status_to_flag),
        migrations.RemoveField(model_name="externalorganisation", name="is_vetted"),
        migrations.RemoveField(model_name="externalorganisation", name="vetted_on"),
    ]
