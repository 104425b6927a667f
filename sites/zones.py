"""The time zones of the experiment's sites: a site's meeting times are its local times, and every
calendar export names the zone (TZID). Overseas departments each have their own zone, none of them
with summer time."""

import zoneinfo

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_TIME_ZONE = "Europe/Paris"


class TimeZone(models.TextChoices):
    PARIS = "Europe/Paris", _("Métropole et Corse (heure de Paris)")
    GUADELOUPE = "America/Guadeloupe", _("Guadeloupe")
    MARTINIQUE = "America/Martinique", _("Martinique")
    GUYANE = "America/Cayenne", _("Guyane")
    REUNION = "Indian/Reunion", _("La Réunion")
    MAYOTTE = "Indian/Mayotte", _("Mayotte")


# A site's zone by its département's code, for sites created without one (and the migration that
# gave every existing site its zone).
TIME_ZONE_BY_DEPARTEMENT = {
    "971": TimeZone.GUADELOUPE,
    "972": TimeZone.MARTINIQUE,
    "973": TimeZone.GUYANE,
    "974": TimeZone.REUNION,
    "976": TimeZone.MAYOTTE,
}


def time_zone_for_departement(code: str) -> str:
    return str(TIME_ZONE_BY_DEPARTEMENT.get(code, DEFAULT_TIME_ZONE))


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of a site (`Site.time_zone`); an unknown name reads as Paris, never an error."""
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)
