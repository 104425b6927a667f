"""`manage.py load_demo`: fill the 15 reference sites with the demo content and accounts."""

from django.core.management.base import BaseCommand, CommandError

from sites.demo import DEFAULT_PASSWORD, DemoError, load_demo


class Command(BaseCommand):
    help = (
        "Charge des données de démonstration réalistes (sept. 2019 – déc. 2021) sur les 15 sites "
        "et crée 6 comptes de démonstration. Peut être relancée sans rien dupliquer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help=(
                f"Mot de passe des 6 comptes de démonstration (par défaut « {DEFAULT_PASSWORD} » "
                "à la création). Donné, il remplace celui des comptes existants."
            ),
        )

    def handle(self, *args, password=None, **options):
        try:
            summary = load_demo(password=password)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        for line in summary.lines():
            self.stdout.write(line)
