"""Accounts: inviting a person with a first role, giving and ending roles.

Called by the national team's pages (sites.people) and by the admin; no open sign-up exists.
"""

import datetime

from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core.context import request_context
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from atc.links import absolute_url
from atc.models import Role, User


def invitation_url(*, user: User) -> str:
    """The link that lets the person choose their password: allauth's reset-from-key page."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return absolute_url(path)


def invitation_send(*, request, user: User) -> None:
    """Email the person (in French) a link to choose their password and sign in."""
    days = settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)
    # allauth reads the request from its context; after the commit, the view may have returned.
    with request_context(request):
        get_adapter(request).send_mail(
            "account/email/invitation",
            user.email,
            {
                "user": user,
                "invitation_url": invitation_url(user=user),
                "login_url": absolute_url(reverse("account_login")),
                "valid_days": days,
                "roles": list(user.roles.current().select_related("network").prefetch_related("sites")),
            },
        )


def role_add(
    *,
    user: User,
    kind: str,
    sites=(),
    network=None,
    start_date: datetime.date | None = None,
) -> Role:
    """Give a person one more role, scoped to sites or a network (validated by the forms)."""
    with transaction.atomic():
        role = Role.objects.create(
            user=user,
            kind=kind,
            network=network if kind == Role.Kind.NETWORK_COORDINATOR else None,
            start_date=start_date or timezone.localdate(),
        )
        if kind in Role.SITE_SCOPED:
            role.sites.set(sites)
    return role


def person_invite(
    *,
    request,
    email: str,
    first_name: str,
    last_name: str,
    kind: str,
    sites=(),
    network=None,
    start_date: datetime.date | None = None,
) -> User:
    """Create the account (no usable password, email already verified), its first role, and
    send the invitation once the transaction has committed."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=None, first_name=first_name, last_name=last_name
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        role_add(user=user, kind=kind, sites=sites, network=network, start_date=start_date)
        transaction.on_commit(lambda: invitation_send(request=request, user=user))
    return user


def role_end(*, role: Role, on: datetime.date | None = None) -> Role | None:
    """End a role today (or on a given day); the row stays, so tenure history is kept.

    A role that has not started yet was never held: it is deleted (and None returned)."""
    day = on or timezone.localdate()
    if role.start_date > day:
        role.delete()
        return None
    if role.end_date is None or role.end_date > day:
        role.end_date = day
        role.save(update_fields=["end_date"])
    return role
