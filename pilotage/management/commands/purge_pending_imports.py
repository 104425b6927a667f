from django.core.management.base import BaseCommand

from pilotage.imports.services import pending_files_purge


class Command(BaseCommand):
    help = "Efface les fichiers d'import vérifiés il y a plus de 24 h et jamais confirmés."

    def handle(self, *args, **options):
        deleted = pending_files_purge()
        self.stdout.write(f"{deleted} fichier(s) d'import abandonné(s) effacé(s).")
