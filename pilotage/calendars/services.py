"""Calendar subscriptions: a person's secret feed address, and the meetings it lists.

The key is 32 random bytes (256 bits, URL-safe base64), shown once; the database keeps its SHA-256
only, so a copy of the database opens no feed. A feed lists, at each read, the meetings of the sites
its person may read then (`atc.permissions.readable_sites`): a role that ends empties it, a person
deactivated or erased closes it.
"""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from atc.permissions import readable_sites
from pilotage.models import CalendarFeed, Meeting
from sites.models import Site

KEY_BYTES = 32
# A feed lists the meetings from this many days ago on: calendar apps re-read a feed every few hours,
# and a national reader's 1,600 sites' whole history would be a file no app keeps up with.
FEED_PAST_DAYS = 183
FEED_MAX_MEETINGS = 5_000
# A read records its time at most this often: an app polling every minute writes once an hour.
LAST_USE_PRECISION = datetime.timedelta(hours=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def feed_create(*, user) -> str:
    """A new secret key for `user`'s feed, replacing (and closing) any earlier one."""
    key = secrets.token_urlsafe(KEY_BYTES)
    CalendarFeed.objects.filter(user=user).delete()
    CalendarFeed.objects.create(user=user, key_hash=_hash(key))
    return key


def feed_revoke(*, user) -> bool:
    """Close `user`'s feed; True if there was one."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


def feed_for_key(key: str, *, now: datetime.datetime | None = None) -> CalendarFeed | None:
    """The open feed of this key, its use recorded; None for an unknown key or an inactive person."""
    if not key or len(key) > 100:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if feed is None or not feed.user.is_active:
        return None
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= LAST_USE_PRECISION:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed


def feed_meetings(*, user, today: datetime.date | None = None) -> list[Meeting]:
    """The meetings a feed lists: those of the sites `user` may read, from FEED_PAST_DAYS ago on."""
    today = today or timezone.localdate()
    sites = readable_sites(user, Site.objects.all())
    return list(
        Meeting.objects.filter(site__in=sites, date__gte=today - datetime.timedelta(days=FEED_PAST_DAYS))
        .select_related("site")
        .order_by("date", "start_time", "id")[:FEED_MAX_MEETINGS]
    )
