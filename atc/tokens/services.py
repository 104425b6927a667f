"""Personal API tokens: created (the secret shown once), found back from a secret, revoked.

A secret is `atc_` + 43 URL-safe characters (32 random bytes). Only its SHA-256 is stored: a copy
of the database does not give anyone a usable token. The first 12 characters (the prefix) are
kept in clear so a person can tell their tokens apart."""

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from atc.models import ApiToken, User

SECRET_START = "atc_"
PREFIX_LENGTH = 12
# A token's last use is written at most once a minute: a client reading page after page does not
# turn every request into a write.
LAST_USE_RESOLUTION = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, expires_at: datetime.datetime | None = None) -> CreatedToken:
    """A new token for `user`; the secret is in the result only, never stored."""
    for _attempt in range(3):
        secret = SECRET_START + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name.strip(),
                    prefix=secret[:PREFIX_LENGTH],
                    key_hash=_hash(secret),
                    expires_at=expires_at,
                )
        except IntegrityError:
            # Two secrets sharing their first 8 random characters: draw again.
            continue
        return CreatedToken(token=token, secret=secret)
    raise RuntimeError("Could not draw a unique token prefix")


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of `user`'s tokens at once (the next request with it answers 401); None when
    the token is not theirs. Revoking twice keeps the first date."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(*, secret: str, now: datetime.datetime | None = None) -> ApiToken | None:
    """The usable token whose secret this is (with its active owner), or None. Read from the
    database on every request: a revoked token stops working at once. Records the last use."""
    now = now or timezone.now()
    if not secret.startswith(SECRET_START) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=secret[:PREFIX_LENGTH], user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(secret)) or not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(user: User):
    """A person's tokens, newest first (revoked and expired ones included: the page says so)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
