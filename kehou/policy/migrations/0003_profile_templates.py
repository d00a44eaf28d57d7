"""Install the four template profiles (one per seed locality) in every database."""

from django.db import migrations


def install(apps, schema_editor):
    from kehou.policy.profile_templates import install_templates

    install_templates(apps.get_model("policy", "PolicyProfile"),
                      apps.get_model("policy", "PolicyProfileVersion"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0002_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
