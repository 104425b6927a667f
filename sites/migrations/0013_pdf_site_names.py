"""Site names without the reference data's doubt marker: « Roubaix – Nouveau Roubaix (déduit) »
read as part of the name in every report and page. The doubt stays where it belongs, in the site's
`data_confidence` and its notes (shown to administrators)."""

from django.db import migrations

MARKER = " (déduit)"


def strip_marker(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    taken = set(Site.objects.values_list("name", flat=True))
    for site in Site.objects.filter(name__contains=MARKER) | Site.objects.filter(
        neighbourhood_label__contains=MARKER
    ):
        name = site.name.replace(MARKER, "")
        if name != site.name and name in taken:
            name = site.name
        site.name = name
        site.neighbourhood_label = site.neighbourhood_label.replace(MARKER, "")
        site.save(update_fields=["name", "neighbourhood_label"])


class Migration(migrations.Migration):
    dependencies = [("sites", "0012_site_time_zone")]

    operations = [migrations.RunPython(strip_marker, migrations.RunPython.noop)]
