"""Every guardian record belongs to a school (after 0004 gave each one its school)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("org", "0004_guardian_per_school")]

    operations = [
        migrations.AlterField(
            model_name="guardian",
            name="school",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="guardians",
                to="org.school",
                verbose_name="school",
            ),
        ),
        migrations.AddConstraint(
            model_name="guardian",
            constraint=models.UniqueConstraint(
                fields=("school", "phone"), name="unique_guardian_per_school"
            ),
        ),
    ]
