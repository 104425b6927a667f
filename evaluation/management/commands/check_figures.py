"""`manage.py check_figures`: recompute every stored or served figure and list the differences
(exit status 1 when there is any)."""

import sys

from django.core.management.base import BaseCommand

from evaluation.figures.check import figure_differences


class Command(BaseCommand):
    help = "Recalcule chaque chiffre stocké ou servi depuis les données et liste les différences."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-lag",
            action="store_true",
            help="Tolère les chiffres de synthèse (distributions, totaux trimestriels) calculés avant la "
            "dernière modification, dans leur délai documenté.",
        )

    def handle(self, *args, **options):
        differences = figure_differences(allow_lag=options["allow_lag"])
        for line in differences:
            self.stdout.write(line)
        if differences:
            self.stderr.write(f"{len(differences)} différence(s).")
            sys.exit(1)
        self.stdout.write("Aucune différence : chaque chiffre correspond aux données.")
