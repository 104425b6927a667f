"""Notifications: the one entry point `notify`, the inbox's writes, the preferences, the
unsubscribe links, and the e-mails (at once or in daily and weekly digests).

An event becomes one inbox row per recipient (unique per recipient and event, so telling it twice
creates nothing more). Its e-mail then follows the recipient's frequency for the kind: at once (a
task queued after the commit), in the next digest, or never. Every send first claims its rows with
a conditional UPDATE (`emailed_at` still empty), and a digest first records itself (unique per
person, frequency and period): a retried task or a second run sends nothing twice.
"""

import datetime as dt
import logging
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from atc.access_version import ACCESS_VERSION_KEY
from atc.cache import get_or_compute, versioned_key
from atc.models import Notification, NotificationDigest, NotificationPreference, User
from atc.notifications import emails
from atc.notifications.kinds import KINDS, Frequency, default_frequency
from atc.permissions import readable_notifications
from atc.queue import publish

log = logging.getLogger(__name__)

TITLE_MAX = 200
BODY_MAX = 2000
UNSUBSCRIBE_SALT = "atc.notifications.unsubscribe"
UNREAD_CACHE_SECONDS = 300
# How far back a digest looks: a notification older than this (kept while its kind was « never »,
# say) is not sent when the person later chooses a digest.
DIGEST_LOOKBACK = {Frequency.DAILY: dt.timedelta(days=2), Frequency.WEEKLY: dt.timedelta(days=14)}


class UnsubscribeLinkInvalid(Exception):
    """The link was altered or names a person or kind that does not exist."""


class UnsubscribeLinkExpired(Exception):
    """The link is older than ATC_NOTIFICATION_UNSUBSCRIBE_DAYS."""


def _one_line(text: str, limit: int) -> str:
    """Text without control characters (an e-mail subject is one line), cut to `limit`."""
    cleaned = "".join(" " if unicodedata.category(char)[0] == "C" else char for char in str(text))
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def _clean_body(text: str) -> str:
    cleaned = "".join(
        char if char in "\n\t" or unicodedata.category(char)[0] != "C" else " " for char in str(text)
    ).strip()
    return cleaned if len(cleaned) <= BODY_MAX else cleaned[: BODY_MAX - 1].rstrip() + "…"


def notify(
    kind: str,
    *,
    recipients: Iterable[User],
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    site=None,
) -> list[Notification]:
    """Tell `recipients` about one event: the inbox rows created (none for a person already told
    about `dedupe_key`, none for an inactive account), and, after the commit, the e-mails of those
    who want this kind at once. `url` is a path of the platform (the object to open)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if url and not url.startswith("/"):
        raise ValueError(f"a notification links to a path of the platform, got {url!r}")
    dedupe_key = dedupe_key[:200]
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not users:
        return []
    with transaction.atomic():
        told = set(
            Notification.objects.filter(recipient_id__in=sorted(users), dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        new_ids = sorted(set(users) - told)
        if not new_ids:
            return []
        now = timezone.now()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=user_id,
                    kind=kind,
                    title=_one_line(title, TITLE_MAX),
                    body=_clean_body(body),
                    url=url[:500],
                    site=site,
                    created_at=now,
                    dedupe_key=dedupe_key,
                )
                for user_id in new_ids
            ],
            # Another process told the same person about the same event in the meantime.
            ignore_conflicts=True,
        )
        created = list(
            Notification.objects.filter(recipient_id__in=new_ids, dedupe_key=dedupe_key, created_at=now)
        )
        _forget_unread_counts(new_ids)
        chosen = dict(
            NotificationPreference.objects.filter(user_id__in=new_ids, kind=kind).values_list(
                "user_id", "frequency"
            )
        )
        immediate = [
            n.pk
            for n in created
            if chosen.get(n.recipient_id, default_frequency(kind)) == Frequency.IMMEDIATE
        ]
        if immediate:
            # With the broker down the rows stay unsent and the failure is logged (atc.queue):
            # digests do not pick up rows meant « at once ».
            transaction.on_commit(lambda: publish("atc.notifications.send_emails", immediate))
    return created


def _frequencies(user: User) -> dict[str, str]:
    """Kind → frequency of e-mails chosen by the person, the kind's default otherwise."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "frequency"))
    return {code: chosen.get(code, default_frequency(code)) for code in KINDS}


def preferences_of(user: User) -> dict[str, str]:
    return _frequencies(user)


@transaction.atomic
def preferences_save(*, user: User, frequencies: Mapping[str, str]) -> None:
    """Record the frequency of each kind given (unknown kinds or frequencies are refused)."""
    for kind, frequency in frequencies.items():
        if kind not in KINDS or frequency not in Frequency.values:
            raise ValueError(f"unknown kind or frequency: {kind!r}, {frequency!r}")
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"frequency": frequency}
        )


def unsubscribe_token(*, user: User, kinds: Iterable[str]) -> str:
    """A signed, salted token naming the person and the kinds a click stops e-mailing."""
    return signing.dumps({"u": user.pk, "k": sorted(set(kinds))}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[User, list[str]]:
    """The person and kinds of a token; UnsubscribeLinkExpired or UnsubscribeLinkInvalid otherwise."""
    max_age = dt.timedelta(days=settings.ATC_NOTIFICATION_UNSUBSCRIBE_DAYS)
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise UnsubscribeLinkExpired from error
    except signing.BadSignature as error:
        raise UnsubscribeLinkInvalid from error
    kinds = data.get("k") if isinstance(data, dict) else None
    if not isinstance(kinds, list) or not kinds or any(kind not in KINDS for kind in kinds):
        raise UnsubscribeLinkInvalid
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        raise UnsubscribeLinkInvalid
    return user, kinds


def unsubscribe(*, user: User, kinds: Iterable[str]) -> None:
    """Stop the e-mails of these kinds only (they stay in the inbox)."""
    preferences_save(user=user, frequencies=dict.fromkeys(kinds, Frequency.NEVER))


# The inbox -----------------------------------------------------------------------------------


def _unread_key(user_id: int) -> str:
    return versioned_key("notifications-unread", cache.get(ACCESS_VERSION_KEY), user_id)


def _forget_unread_counts(user_ids: Iterable[int]) -> None:
    keys = [_unread_key(user_id) for user_id in user_ids]
    transaction.on_commit(lambda: cache.delete_many(keys))
    cache.delete_many(keys)


def inbox_of(user: User):
    """The notifications the person sees in their inbox (atc.permissions.readable_notifications)."""
    return readable_notifications(user, Notification.objects.all())


def unread_count(user: User) -> int:
    """The header's badge: one indexed count, kept in the cache until the person's inbox changes
    (the key holds the access version, so a role given or ended counts again)."""
    return get_or_compute(_unread_key(user.pk), lambda: inbox_of(user).unread().count(), UNREAD_CACHE_SECONDS)


@transaction.atomic
def notification_read(*, user: User, notification_id: int) -> Notification | None:
    """Mark one of the person's notifications read (None when it is not theirs)."""
    notification = inbox_of(user).filter(pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _forget_unread_counts([user.pk])
    return notification


@transaction.atomic
def notifications_read_all(*, user: User) -> int:
    """Mark every unread notification of the person read; how many were."""
    marked = inbox_of(user).unread().update(read_at=timezone.now())
    _forget_unread_counts([user.pk])
    return marked


# E-mails -------------------------------------------------------------------------------------


def _claim(ids: list[int], **changes) -> int:
    return Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(
        emailed_at=timezone.now(), **changes
    )


def notification_email_send(notification_id: int) -> bool:
    """E-mail one notification to its recipient if they want its kind at once; True when sent.
    The row is claimed before the send and released if the send fails (the task is retried)."""
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email:
        return False
    if _frequencies(recipient)[notification.kind] != Frequency.IMMEDIATE:
        return False
    if not _claim([notification.pk]):
        return False
    try:
        emails.notification_message(
            notification, token=unsubscribe_token(user=recipient, kinds=[notification.kind])
        ).send()
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True


def digest_period_start(frequency: str, now: dt.datetime) -> dt.date:
    """The day (daily) or the Monday of the week (weekly) a digest sent at `now` belongs to."""
    day = timezone.localdate(now)
    return day if frequency == Frequency.DAILY else day - dt.timedelta(days=day.weekday())


def digests_send(*, frequency: str, now: dt.datetime | None = None) -> int:
    """Send each person who chose `frequency` for some kinds one digest of their unread, unsent
    notifications of those kinds; the number of digests sent. Once per person and period."""
    if frequency not in DIGEST_LOOKBACK:
        raise ValueError(f"no digest for {frequency!r}")
    now = now or timezone.now()
    period_start = digest_period_start(frequency, now)
    pending = (
        Notification.objects.unread()
        .filter(
            emailed_at__isnull=True, created_at__gte=now - DIGEST_LOOKBACK[frequency], created_at__lte=now
        )
        .exclude(recipient__email="")
        .filter(recipient__is_active=True)
        .values_list("recipient_id", "kind", "pk")
    )
    by_user: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for user_id, kind, pk in pending:
        by_user[user_id][kind].append(pk)
    chosen: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, kind, value in NotificationPreference.objects.filter(
        user_id__in=sorted(by_user)
    ).values_list("user_id", "kind", "frequency"):
        chosen[user_id][kind] = value
    already = set(
        NotificationDigest.objects.filter(frequency=frequency, period_start=period_start).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    for user_id in sorted(by_user):
        if user_id in already:
            continue
        ids = [
            pk
            for kind, pks in by_user[user_id].items()
            if chosen[user_id].get(kind, default_frequency(kind)) == frequency
            for pk in pks
        ]
        if ids and _digest_send(user_id=user_id, frequency=frequency, period_start=period_start, ids=ids):
            sent += 1
    return sent


def _digest_send(*, user_id: int, frequency: str, period_start: dt.date, ids: list[int]) -> bool:
    try:
        with transaction.atomic():
            digest = NotificationDigest.objects.create(
                user_id=user_id, frequency=frequency, period_start=period_start
            )
            claimed = _claim(ids, digest=digest)
    except IntegrityError:
        # Another run sends this person's digest for the period.
        return False
    if not claimed:
        digest.delete()
        return False
    notifications = list(digest.notifications.order_by("kind", "-created_at", "-pk"))
    user = User.objects.get(pk=user_id)
    try:
        emails.digest_message(
            user=user,
            frequency=frequency,
            notifications=notifications,
            token_for=lambda kinds: unsubscribe_token(user=user, kinds=kinds),
        ).send()
    except Exception:
        log.exception("notifications: digest not sent to user %s", user_id)
        with transaction.atomic():
            Notification.objects.filter(digest=digest).update(emailed_at=None, digest=None)
            digest.delete()
        return False
    return True
