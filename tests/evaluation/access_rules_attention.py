"""Who may open the attention pages (see tests/access.py): the rules and thresholds are read by
everyone signed in and changed by the national team; a site's signal history follows the site."""

from django.utils import timezone

from evaluation.figures import attention
from evaluation.models import AttentionSignal
from tests.access import AUTHENTICATED, NATIONAL, SITE_READ, Rule


def _site(o):
    return {"slug": o["site"].slug}


def _defaults(o):
    return {f"{r.key}__{p.key}": p.default for r in attention.RULES for p in r.parameters}


RULES = {
    "attention:thresholds": Rule(AUTHENTICATED),
    "attention:thresholds_edit": Rule(NATIONAL, methods=("GET", "POST"), post_data=_defaults),
    "attention:site_history": Rule(SITE_READ, _site),
}


def build(site, user):
    # A cleared signal stays in the history whatever the rules find later: its reason is free text
    # the leak test marks on Grenoble.
    now = timezone.now()
    return {
        "attention_signal": AttentionSignal.objects.create(
            site=site,
            rule="no_steering",
            reason=f"Motif d'essai de {site.name}.",
            raised_at=now,
            cleared_at=now,
        )
    }
