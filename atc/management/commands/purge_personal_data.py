from django.core.management.base import BaseCommand

from atc.personal_data import personal_data_purge


class Command(BaseCommand):
    help = (
        "Applique les durées de conservation des données personnelles. Sans --apply, affiche "
        "seulement ce qui serait effacé (simulation)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="effacer réellement")

    def handle(self, *args, apply=False, **options):
        report = personal_data_purge(apply=apply)
        verb = "Effacé" if apply else "Simulation — serait effacé"
        self.stdout.write(
            f"{verb} : {len(report.accounts)} compte(s) inutilisé(s) depuis 3 ans, "
            f"{report.facilitator_rows} nom(s) d'animateur·rice (fin de mission > 5 ans), "
            f"{report.committee_seats} nom(s) de membre d'instance (fin > 5 ans), "
            f"{report.expired_sessions} session(s) expirée(s)."
        )
        for account in report.accounts:
            self.stdout.write(f"  - {account}")
        if not apply:
            self.stdout.write("Relancez avec --apply pour effacer.")
