from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("policy", "0004_weekday_masks"),
    ]

    operations = [
        migrations.AddField(
            model_name="schoolplan",
            name="published_shortfalls",
            field=models.JSONField(
                blank=True, default=None, null=True, verbose_name="shortfalls when published"
            ),
        ),
    ]
