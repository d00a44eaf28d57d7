"""The plan's service days and a slot's weekdays: JSON lists become WeekdaysFields (bit
masks), converted row by row; a slot's None (every service day) stays None."""

from django.db import migrations

import kehou.core.fields


def _mask(days):
    mask = 0
    for day in days or []:
        if 0 <= int(day) <= 6:
            mask |= 1 << int(day)
    return mask


def lists_to_masks(apps, schema_editor):
    SchoolPlan = apps.get_model("policy", "SchoolPlan")
    PlanSlot = apps.get_model("policy", "PlanSlot")
    for plan in SchoolPlan.objects.only("pk", "service_weekdays_json").iterator():
        SchoolPlan.objects.filter(pk=plan.pk).update(
            service_weekdays=_mask(plan.service_weekdays_json)
        )
    for slot in PlanSlot.objects.only("pk", "weekdays_json").iterator():
        if slot.weekdays_json is not None:
            PlanSlot.objects.filter(pk=slot.pk).update(weekdays=_mask(slot.weekdays_json))


def masks_to_lists(apps, schema_editor):
    SchoolPlan = apps.get_model("policy", "SchoolPlan")
    PlanSlot = apps.get_model("policy", "PlanSlot")
    for plan in SchoolPlan.objects.only("pk", "service_weekdays").iterator():
        SchoolPlan.objects.filter(pk=plan.pk).update(service_weekdays_json=plan.service_weekdays)
    for slot in PlanSlot.objects.only("pk", "weekdays").iterator():
        PlanSlot.objects.filter(pk=slot.pk).update(weekdays_json=slot.weekdays)


class Migration(migrations.Migration):
    dependencies = [("policy", "0003_profile_templates")]

    operations = [
        migrations.RenameField("schoolplan", "service_weekdays", "service_weekdays_json"),
        migrations.RenameField("planslot", "weekdays", "weekdays_json"),
        migrations.AddField(
            model_name="schoolplan",
            name="service_weekdays",
            field=kehou.core.fields.WeekdaysField(default=list, verbose_name="service days"),
        ),
        migrations.AddField(
            model_name="planslot",
            name="weekdays",
            field=kehou.core.fields.WeekdaysField(blank=True, null=True, verbose_name="only on"),
        ),
        migrations.RunPython(lists_to_masks, masks_to_lists),
        migrations.RemoveField("schoolplan", "service_weekdays_json"),
        migrations.RemoveField("planslot", "weekdays_json"),
    ]
