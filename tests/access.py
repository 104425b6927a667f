"""The declared access rules every URL pattern must have, and who is expected to get what.

Each app declares its URLs in `tests/<app>/access_rules.py`:

    RULES = {"pilotage:meeting_list": Rule(SITE_READ, lambda o: {"slug": o["site"].slug})}

    def build(site, user):
        # objects of this app on `site`, used to fill URL kwargs and POST data
        return {"meeting": MeetingFactory(site=site)}

`o` is the dict of every app's `build()` for one site, plus "site". The permission-matrix test
(tests/atc/test_permission_matrix.py) walks every URL pattern of the project, fails on one without a
rule, and checks each persona × site × method against the expectations written out below — written
by hand, never computed with the code under test.
"""

from collections.abc import Callable
from dataclasses import dataclass

PUBLIC = "public"  # anyone, signed in or not
AUTHENTICATED = "authenticated"  # any signed-in person
SITE_READ = "site_read"  # those who may read the site
SITE_WRITE = "site_write"  # the site team; readers get 403, outsiders 404
SITE_COMMENT = "site_comment"  # préfet delegates of the site and the national team
COMMENT_REPLY = "comment_reply"  # the site team, the site's préfet delegates and the national team
# The site team, the national team and the comment's author: the matrix's comments are written by
# the facilitator (tests/sites/access_rules.py), who reads Marseille only.
COMMENT_HANDLE = "comment_handle"
NATIONAL = "national"  # national team only; other signed-in people get 403
ROLE_HOLDER = "role_holder"  # anyone holding a role (rows scoped by the view); no role gets 403
# The person who owns the object (the matrix builds them for the facilitator: API tokens);
# anyone else gets a 404, as if it did not exist.
OWNER = "owner"
# The recipient of the matrix's notification (the facilitator, tests/atc/access_rules_notifications.py);
# anyone else signed in gets 404 (another person's notification is not revealed).
RECIPIENT = "recipient"
# The site's host directors (validate meeting minutes they did not submit); other readers get 403.
MINUTES_VALIDATE = "minutes_validate"
# A draft report's texts on the site: the national team and the site's network coordinators; its
# other readers get 403.
REPORT_NARRATIVE = "report_narrative"
# The site team and the national team (record the site's facilitators); other readers get 403.
TEAM_MANAGE = "team_manage"
# The national team among the site's readers (verify an avoided cost); other readers get 403.
SITE_VERIFY = "site_verify"
# The site's network coordinators and the national team (publish an experience sheet or the site's
# public page); other readers get 403.
SITE_PUBLISH = "site_publish"

# Policies about one site: checked on each matrix site; an outsider of the site gets a 404.
SITE_POLICIES = frozenset(
    {
        SITE_READ,
        SITE_WRITE,
        SITE_COMMENT,
        COMMENT_REPLY,
        COMMENT_HANDLE,
        MINUTES_VALIDATE,
        REPORT_NARRATIVE,
        TEAM_MANAGE,
        SITE_VERIFY,
        SITE_PUBLISH,
    }
)

PERSONAS = (
    "anonymous",
    "facilitator",
    "host_director",
    "prefet_delegate",
    "network_coordinator",
    "national_team",
    "outsider",
)

# The three sites the matrix uses, and who stands where (see tests/conftest.py for the personas):
# Marseille is the facilitator's and host's site (FCSF); Tourcoing is in the delegate's Nord and
# in FCSF; Grenoble (CNLRQ) belongs to none of them.
MATRIX_SITES = ("marseille", "tourcoing", "grenoble")

READERS = {
    "marseille": {"facilitator", "host_director", "network_coordinator", "national_team"},
    "tourcoing": {"prefet_delegate", "network_coordinator", "national_team"},
    "grenoble": {"national_team"},
}
WRITERS = {
    "marseille": {"facilitator", "host_director"},
    "tourcoing": set(),
    "grenoble": set(),
}
COMMENTERS = {
    "marseille": {"national_team"},
    "tourcoing": {"prefet_delegate", "national_team"},
    "grenoble": {"national_team"},
}

REPLIERS = {
    "marseille": {"facilitator", "host_director", "national_team"},
    "tourcoing": {"prefet_delegate", "national_team"},
    "grenoble": {"national_team"},
}
VALIDATORS = {
    "marseille": {"host_director"},
    "tourcoing": set(),
    "grenoble": set(),
}
VERIFIERS = {
    "marseille": {"national_team"},
    "tourcoing": {"national_team"},
    "grenoble": {"national_team"},
}
# The site's network coordinators and the national team: they write a draft report's texts and
# publish an experience sheet or the site's public page.
NARRATIVE_WRITERS = PUBLISHERS = {
    "marseille": {"network_coordinator", "national_team"},
    "tourcoing": {"network_coordinator", "national_team"},
    "grenoble": {"national_team"},
}
TEAM_MANAGERS = {
    "marseille": {"facilitator", "host_director", "national_team"},
    "tourcoing": {"national_team"},
    "grenoble": {"national_team"},
}
HANDLERS = {
    "marseille": {"facilitator", "host_director", "national_team"},
    "tourcoing": {"national_team"},
    "grenoble": {"national_team"},
}


@dataclass(frozen=True)
class Rule:
    """How one URL pattern answers. `kwargs` and `post_data` receive the site's objects.

    An allowed GET answers 200, or a redirect (302) when `redirects` is set; an allowed POST
    answers 200 or 302."""

    policy: str
    kwargs: Callable[[dict], dict] = lambda objects: {}
    methods: tuple[str, ...] = ("GET",)
    post_data: Callable[[dict], dict] | None = None
    redirects: bool = False
    # The API (/api/v1/) answers an anonymous call 401 in JSON instead of the sign-in redirect.
    api: bool = False


def allowed(policy: str, persona: str, site_slug: str | None) -> bool:
    if policy == PUBLIC:
        return True
    if persona == "anonymous":
        return False
    if policy == AUTHENTICATED:
        return True
    if policy == NATIONAL:
        return persona == "national_team"
    if policy == ROLE_HOLDER:
        return persona != "outsider"
    if policy in (OWNER, RECIPIENT):
        return persona == "facilitator"
    if policy == SITE_READ:
        return persona in READERS[site_slug]
    if policy == SITE_WRITE:
        return persona in WRITERS[site_slug]
    if policy == SITE_COMMENT:
        return persona in COMMENTERS[site_slug]
    if policy == COMMENT_REPLY:
        return persona in REPLIERS[site_slug]
    if policy == COMMENT_HANDLE:
        return persona in HANDLERS[site_slug]
    if policy == MINUTES_VALIDATE:
        return persona in VALIDATORS[site_slug]
    if policy == REPORT_NARRATIVE:
        return persona in NARRATIVE_WRITERS[site_slug]
    if policy == TEAM_MANAGE:
        return persona in TEAM_MANAGERS[site_slug]
    if policy == SITE_VERIFY:
        return persona in VERIFIERS[site_slug]
    if policy == SITE_PUBLISH:
        return persona in PUBLISHERS[site_slug]
    raise ValueError(policy)


def expected_refusal(policy: str, persona: str, site_slug: str | None, api: bool = False) -> int:
    """The status of a refused request: login redirect (401 from the API), 404 outside the scope,
    403 inside it."""
    if persona == "anonymous":
        return 401 if api else 302
    if policy in SITE_POLICIES and persona not in READERS[site_slug]:
        return 404
    if policy in (OWNER, RECIPIENT):
        return 404
    return 403
