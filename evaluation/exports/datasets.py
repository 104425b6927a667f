"""Spreadsheet exports (CSV and XLSX) of the platform's tables, scoped by the access rules.

Every dataset starts from `Site.objects.for_user(user)` or a `for_user` queryset: a facilitator
exports their site, a network coordinator their network, the national team everything. Cells a
cells are written by `atc.spreadsheets`: a meeting titled `=HYPERLINK(...)` stays text, a pasted
control character cannot break the file, dates are ISO (sortable, unambiguous).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atc import spreadsheets
from diagnostics.models import Assessment, Finding
from evaluation.models import IndicatorValue, LogbookEntry
from pilotage.models import ATTENDANCE_FIELDS, Action, AvoidedCostClaim, Meeting
from sites.models import FacilitatorAssignment, Site
from sites.team.facilitation import site_configuration


@dataclass(frozen=True)
class Dataset:
    title: str
    headers: list[str]
    rows: Callable[[object], Iterable[list]]


def _sites(user):
    return Site.objects.for_user(user)


def _configuration_text(site: Site, today: dt.date) -> str:
    configuration = site_configuration(site, list(site.facilitators.all()), today)
    if configuration.overridden:
        return _("%(label)s (saisie manuelle)") % {"label": configuration.label}
    return configuration.label


def _site_rows(user):
    today = timezone.localdate()
    for site in (
        _sites(user).select_related("network", "host").prefetch_related("facilitators").order_by("name")
    ):
        yield [
            site.name,
            site.slug,
            site.network.name,
            site.host.name if site.host else "",
            site.city,
            site.departement_code,
            site.region,
            _configuration_text(site, today),
            site.get_institutional_support_display(),
            site.start_date,
        ]


def _facilitator_rows(user):
    assignments = FacilitatorAssignment.objects.filter(site__in=_sites(user)).select_related("site")
    for a in assignments.order_by("site__name", "start_date", "id"):
        yield [
            a.site.name,
            a.person_name,
            a.get_position_display(),
            a.fte,
            a.get_contract_type_display(),
            a.start_date,
            a.end_date,
        ]


def _meetings(user):
    return (
        Meeting.objects.for_user(user)
        .select_related("site", "committee")
        .order_by("site__name", "date", "id")
    )


def _meeting_rows(user):
    for m in _meetings(user):
        yield [
            m.site.name,
            m.date,
            m.get_kind_display(),
            m.title,
            m.committee.name if m.committee else "",
            m.get_format_display(),
            m.location,
            m.duration_minutes,
            m.get_minutes_status_display(),
            m.total_attendees,
        ]


def _attendance_rows(user):
    for m in _meetings(user):
        yield [m.site.name, m.date, m.title, *(getattr(m, f) for f in ATTENDANCE_FIELDS.values())]


def _action_rows(user):
    actions = Action.objects.for_user(user).select_related("site", "theme")
    for a in actions.order_by("site__name", "title", "id"):
        yield [
            a.site.name,
            a.title,
            a.theme.name if a.theme else "",
            a.get_status_display(),
            a.progress,
            a.residents_reached,
            a.start_date,
            a.end_date,
            a.outcomes,
        ]


def _claim_rows(user):
    """One row per claim, its confidence level in a column of its own: a reader sums verified,
    documented and declared amounts apart, as the dashboards and reports do."""
    claims = AvoidedCostClaim.objects.for_user(user).select_related("site", "action", "verified_by")
    for c in claims.order_by("site__name", "action__title", "period_start", "id"):
        yield [
            c.site.name,
            c.action.title,
            c.get_kind_display(),
            c.description,
            c.amount,
            c.quantity,
            c.unit,
            c.period_start,
            c.period_end,
            c.hypothesis,
            c.get_source_display(),
            c.source_detail,
            c.get_confidence_display(),
            str(c.verified_by) if c.verified_by else "",
            c.verified_at.date() if c.verified_at else None,
        ]


def _finding_rows(user):
    findings = Finding.objects.for_user(user).select_related("site", "theme")
    for f in findings.order_by("site__name", "theme__order", "title", "id"):
        yield [f.site.name, f.theme.name, f.title, f.description, f.get_source_display(), f.date]


def _assessment_rows(user):
    assessments = Assessment.objects.for_user(user).select_related("site", "item")
    for a in assessments.order_by("site__name", "item__order", "date", "respondent_kind"):
        yield [
            a.site.name,
            a.item.label,
            a.get_respondent_kind_display(),
            a.date,
            a.score,
            a.respondents,
        ]


def _indicator_rows(user):
    values = IndicatorValue.objects.for_user(user).select_related("site", "indicator")
    for v in values.order_by("indicator__name", "site__name", "period_start"):
        yield [
            v.indicator.name,
            v.indicator.unit,
            v.site.name,
            v.period_start,
            v.period_end,
            v.value,
            v.comment,
        ]


def _logbook_rows(user):
    entries = LogbookEntry.objects.for_user(user).select_related("site")
    for e in entries.order_by("site__name", "period_start", "id"):
        yield [
            e.site.name,
            e.get_kind_display(),
            e.period_start,
            e.period_end,
            e.happened,
            e.difficulties,
            e.lessons,
            e.changes_of_course,
            e.next_steps,
            e.time_spent_hours,
            e.support_needed,
        ]


SITE = _("Site")
DATASETS: dict[str, Dataset] = {
    "sites": Dataset(
        _("Sites"),
        [
            _("Site"),
            _("Identifiant"),
            _("Tête de réseau"),
            _("Structure porteuse"),
            _("Commune"),
            _("Département"),
            _("Région"),
            _("Configuration de l'animation"),
            _("Appui institutionnel"),
            _("Début"),
        ],
        _site_rows,
    ),
    "animateurs": Dataset(
        _("Animateur·rices"),
        [SITE, _("Personne"), _("Fonction"), _("ETP"), _("Contrat"), _("Début"), _("Fin")],
        _facilitator_rows,
    ),
    "reunions": Dataset(
        _("Réunions"),
        [
            SITE,
            _("Date"),
            _("Type"),
            _("Intitulé"),
            _("Instance"),
            _("Format"),
            _("Lieu"),
            _("Durée (minutes)"),
            _("Compte rendu"),
            _("Participant·es"),
        ],
        _meeting_rows,
    ),
    "presences": Dataset(
        _("Participation aux réunions"),
        [SITE, _("Date"), _("Intitulé"), *(c.label for c in ATTENDANCE_FIELDS)],
        _attendance_rows,
    ),
    "actions": Dataset(
        _("Actions"),
        [
            SITE,
            _("Intitulé"),
            _("Thématique"),
            _("État"),
            _("Avancement (%)"),
            _("Habitant·es touché·es"),
            _("Début"),
            _("Fin"),
            _("Résultats"),
        ],
        _action_rows,
    ),
    "couts-evites": Dataset(
        _("Coûts évités et effets leviers"),
        [
            SITE,
            _("Action"),
            _("Nature"),
            _("Ce qui a été évité ou obtenu"),
            _("Montant (€)"),
            _("Quantité"),
            _("Unité"),
            _("Début de la période"),
            _("Fin de la période"),
            _("Hypothèse et calcul"),
            _("Source"),
            _("Précision sur la source"),
            _("Niveau de confiance"),
            _("Vérifié par"),
            _("Vérifié le"),
        ],
        _claim_rows,
    ),
    "constats": Dataset(
        _("Constats"),
        [SITE, _("Thématique"), _("Constat"), _("Précisions"), _("Source"), _("Date")],
        _finding_rows,
    ),
    "appreciations": Dataset(
        _("Appréciations du territoire"),
        [SITE, _("Item"), _("Qui évalue"), _("Date"), _("Note (1 à 10)"), _("Répondant·es")],
        _assessment_rows,
    ),
    "indicateurs": Dataset(
        _("Valeurs d'indicateurs"),
        [_("Indicateur"), _("Unité"), SITE, _("Début"), _("Fin"), _("Valeur"), _("Commentaire")],
        _indicator_rows,
    ),
    "carnet-de-bord": Dataset(
        _("Carnet de bord"),
        [
            SITE,
            _("Type"),
            _("Début"),
            _("Fin"),
            _("Ce qui s'est passé"),
            _("Difficultés"),
            _("Enseignements"),
            _("Changements de cap"),
            _("Prochaines étapes"),
            _("Temps passé (heures)"),
            _("Appui souhaité"),
        ],
        _logbook_rows,
    ),
}


def export_csv(dataset: Dataset, user) -> bytes:
    """UTF-8 with a BOM and `;` separators: what a French spreadsheet opens without asking."""
    return spreadsheets.csv_bytes(dataset.headers, dataset.rows(user), date_format="%Y-%m-%d")


def export_xlsx(dataset: Dataset, user) -> bytes:
    """One sheet, header row frozen; written row by row (openpyxl's write-only mode)."""
    return spreadsheets.xlsx_bytes([spreadsheets.Sheet(dataset.title, dataset.headers, dataset.rows(user))])
