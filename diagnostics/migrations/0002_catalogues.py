"""Load the shared catalogues: themes and territory-reading items."""

from django.db import migrations


def load(apps, schema_editor):
    from diagnostics import catalogue

    Theme = apps.get_model("diagnostics", "Theme")
    AssessmentItem = apps.get_model("diagnostics", "AssessmentItem")
    for order, (code, name) in enumerate(catalogue.THEMES):
        Theme.objects.update_or_create(code=code, defaults={"name": name, "order": order})
    for order, (code, label) in enumerate(catalogue.ASSESSMENT_ITEMS):
        AssessmentItem.objects.update_or_create(code=code, defaults={"label": label, "order": order})


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
