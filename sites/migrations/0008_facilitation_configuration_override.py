"""The facilitation configuration is derived from the facilitators recorded; the stored field becomes
an explicit override. A stored « Une seule personne » was the field's default (an empty site counted
as one person), so it is cleared and derived from now on; the other values were chosen by someone
and stay as overrides, shown as such."""

from django.db import migrations, models


def clear_the_default(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.filter(configuration_override="single").update(configuration_override="")


def restore_the_default(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.filter(configuration_override="").update(configuration_override="single")


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0007_quarter_stats_logbook_reviews"),
    ]

    operations = [
        migrations.RenameField(
            model_name="site",
            old_name="facilitation_configuration",
            new_name="configuration_override",
        ),
        migrations.AlterField(
            model_name="site",
            name="configuration_override",
            field=models.CharField(
                blank=True,
                choices=[
                    ("none", "Aucune personne enregistrée"),
                    ("single", "Une seule personne"),
                    ("with_support", "Une personne avec un appui"),
                    ("shared", "Fonction partagée entre plusieurs professionnel·les"),
                ],
                default="",
                help_text=(
                    "Laisser vide : la configuration se déduit des personnes enregistrées dans l'équipe "
                    "d'animation. À remplir seulement si ces personnes ne la reflètent pas."
                ),
                max_length=20,
                verbose_name="configuration de l'animation (saisie manuelle)",
            ),
        ),
        migrations.RenameField(
            model_name="historicalsite",
            old_name="facilitation_configuration",
            new_name="configuration_override",
        ),
        migrations.AlterField(
            model_name="historicalsite",
            name="configuration_override",
            field=models.CharField(
                blank=True,
                choices=[
                    ("none", "Aucune personne enregistrée"),
                    ("single", "Une seule personne"),
                    ("with_support", "Une personne avec un appui"),
                    ("shared", "Fonction partagée entre plusieurs professionnel·les"),
                ],
                default="",
                help_text=(
                    "Laisser vide : la configuration se déduit des personnes enregistrées dans l'équipe "
                    "d'animation. À remplir seulement si ces personnes ne la reflètent pas."
                ),
                max_length=20,
                verbose_name="configuration de l'animation (saisie manuelle)",
            ),
        ),
        migrations.RunPython(clear_the_default, restore_the_default),
    ]
