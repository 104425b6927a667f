"""Attention signals (« Points d'attention »): rules over a site's figures, each declared once here
with its French label, its definition, the link to what fixes it and its thresholds (default and
bounds; the national team changes them in the platform, `AttentionThreshold`).

`evaluate` computes every rule for many sites in a fixed number of queries (one or two per rule,
whatever the number of sites); `signals_refresh` turns the result into `AttentionSignal` rows
(raised, cleared) and is called where a site's pre-aggregates are rebuilt (`aggregates`), so every
write path, which marks the site stale through the database triggers, ends up refreshing them.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Max, Min, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from atc.formats import format_number
from atc.periods import EXPERIMENT_START, months_before, period_before
from atc.queue import publish
from evaluation.figures.prebuilt import prebuilt
from evaluation.models import AttentionSignal, AttentionThreshold, IndicatorValue, LogbookEntry
from pilotage.models import ATTENDANCE_FIELDS, CIVIL_SOCIETY, Action, Committee, Meeting
from sites.models import (
    FacilitatorAssignment,
    FiguresVersion,
    ReviewComment,
    Site,
)
from sites.team.facilitation import facilitation_history

# The figures' version counter bumped when a signal is raised or cleared: the site tables show the
# open signals' counts, which also change without any write when the calendar turns
# (evaluation.figures.cache.data_version reads it).
SIGNALS_VERSION = "signals"
# A working group needs this many meetings before it has a rhythm to keep.
RHYTHM_MIN_MEETINGS = 3


@dataclass(frozen=True)
class Parameter:
    """A threshold of a rule: an integer between `minimum` and `maximum`."""

    key: str
    label: Promise
    default: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Rule:
    key: str
    label: Promise
    definition: Promise
    parameters: tuple[Parameter, ...]
    # Where the site team fixes it: a URL name taking the site's slug, and an optional anchor.
    url_name: str
    anchor: str = ""


# The task telling people of newly raised signals (evaluation/attention/tasks.py).
NOTIFY_TASK = "evaluation.notify_attention_signals"

RULES: tuple[Rule, ...] = (
    Rule(
        "no_steering",
        gettext_lazy("Pas d'instance de pilotage récente"),
        gettext_lazy(
            "Aucune réunion de l'instance de pilotage depuis le nombre de mois fixé (depuis le début "
            "du site quand il n'y en a jamais eu)."
        ),
        (Parameter("months", gettext_lazy("Mois sans réunion de pilotage"), 6, 1, 36),),
        "pilotage:meeting_create",
    ),
    Rule(
        "group_rhythm",
        gettext_lazy("Groupe de travail hors de son rythme"),
        gettext_lazy(
            "Un groupe de travail actif sans réunion depuis plus de N fois l'intervalle médian entre "
            "ses réunions. Un groupe qui s'est réuni moins de 3 fois n'a pas encore de rythme."
        ),
        (Parameter("factor", gettext_lazy("Multiple de l'intervalle médian"), 2, 2, 10),),
        "pilotage:meeting_list",
    ),
    Rule(
        "facilitation",
        gettext_lazy("Animation : poste vacant ou fin de contrat proche"),
        gettext_lazy(
            "Aucun·e animateur·rice titulaire en poste aujourd'hui, ou un contrat qui se termine dans "
            "le nombre de jours fixé sans relève enregistrée (même règle que les vacances de poste "
            "de la page « Équipe »)."
        ),
        (Parameter("days", gettext_lazy("Jours avant la fin d'un contrat"), 60, 0, 365),),
        "team:facilitator_history",
    ),
    Rule(
        "reporting",
        gettext_lazy("Carnet de bord ou indicateurs manquants"),
        gettext_lazy(
            "Pas de bilan de période au carnet de bord, ou aucune valeur d'indicateur, pour le dernier "
            "trimestre clos, une fois passé le délai de saisie."
        ),
        (
            Parameter(
                "grace_days", gettext_lazy("Délai de saisie après la fin du trimestre (jours)"), 30, 0, 90
            ),
        ),
        "evaluation:logbook_list",
    ),
    Rule(
        "minutes",
        gettext_lazy("Comptes rendus non validés"),
        gettext_lazy(
            "Une réunion de l'instance de pilotage ou d'un groupe de travail (pas une rencontre "
            "bilatérale) dont le compte rendu n'est pas validé N jours après, parmi les réunions de "
            "la fenêtre fixée et postérieures au début de l'expérimentation."
        ),
        (
            Parameter("days", gettext_lazy("Jours après la réunion"), 30, 1, 365),
            Parameter("window_days", gettext_lazy("Fenêtre : réunions des derniers jours"), 365, 30, 3650),
        ),
        "pilotage:meeting_list",
    ),
    Rule(
        "steering_mix",
        gettext_lazy("Pilotage sans associations ni habitant·es"),
        gettext_lazy(
            "Les K dernières réunions de l'instance de pilotage n'ont compté aucune association, aucun·e "
            "habitant·e et aucun membre du conseil citoyen."
        ),
        (Parameter("meetings", gettext_lazy("Dernières réunions de pilotage examinées"), 3, 1, 12),),
        "pilotage:meeting_list",
    ),
    Rule(
        "actions_overdue",
        gettext_lazy("Actions en retard"),
        gettext_lazy(
            "Des actions ni réalisées ni abandonnées dont la date de fin est passée depuis plus du "
            "nombre de jours fixé."
        ),
        (Parameter("days", gettext_lazy("Jours après la date de fin"), 0, 0, 365),),
        "pilotage:action_board",
    ),
    Rule(
        "comments_unanswered",
        gettext_lazy("Commentaires de suivi sans réponse"),
        gettext_lazy(
            "Des commentaires de suivi laissés sur le tableau de bord du site, ni traités ni répondus "
            "depuis le nombre de jours fixé."
        ),
        (Parameter("days", gettext_lazy("Jours sans réponse"), 14, 1, 365),),
        "dashboards:site",
        "commentaires",
    ),
)
BY_KEY = {rule.key: rule for rule in RULES}


def get(key: str) -> Rule:
    """The rule `key`; a KeyError naming it when it is not declared."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"Attention rule {key!r} is not declared in evaluation/figures/attention.py") from None


def parameter(rule: str, key: str) -> Parameter:
    return next(p for p in get(rule).parameters if p.key == key)


Thresholds = dict[tuple[str, str], int]


def thresholds() -> Thresholds:
    """(rule, parameter) → value in force: the national team's value, else the default. One query."""
    values = {(rule.key, p.key): p.default for rule in RULES for p in rule.parameters}
    for rule, key, value in AttentionThreshold.objects.values_list("rule", "parameter", "value"):
        if (rule, key) in values:
            values[(rule, key)] = value
    return values


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# --- The rules, each over many sites: {site id: reason} ------------------------------------------


def _no_steering(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    months = t[("no_steering", "months")]
    cutoff = months_before(today, months)
    last = dict(
        prebuilt(
            ("attention.no_steering", today),
            lambda: (
                Meeting.objects.steering()
                .filter(date__lte=today)
                .values("site_id")
                .annotate(last=Max("date"))
                .order_by()
                .values_list("site_id", "last")
            ),
        ).filter(site_id__in=list(sites))
    )
    reasons = {}
    for site_id, site in sites.items():
        if site_id in last:
            if last[site_id] <= cutoff:
                reasons[site_id] = ngettext(
                    "Dernière réunion de pilotage le %(date)s : plus de %(n)s mois sans pilotage.",
                    "Dernière réunion de pilotage le %(date)s : plus de %(n)s mois sans pilotage.",
                    months,
                ) % {"date": _day(last[site_id]), "n": months}
        elif (site.start_date or EXPERIMENT_START) <= cutoff:
            reasons[site_id] = _(
                "Aucune réunion de pilotage enregistrée depuis le début du site (%(date)s)."
            ) % {"date": _day(site.start_date or EXPERIMENT_START)}
    return reasons


def _group_rhythm(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    factor = t[("group_rhythm", "factor")]
    rows = prebuilt(
        ("attention.group_rhythm", today),
        lambda: (
            Meeting.objects.filter(
                committee__kind=Committee.Kind.WORKING_GROUP, committee__is_active=True, date__lte=today
            )
            .order_by("committee_id", "date")
            .values_list("committee__site_id", "committee_id", "committee__name", "date")
        ),
    ).filter(committee__site_id__in=list(sites))
    dates: dict[tuple[int, int, str], list[datetime.date]] = defaultdict(list)
    for site_id, committee_id, name, day in rows:
        dates[(site_id, committee_id, name)].append(day)
    late: dict[int, list[str]] = defaultdict(list)
    for (site_id, _committee_id, name), days in sorted(dates.items(), key=lambda item: item[0][2]):
        if len(days) < RHYTHM_MIN_MEETINGS:
            continue
        median = statistics.median((b - a).days for a, b in zip(days, days[1:], strict=False))
        silent = (today - days[-1]).days
        if median > 0 and silent > factor * median:
            late[site_id].append(
                _("« %(name)s » (dernière réunion le %(date)s, une tous les %(median)s jours d'habitude)")
                % {"name": name, "date": _day(days[-1]), "median": format_number(median, 0)}
            )
    return {
        site_id: ngettext(
            "Groupe de travail silencieux depuis plus de %(factor)s fois son rythme : %(groups)s.",
            "Groupes de travail silencieux depuis plus de %(factor)s fois leur rythme : %(groups)s.",
            len(groups),
        )
        % {"factor": factor, "groups": " ; ".join(groups)}
        for site_id, groups in late.items()
    }


def _facilitation(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    # A contract whose last day is at most N days away leaves the post vacant the day after.
    horizon = today + datetime.timedelta(days=t[("facilitation", "days")] + 1)
    assignments: dict[int, list[FacilitatorAssignment]] = defaultdict(list)
    for assignment in prebuilt("attention.facilitation", _assignments).filter(site_id__in=list(sites)):
        assignments[assignment.site_id].append(assignment)
    reasons = {}
    for site_id in sites:
        # Vacancies as the team page computes them, seen from the horizon: a gap in the lead
        # coverage that is open today or begins before the horizon.
        history = facilitation_history(assignments.get(site_id, []), horizon)
        for vacancy in history.vacancies:
            if vacancy.end is not None and vacancy.end < today:
                continue
            if vacancy.start <= today:
                reasons[site_id] = _("Poste d'animation vacant depuis le %(date)s.") % {
                    "date": _day(vacancy.start)
                }
            else:
                reasons[site_id] = _(
                    "Un contrat d'animation se termine le %(date)s sans relève enregistrée."
                ) % {"date": _day(vacancy.start - datetime.timedelta(days=1))}
            break
    return reasons


def _assignments():
    return FacilitatorAssignment.objects.only("id", "site_id", "start_date", "end_date", "position", "fte")


def _reporting(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    period = period_before("quarter", today - datetime.timedelta(days=t[("reporting", "grace_days")]))
    expected = {pk for pk, site in sites.items() if site.start_date is None or site.start_date <= period.end}
    with_logbook = set(
        prebuilt(
            ("attention.reporting.logbook", period.start, period.end),
            lambda: (
                LogbookEntry.objects.covering(period.start, period.end)
                .order_by()
                .values_list("site_id", flat=True)
                .distinct()
            ),
        ).filter(site_id__in=list(expected))
    )
    # An indicator value counts in the quarter its period starts in, as in the dashboards.
    with_values = set(
        prebuilt(
            ("attention.reporting.values", period.start, period.end),
            lambda: (
                IndicatorValue.objects.filter(period_start__gte=period.start, period_start__lte=period.end)
                .order_by()
                .values_list("site_id", flat=True)
                .distinct()
            ),
        ).filter(site_id__in=list(expected))
    )
    reasons = {}
    for site_id in expected:
        missing = []
        if site_id not in with_logbook:
            missing.append(_("le bilan du carnet de bord"))
        if site_id not in with_values:
            missing.append(_("les valeurs d'indicateurs"))
        if missing:
            reasons[site_id] = _("Manque pour le trimestre %(period)s : %(missing)s.") % {
                "period": period.short,
                "missing": _(" et ").join(missing),
            }
    return reasons


def _minutes(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    days = t[("minutes", "days")]
    window_days = t[("minutes", "window_days")]
    rows = prebuilt(
        ("attention.minutes", today, days, window_days),
        lambda: (
            Meeting.objects.minutes_overdue(today=today, days=days, window_days=window_days)
            .values("site_id")
            .annotate(oldest=Min("date"), n=Count("id"))
            .order_by()
        ),
    ).filter(site_id__in=list(sites))
    return {
        row["site_id"]: ngettext(
            "%(n)s compte rendu de pilotage ou de groupe de travail non validé %(days)s jours après "
            "la réunion (la plus ancienne : %(date)s).",
            "%(n)s comptes rendus de pilotage ou de groupe de travail non validés %(days)s jours après "
            "la réunion (la plus ancienne : %(date)s).",
            row["n"],
        )
        % {"n": row["n"], "days": days, "date": _day(row["oldest"])}
        for row in rows
    }


def _steering_mix(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    count = t[("steering_mix", "meetings")]
    rows = prebuilt(
        ("attention.steering_mix", today, count), lambda: _last_steering_civil(today, count)
    ).filter(site_id__in=list(sites))
    seen: dict[int, list[int]] = defaultdict(list)
    for site_id, value in rows:
        seen[site_id].append(value)
    return {
        site_id: ngettext(
            "La dernière réunion de pilotage n'a compté ni association, ni habitant·e, ni conseil citoyen.",
            "Les %(n)s dernières réunions de pilotage n'ont compté ni association, ni habitant·e, "
            "ni conseil citoyen.",
            count,
        )
        % {"n": count}
        for site_id, values in seen.items()
        if len(values) >= count and not any(values)
    }


def _last_steering_civil(today: datetime.date, count: int):
    """(site id, civil society attendance) of each site's last `count` steering meetings."""
    civil = sum(F(ATTENDANCE_FIELDS[c]) for c in CIVIL_SOCIETY[1:]) + F(ATTENDANCE_FIELDS[CIVIL_SOCIETY[0]])
    return (
        Meeting.objects.steering()
        .filter(date__lte=today)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("site_id")], order_by=[F("date").desc(), F("id").desc()]
            ),
            civil=civil,
        )
        .filter(rank__lte=count)
        .values_list("site_id", "civil")
    )


def _actions_overdue(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    days = t[("actions_overdue", "days")]
    rows = prebuilt(
        ("attention.actions_overdue", today, days),
        lambda: (
            Action.objects.overdue(today=today, days=days)
            .values("site_id")
            .annotate(oldest=Min("end_date"), n=Count("id"))
            .order_by()
        ),
    ).filter(site_id__in=list(sites))
    return {
        row["site_id"]: ngettext(
            "%(n)s action non réalisée après sa date de fin (la plus ancienne : %(date)s).",
            "%(n)s actions non réalisées après leur date de fin (la plus ancienne : %(date)s).",
            row["n"],
        )
        % {"n": row["n"], "date": _day(row["oldest"])}
        for row in rows
    }


def _comments_unanswered(sites: dict[int, Site], today: datetime.date, t: Thresholds) -> dict[int, str]:
    days = t[("comments_unanswered", "days")]
    # Midnight of the day `days` days ago: a comment written that day or before counts.
    before = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=days - 1), datetime.time.min)
    )
    rows = prebuilt(
        ("attention.comments_unanswered", before),
        lambda: (
            ReviewComment.objects.unanswered(before=before)
            .values("site_id")
            .annotate(n=Count("id"))
            .order_by()
        ),
    ).filter(site_id__in=list(sites))
    return {
        row["site_id"]: ngettext(
            "%(n)s commentaire de suivi sans réponse depuis %(days)s jours ou plus.",
            "%(n)s commentaires de suivi sans réponse depuis %(days)s jours ou plus.",
            row["n"],
        )
        % {"n": row["n"], "days": days}
        for row in rows
    }


COMPUTE = {
    "no_steering": _no_steering,
    "group_rhythm": _group_rhythm,
    "facilitation": _facilitation,
    "reporting": _reporting,
    "minutes": _minutes,
    "steering_mix": _steering_mix,
    "actions_overdue": _actions_overdue,
    "comments_unanswered": _comments_unanswered,
}


def evaluate(
    *,
    site_ids=None,
    sites: dict[int, Site] | None = None,
    today: datetime.date | None = None,
    values: Thresholds | None = None,
) -> dict[int, dict[str, str]]:
    """{site id: {rule key: reason}} for the sites (all by default) today: the signals that should
    be open. About ten queries whatever the number of sites. `sites`: instead of `site_ids`, the
    sites' rows (id and start date) when the caller has read them already."""
    today = today or timezone.localdate()
    values = values or thresholds()
    if sites is None:
        sites_qs = prebuilt("attention.sites", lambda: Site.objects.only("id", "start_date").order_by())
        if site_ids is not None:
            sites_qs = sites_qs.filter(id__in=site_ids)
        sites = {site.pk: site for site in sites_qs}
    found: dict[int, dict[str, str]] = {pk: {} for pk in sites}
    if not sites:
        return found
    for rule in RULES:
        for site_id, reason in COMPUTE[rule.key](sites, today, values).items():
            found[site_id][rule.key] = reason
    return found


def signals_refresh(
    *, site_ids=None, sites: dict[int, Site] | None = None, today: datetime.date | None = None
) -> list[AttentionSignal]:
    """Raise the signals the rules find and clear those they no longer find, for the sites (all
    by default; `sites` as in `evaluate`); returns the signals newly raised (the notifications'
    hook). Idempotent: a second run changes nothing. The reason of a signal still open is brought
    up to date.

    A raised or cleared signal bumps the `signals` counter, so that the cached site tables show
    the new counts."""
    now = timezone.now()
    with transaction.atomic():
        found = evaluate(site_ids=site_ids, sites=sites, today=today)
        open_rows = prebuilt("attention.open", _open_signals).filter(site_id__in=list(found))
        current = {(s.site_id, s.rule): s for s in open_rows}
        wanted = {
            (site_id, rule): reason for site_id, rules in found.items() for rule, reason in rules.items()
        }
        cleared = [s.pk for key, s in current.items() if key not in wanted]
        changed = [s for key, s in current.items() if key in wanted and s.reason != wanted[key]]
        for signal in changed:
            signal.reason = wanted[(signal.site_id, signal.rule)]
        new = [
            AttentionSignal(site_id=site_id, rule=rule, reason=reason, raised_at=now)
            for (site_id, rule), reason in wanted.items()
            if (site_id, rule) not in current
        ]
        if cleared:
            AttentionSignal.objects.filter(pk__in=cleared).update(cleared_at=now)
        if changed:
            AttentionSignal.objects.bulk_update(changed, ["reason"])
        raised = []
        if new:
            # A concurrent refresh may have raised the same signal: the partial unique constraint
            # keeps one, and only the rows this run wrote are returned.
            AttentionSignal.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
            raised = list(
                AttentionSignal.objects.open()
                .filter(raised_at=now, site_id__in={s.site_id for s in new})
                .order_by("site_id", "rule")
            )
        if raised:
            # Who follows the site is told after the commit (evaluation.attention.tasks).
            raised_ids = [signal.pk for signal in raised]
            transaction.on_commit(lambda: publish(NOTIFY_TASK, raised_ids))
        if cleared or new:
            bumped = FiguresVersion.objects.filter(name=SIGNALS_VERSION).update(version=F("version") + 1)
            if not bumped:
                FiguresVersion.objects.get_or_create(name=SIGNALS_VERSION, defaults={"version": 2})
    return raised


def _open_signals():
    return AttentionSignal.objects.open().order_by().only("id", "site_id", "rule", "reason")


def open_counts(site_ids) -> dict[int, int]:
    """Site id → number of open signals (sites without any are absent). One query."""
    return dict(open_counts_query(site_ids).values_list("site_id", "n"))


def open_counts_query(site_ids):
    """`open_counts` as a `values()` query: {"site_id", "n"} per site with open signals."""
    return (
        AttentionSignal.objects.open()
        .filter(site_id__in=site_ids)
        .values("site_id")
        .annotate(n=Count("id"))
        .order_by()
    )


@dataclass(frozen=True)
class Shown:
    """An open signal as pages show it: its rule (label, link) and reason."""

    signal: AttentionSignal
    rule: Rule


def open_signals(site: Site) -> list[Shown]:
    """A site's open signals in the rules' order, as stored (one query); pages read them through
    `evaluation.figures.site.attention_signals`, which rebuilds a stale site first."""
    order = {rule.key: index for index, rule in enumerate(RULES)}
    rows = [s for s in AttentionSignal.objects.open().filter(site=site) if s.rule in BY_KEY]
    return [Shown(s, BY_KEY[s.rule]) for s in sorted(rows, key=lambda s: order[s.rule])]
