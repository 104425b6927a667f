"""What a person can be notified about, and how often by e-mail: each kind's label and default
frequency are defined here once (the preferences page, the e-mails and the README read them)."""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    """How a person wants the e-mails of one kind: the inbox always shows every notification."""

    IMMEDIATE = "immediate", _("Tout de suite")
    DAILY = "daily", _("Résumé quotidien")
    WEEKLY = "weekly", _("Résumé hebdomadaire")
    NEVER = "never", _("Jamais (seulement sur la plateforme)")


DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    default: Frequency


COMMENT = "comment"
COMMENT_REPLY = "comment_reply"
SIGNAL = "signal"
REPORT = "report"
REMINDER_MINUTES = "reminder_minutes"
REMINDER_LOGBOOK = "reminder_logbook"
REMINDER_INDICATORS = "reminder_indicators"
SUPPORT_NEEDED = "support_needed"

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(COMMENT, _("Commentaire de suivi sur un de mes sites"), Frequency.IMMEDIATE),
        Kind(COMMENT_REPLY, _("Réponse à un commentaire que j’ai écrit ou suivi"), Frequency.IMMEDIATE),
        Kind(SIGNAL, _("Point d’attention sur un site de mon périmètre"), Frequency.DAILY),
        Kind(REPORT, _("Rapport d’évaluation prêt ou programmé pour moi"), Frequency.IMMEDIATE),
        Kind(REMINDER_MINUTES, _("Rappel : compte rendu de réunion à déposer"), Frequency.IMMEDIATE),
        Kind(REMINDER_LOGBOOK, _("Rappel : carnet de bord à remplir"), Frequency.IMMEDIATE),
        Kind(REMINDER_INDICATORS, _("Rappel : indicateurs à saisir"), Frequency.WEEKLY),
        Kind(
            SUPPORT_NEEDED, _("« Appui souhaité » dans un carnet de bord de mon réseau"), Frequency.IMMEDIATE
        ),
    )
}

KIND_CHOICES = [(kind.code, kind.label) for kind in KINDS.values()]


def default_frequency(kind: str) -> str:
    return KINDS[kind].default.value
