"""The logbook (carnet de bord): periods, saving an entry with its links, and the reminders."""

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.concurrency import claim_version
from atc.models import User
from atc.notifications import kinds
from atc.notifications.services import notify
from atc.periods import Period, period_before
from atc.permissions import network_coordinators, site_team
from evaluation.models import LogbookEntry, LogbookReminder
from sites.models import Site

SUPPORT_EXCERPT_CHARS = 500


def last_finished_quarter(today: datetime.date | None = None) -> Period:
    """The most recent quarter that has fully ended (the logbook's default period)."""
    return period_before("quarter", today or timezone.localdate())


@transaction.atomic
def logbook_entry_save(*, entry: LogbookEntry, meetings, actions, version: int | None = None) -> LogbookEntry:
    """Save an entry and its links to meetings and actions together (all or nothing).

    The caller has already limited `meetings` and `actions` to the entry's site. StaleVersion when
    someone else saved the entry after the form was built (atc.concurrency). A new or changed
    « appui souhaité » is told to the site's network coordinators.
    """
    entry.full_clean()
    before = ""
    if entry.pk:
        before = (
            LogbookEntry.objects.filter(pk=entry.pk).values_list("support_needed", flat=True).first() or ""
        )
    claim_version(entry, version)
    entry.save()
    entry.meetings.set(meetings)
    entry.actions.set(actions)
    support = entry.support_needed.strip()
    if support and support != before.strip():
        _support_needed_notify(entry, support)
    return entry


@transaction.atomic
def logbook_period_entry_answer(*, site: Site, quarter: Period, rubrics: dict, author=None) -> LogbookEntry:
    """The quarter's periodic review written from a « carnet de bord » questionnaire's answer
    (`rubrics`: LogbookEntry field names and values). The site's review of exactly that quarter is
    updated — a rubric left empty keeps what it said, its links to meetings and actions stay — or
    a new one is written; either way through `logbook_entry_save` (its checks, the version taken,
    the « appui souhaité » notice)."""
    entry = (
        LogbookEntry.objects.select_for_update()
        .filter(
            site=site, kind=LogbookEntry.Kind.PERIODIC, period_start=quarter.start, period_end=quarter.end
        )
        .order_by("pk")
        .first()
    )
    if entry is None:
        entry = LogbookEntry(
            site=site,
            kind=LogbookEntry.Kind.PERIODIC,
            period_start=quarter.start,
            period_end=quarter.end,
            author=author,
        )
        meetings, actions = [], []
    else:
        meetings, actions = list(entry.meetings.all()), list(entry.actions.all())
    for name, value in rubrics.items():
        setattr(entry, name, value)
    return logbook_entry_save(entry=entry, meetings=meetings, actions=actions)


def _support_needed_notify(entry: LogbookEntry, support: str) -> None:
    site = entry.site
    digest = hashlib.sha256(support.encode()).hexdigest()[:16]
    notify(
        kinds.SUPPORT_NEEDED,
        recipients=network_coordinators(site.network_id).exclude(pk=entry.author_id or 0),
        title=_("Appui souhaité à %(site)s (carnet de bord du %(start)s au %(end)s)")
        % {
            "site": site.name,
            "start": f"{entry.period_start:%d/%m/%Y}",
            "end": f"{entry.period_end:%d/%m/%Y}",
        },
        body=support if len(support) <= SUPPORT_EXCERPT_CHARS else support[: SUPPORT_EXCERPT_CHARS - 1] + "…",
        url=reverse("evaluation:logbook_detail", args=[site.slug, entry.pk]),
        dedupe_key=f"support-needed:{entry.pk}:{digest}",
        site=site,
    )


def has_period_entry(site: Site, quarter: Period) -> bool:
    """Whether the quarter's logbook is filled (the rule: LogbookEntry.objects.covering)."""
    return LogbookEntry.objects.covering(quarter.start, quarter.end).filter(site=site).exists()


def logbook_writers(site: Site) -> list[User]:
    """The site's current facilitators and host directors with an e-mail address."""
    return list(site_team(site).exclude(email="").order_by("email"))


def logbook_reminders_send(*, today: datetime.date | None = None) -> list[LogbookReminder]:
    """Remind each site's writers (a notification of kind « rappel carnet de bord »: their inbox,
    and an e-mail as they chose) when the last finished quarter has no periodic entry.

    At most one reminder per site and quarter: the reminder row (unique per site and period) and
    the notifications are written together, so a second run, or a concurrent one, tells nobody
    twice. Sites whose experiment started after the quarter, and sites with nobody to write to,
    are skipped without a record.
    """
    quarter = last_finished_quarter(today)
    sent = []
    already = LogbookReminder.objects.filter(period_start=quarter.start).values("site_id")
    sites = Site.objects.exclude(id__in=already).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=quarter.end)
    )
    for site in sites.order_by("name"):
        if has_period_entry(site, quarter):
            continue
        recipients = logbook_writers(site)
        if not recipients:
            continue
        try:
            with transaction.atomic():
                reminder = LogbookReminder.objects.create(
                    site=site,
                    period_start=quarter.start,
                    period_end=quarter.end,
                    recipients="\n".join(person.email for person in recipients),
                )
                notify(
                    kinds.REMINDER_LOGBOOK,
                    recipients=recipients,
                    title=_("Carnet de bord : le bilan du %(quarter)s de %(site)s est à saisir")
                    % {"quarter": quarter.short, "site": site.name},
                    body=_(
                        "Le carnet de bord de %(site)s n'a pas encore de bilan pour le %(quarter)s "
                        "(du %(start)s au %(end)s). Ce bilan nourrit l'évaluation nationale : ce qui "
                        "s'est passé, les difficultés, les enseignements, le temps passé et l'appui dont "
                        "vous auriez besoin. "
                        "Quelques lignes suffisent."
                    )
                    % {
                        "site": site.name,
                        "quarter": quarter.short,
                        "start": f"{quarter.start:%d/%m/%Y}",
                        "end": f"{quarter.end:%d/%m/%Y}",
                    },
                    url=reverse("evaluation:logbook_create", args=[site.slug]),
                    dedupe_key=f"reminder-logbook:{site.pk}:{quarter.start.isoformat()}",
                    site=site,
                )
        except IntegrityError:
            # Another run recorded this reminder in the meantime: it is theirs to send.
            continue
        sent.append(reminder)
    return sent
