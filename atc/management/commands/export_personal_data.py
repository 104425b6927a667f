import json

from django.core.management.base import BaseCommand, CommandError

from atc.models import User
from atc.personal_data import personal_data_export, personal_data_export_csv


class Command(BaseCommand):
    help = "Exporte les données personnelles d'une personne (compte par e-mail, ou nom) en JSON ou CSV."

    def add_arguments(self, parser):
        parser.add_argument("--email", help="adresse e-mail du compte")
        parser.add_argument(
            "--name", help="nom d'une personne sans compte (animateur·rice, membre d'instance)"
        )
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, email=None, name=None, format="json", **options):
        if not email and not name:
            raise CommandError("Indiquez --email ou --name.")
        user = None
        if email:
            user = User.objects.filter(email__iexact=email.strip()).first()
            if user is None:
                raise CommandError(f"Aucun compte avec l'adresse {email}.")
        data = personal_data_export(user=user, name=name)
        if format == "csv":
            self.stdout.write(personal_data_export_csv(data), ending="")
        else:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
