"""The personal-data check before anything becomes public: a text that names a person the
platform knows on the site (a facilitator, a steering committee member, someone holding a role on
the site) is refused unless the publisher records that the people named agreed.

The check knows only the names the platform holds; what it cannot know, the publisher reads.
"""

import re

from django.db.models import Q

from atc.models import User
from pilotage.models import CommitteeMember
from sites.models import FacilitatorAssignment, Site

# A surname shorter than this matches too many ordinary words to be told apart.
MIN_NAME_LENGTH = 3


def _known_names(site: Site) -> set[str]:
    names = set(FacilitatorAssignment.objects.filter(site=site).values_list("person_name", flat=True))
    names.update(
        CommitteeMember.objects.filter(committee__site=site, name_consent=False)
        .exclude(person_name="")
        .values_list("person_name", flat=True)
    )
    for first, last in (
        User.objects.filter(Q(roles__sites=site) | Q(facilitator_assignments__site=site))
        .distinct()
        .values_list("first_name", "last_name")
    ):
        names.add(f"{first} {last}".strip())
    return {name.strip() for name in names if name and name.strip()}


def _patterns(name: str) -> list[re.Pattern]:
    """The full name, and the last word of it (the surname, « Mme Durand »)."""
    words = name.split()
    candidates = {" ".join(words)}
    if len(words) > 1 and len(words[-1]) >= MIN_NAME_LENGTH:
        candidates.add(words[-1])
    return [re.compile(rf"(?<!\w){re.escape(candidate)}(?!\w)", re.IGNORECASE) for candidate in candidates]


def names_found(site: Site, texts: list[str]) -> list[str]:
    """The names of people known on `site` that appear in `texts`, sorted."""
    joined = "\n".join(text for text in texts if text)
    return sorted(name for name in _known_names(site) if any(p.search(joined) for p in _patterns(name)))
