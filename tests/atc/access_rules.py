"""Who may open the platform's own pages (home, health, people and roles, audit trail), and how
the third-party URL families (Django's admin, allauth's account and two-factor pages) answer."""

from dataclasses import dataclass

from atc.models import Role
from tests.access import AUTHENTICATED, NATIONAL, PUBLIC, SITE_READ, Rule
from tests.atc.factories import RoleFactory, UserFactory


def _person(o):
    return {"pk": o["person"].pk}


def _invite_post(o):
    return {
        "email": f"invitee-{o['site'].slug}@example.org",
        "first_name": "Camille",
        "last_name": "Invitée",
        "kind": Role.Kind.FACILITATOR,
        "sites": [o["site"].pk],
        "start_date": "2024-01-08",
    }


def _role_post(o):
    return {"kind": Role.Kind.HOST_DIRECTOR, "sites": [o["site"].pk], "start_date": "2024-01-08"}


RULES = {
    "home": Rule(AUTHENTICATED),
    "health": Rule(PUBLIC),
    "people": Rule(NATIONAL),
    "person_invite": Rule(NATIONAL, methods=("GET", "POST"), post_data=_invite_post),
    "person_detail": Rule(NATIONAL, _person),
    "person_role_add": Rule(NATIONAL, _person, ("GET", "POST"), _role_post),
    "role_end": Rule(NATIONAL, lambda o: {"pk": o["role"].pk}, ("POST",), lambda o: {}),
    "history": Rule(SITE_READ, lambda o: {"model": "site", "pk": o["site"].pk}),
}


@dataclass(frozen=True)
class Sample:
    """One URL of a third-party family and the status each persona gets on GET."""

    name: str
    signed_in: int
    anonymous: int
    kwargs: dict | None = None


@dataclass(frozen=True)
class PrefixRule:
    """Every URL name starting with the prefix (and every unnamed pattern whose route starts with
    `route_prefix`) is covered; `samples` are requested for real."""

    behaviour: str
    samples: tuple[Sample, ...]
    route_prefix: str | None = None


PREFIX_RULES = {
    # None of the personas is staff: the admin sends them to its sign-in, which sends anonymous
    # people to allauth's sign-in and refuses signed-in ones (allauth would loop them back).
    "admin:": PrefixRule(
        "non-staff are redirected to the sign-in",
        (
            Sample("admin:index", signed_in=302, anonymous=302),
            Sample("admin:atc_user_changelist", signed_in=302, anonymous=302),
            Sample("admin:atc_role_changelist", signed_in=302, anonymous=302),
            Sample("admin:login", signed_in=403, anonymous=302),
        ),
        route_prefix="admin/",
    ),
    # allauth's views opt out of the login requirement and decide for themselves.
    "account_": PrefixRule(
        "public; signed-in people are sent home from the sign-in page",
        (
            Sample("account_login", signed_in=302, anonymous=200),
            Sample("account_reset_password", signed_in=200, anonymous=200),
            Sample("account_signup", signed_in=302, anonymous=200),
            Sample("account_change_password", signed_in=200, anonymous=302),
        ),
    ),
    "mfa_": PrefixRule(
        "public URLs; the pages themselves need a signed-in person",
        (
            Sample("mfa_index", signed_in=200, anonymous=302),
            # A session without a recent password entry is asked to re-authenticate first.
            Sample("mfa_activate_totp", signed_in=302, anonymous=302),
        ),
    ),
}


def build(site, user):
    """A person holding a role on the site, for the people and role pages."""
    person = UserFactory(email=f"member-{site.slug}@example.org")
    role = RoleFactory(user=person, kind=Role.Kind.FACILITATOR, sites=[site])
    return {"person": person, "role": role}
