from django.core.management.base import BaseCommand, CommandError

from atc.models import User
from atc.personal_data import personal_data_erase


class Command(BaseCommand):
    help = "Efface les données personnelles d'une personne (compte par e-mail, ou nom). Irréversible."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="adresse e-mail du compte")
        parser.add_argument("--name", help="nom d'une personne sans compte")
        parser.add_argument("--yes", action="store_true", help="confirme l'effacement")

    def handle(self, *args, email=None, name=None, yes=False, **options):
        if not email and not name:
            raise CommandError("Indiquez --email ou --name.")
        user = None
        if email:
            user = User.objects.filter(email__iexact=email.strip()).first()
            if user is None:
                raise CommandError(f"Aucun compte avec l'adresse {email}.")
        if not yes:
            raise CommandError("L'effacement est irréversible : relancez avec --yes pour confirmer.")
        report = personal_data_erase(user=user, name=name)
        self.stdout.write(
            f"Effacé : {report.accounts} compte(s), {report.facilitator_rows} affectation(s) "
            f"d'animation, {report.committee_seats} siège(s) d'instance, "
            f"{report.schedule_recipients} liste(s) de diffusion, {report.admin_log_entries} entrée(s) "
            f"du journal d'administration, {report.sessions} session(s), {report.api_tokens} jeton(s) d'API, "
            f"{report.reports_reissued} rapport(s) PDF qui le nommaient, supprimés et en cours de "
            f"réédition sans son nom (les exemplaires déjà envoyés ou téléchargés restent hors "
            f"d'atteinte)."
        )
