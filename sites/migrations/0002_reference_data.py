"""Load the 3 networks, the 15 real sites and their QPV, the priority models and the schemes."""

from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from sites import reference

    Network = apps.get_model("sites", "Network")
    Neighbourhood = apps.get_model("sites", "Neighbourhood")
    Site = apps.get_model("sites", "Site")
    PriorityModel = apps.get_model("sites", "PriorityModel")
    Scheme = apps.get_model("sites", "Scheme")

    networks = {}
    for code, name, full_name in reference.NETWORKS:
        networks[name], _ = Network.objects.update_or_create(
            code=code, defaults={"name": name, "full_name": full_name}
        )
    for code, label in reference.PRIORITY_MODELS:
        PriorityModel.objects.update_or_create(code=code, defaults={"label": label})
    for code, label in reference.SCHEMES:
        Scheme.objects.update_or_create(code=code, defaults={"label": label})

    for row in reference.read_sites():
        notes = row["notes"]
        if row["confidence"] != "high" or notes:
            notes = f"{notes}\nFiabilité (source) : {row['confidence_text']}".strip()
        site, _ = Site.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "city": row["city"],
                "neighbourhood_label": row["neighbourhood_label"],
                "insee_code": row["insee_code"],
                "departement_code": row["departement_code"],
                "departement_name": row["departement_name"],
                "region": row["region"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
                "network": networks[row["network"]],
                "data_confidence": row["confidence"],
                "data_notes": notes,
                "data_sources": row["sources"],
            },
        )
        for name, code_2015, code_2024 in row["neighbourhoods"]:
            qpv, _ = Neighbourhood.objects.update_or_create(
                code_2015=code_2015, defaults={"name": name, "code_2024": code_2024}
            )
            site.neighbourhoods.add(qpv)


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
