"""Report scopes as people type them: `national`, `network:FCSF`, `site:marseille` or `site:QP013044`.

Shared by the report form, the schedules and `manage.py build_report`.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from atc.periods import PeriodError
from evaluation.models import Scope
from sites.models import Network, Site


@dataclass(frozen=True)
class Target:
    """What a report covers: the whole experiment, one network or one site."""

    scope: str
    network: Network | None = None
    site: Site | None = None

    @property
    def title(self) -> str:
        if self.scope == Scope.SITE:
            return _("Site de %(site)s") % {"site": self.site.name}
        if self.scope == Scope.NETWORK:
            return _("Réseau %(network)s") % {"network": self.network.name}
        return _("Ensemble de l'expérimentation")

    @property
    def slug(self) -> str:
        if self.scope == Scope.SITE:
            return f"site-{self.site.slug}"
        if self.scope == Scope.NETWORK:
            return f"reseau-{self.network.code}"
        return "national"

    def sites(self):
        queryset = Site.objects.all()
        if self.scope == Scope.SITE:
            return queryset.filter(pk=self.site.pk)
        if self.scope == Scope.NETWORK:
            return queryset.filter(network=self.network)
        return queryset


def parse_scope(text: str) -> Target:
    """`national`, `network:CODE` or `site:SLUG` (the site's short name or one of its QPV codes)."""
    text = (text or "").strip()
    kind, _sep, value = text.partition(":")
    kind, value = kind.lower(), value.strip()
    if kind == "national" and not value:
        return Target(Scope.NATIONAL)
    if kind == "network" and value:
        network = Network.objects.filter(Q(code__iexact=value) | Q(name__iexact=value)).first()
        if network is None:
            raise PeriodError(_("Tête de réseau inconnue : %(code)s.") % {"code": value})
        return Target(Scope.NETWORK, network=network)
    if kind == "site" and value:
        code = value.upper()
        site = (
            Site.objects.filter(
                Q(slug=value.lower()) | Q(neighbourhoods__code_2015=code) | Q(neighbourhoods__code_2024=code)
            )
            .distinct()
            .first()
        )
        if site is None:
            raise PeriodError(_("Site inconnu : %(site)s.") % {"site": value})
        return Target(Scope.SITE, site=site)
    raise PeriodError(_("Périmètre illisible : écrivez national, network:CODE ou site:NOM (ou un code QPV)."))
