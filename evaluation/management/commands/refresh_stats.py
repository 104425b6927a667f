"""Rebuild the dashboards' pre-aggregates (SiteQuarterStats) after a bulk load."""

from django.core.management.base import BaseCommand

from evaluation.figures.aggregates import rebuild_all_stats
from sites.models import Site


class Command(BaseCommand):
    help = (
        "Recalcule les statistiques trimestrielles des sites (tableaux de bord). À lancer après un "
        "chargement en masse qui contourne les signaux (données de démonstration, COPY SQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Identifiants des sites (tous par défaut).")

    def handle(self, *args, slugs, **options):
        sites = Site.objects.all()
        if slugs:
            sites = sites.filter(slug__in=slugs)
        ids = list(sites.values_list("id", flat=True))
        rows = rebuild_all_stats(site_ids=ids)
        self.stdout.write(f"{len(ids)} sites, {rows} lignes de statistiques trimestrielles recalculées.")
