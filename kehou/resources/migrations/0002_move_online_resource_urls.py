"""Each activity's old `online_resource_url` becomes one of its school's resources,
attached to every offering of the activity (catalog 0003 then drops the field).

One resource per school and address, whichever activities named it; its title is the
first such activity's name. Only web addresses (http, https) are moved: a resource's
address is a web page (the link a family is shown), and the old field allowed ftp too.
"""

from django.db import migrations

WEB_PREFIXES = ("http://", "https://")


def move_urls(apps, schema_editor):
    Activity = apps.get_model("catalog", "Activity")
    Resource = apps.get_model("resources", "Resource")
    OfferingResource = apps.get_model("resources", "OfferingResource")
    made: dict[tuple[int, str], object] = {}
    activities = (
        Activity.objects.exclude(online_resource_url="")
        .select_related("school")
        .prefetch_related("offerings")
        .order_by("school_id", "pk")
    )
    for activity in activities:
        url = activity.online_resource_url.strip()
        if not url.lower().startswith(WEB_PREFIXES):
            continue
        scheme, rest = url.split(":", 1)
        url = f"{scheme.lower()}:{rest}"  # the table's check reads the scheme in small letters
        offerings = list(activity.offerings.all())
        key = (activity.school_id, url)
        resource = made.get(key)
        if resource is None:
            grades = [(o.grade_from, o.grade_to) for o in offerings]
            resource = Resource.objects.create(
                region_id=activity.school.region_id,
                school_id=activity.school_id,
                title=activity.name[:200],
                kind="other",
                url=url,
                category=activity.category,
                grade_from=min((g[0] for g in grades), default=1),
                grade_to=max((g[1] for g in grades), default=9),
                is_free=True,
            )
            made[key] = resource
        for offering in offerings:
            OfferingResource.objects.get_or_create(
                offering_id=offering.pk,
                resource=resource,
                defaults={"school_id": activity.school_id},
            )


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0001_initial"),
        ("catalog", "0002_offering_held_seats"),
    ]

    operations = [migrations.RunPython(move_urls, migrations.RunPython.noop)]
