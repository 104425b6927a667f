"""The logbook (carnet de bord): periods, saving an entry with its links, and the reminders."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.concurrency import claim_version
from atc.links import absolute_url
from atc.models import Role, User
from atc.periods import Period, period_before
from atc.permissions import WRITER_KINDS
from evaluation.models import LogbookEntry, LogbookReminder
from sites.models import Site

logger = logging.getLogger(__name__)


def last_finished_quarter(today: datetime.date | None = None) -> Period:
    """The most recent quarter that has fully ended (the logbook's default period)."""
    return period_before("quarter", today or timezone.localdate())


@transaction.atomic
def logbook_entry_save(*, entry: LogbookEntry, meetings, actions, version: int | None = None) -> LogbookEntry:
    """Save an entry and its links to meetings and actions together (all or nothing).

    The caller has already limited `meetings` and `actions` to the entry's site. StaleVersion when
    someone else saved the entry after the form was built (atc.concurrency).
    """
    entry.full_clean()
    claim_version(entry, version)
    entry.save()
    entry.meetings.set(meetings)
    entry.actions.set(actions)
    return entry


def has_period_entry(site: Site, quarter: Period) -> bool:
    """Whether the quarter's logbook is filled (the rule: LogbookEntry.objects.covering)."""
    return LogbookEntry.objects.covering(quarter.start, quarter.end).filter(site=site).exists()


def logbook_writers(site: Site) -> list[str]:
    """E-mail addresses of the site's current facilitators and host directors."""
    user_ids = Role.objects.current().filter(kind__in=WRITER_KINDS, sites=site).values("user_id")
    return sorted(
        User.objects.filter(id__in=user_ids, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _reminder_messages(site: Site, quarter: Period, recipients: list[str]) -> list[EmailMessage]:
    context = {
        "site": site,
        "quarter": quarter,
        "create_url": absolute_url(reverse("evaluation:logbook_create", args=[site.slug])),
    }
    subject = _("Carnet de bord : le bilan du %(quarter)s de %(site)s est à saisir") % {
        "quarter": quarter.short,
        "site": site.name,
    }
    body = render_to_string("evaluation/email/logbook_reminder.txt", context)
    return [
        EmailMessage(subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body=body, to=[address])
        for address in recipients
    ]


def logbook_reminders_send(*, today: datetime.date | None = None) -> list[LogbookReminder]:
    """E-mail each site's writers when the last finished quarter has no periodic entry.

    At most one reminder per site and quarter: the reminder row is written (unique per site and
    period) before the mail goes out, and removed again if sending fails, so a failed send is
    retried on the next run and a sent one never repeats. Sites whose experiment started after the
    quarter, and sites with nobody to write to, are skipped without a record.
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
                    recipients="\n".join(recipients),
                )
        except IntegrityError:
            # Another run recorded this reminder in the meantime: it is theirs to send.
            continue
        try:
            get_connection().send_messages(_reminder_messages(site, quarter, recipients))
        except Exception:
            reminder.delete()
            logger.exception("logbook reminder not sent for site %s", site.pk)
            continue
        sent.append(reminder)
    return sent
