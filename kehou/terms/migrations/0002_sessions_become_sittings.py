"""Sessions become sittings, in the sittings app: the table is handed over, not dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("terms", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Session")],
        ),
    ]
