"""Who may open a site's committee pages (see tests/access.py for the format)."""

from tests.access import SITE_READ, SITE_WRITE, Rule
from tests.pilotage.factories import CommitteeFactory, CommitteeMemberFactory


def _site(o):
    return {"slug": o["site"].slug}


def _committee(o):
    return {"slug": o["site"].slug, "pk": o["matrix_committee"].pk}


def _seat(o):
    return {**_committee(o), "seat_pk": o["matrix_seat"].pk}


RULES = {
    "committees:committee_list": Rule(SITE_READ, _site),
    "committees:committee_detail": Rule(SITE_READ, _committee),
    "committees:committee_create": Rule(
        SITE_WRITE,
        _site,
        ("GET", "POST"),
        lambda o: {"kind": "working_group", "name": "Groupe de la matrice", "is_active": "on"},
    ),
    "committees:committee_edit": Rule(SITE_WRITE, _committee),
    "committees:seat_create": Rule(
        SITE_WRITE,
        _committee,
        ("GET", "POST"),
        lambda o: {"new_organisation": "Organisation de la matrice", "category": "association"},
    ),
    "committees:seat_edit": Rule(SITE_WRITE, _seat),
    "committees:seat_end": Rule(SITE_WRITE, _seat, ("GET", "POST"), lambda o: {"end_date": "2030-01-01"}),
}


def build(site, user):
    """A project team with one seat."""
    committee = CommitteeFactory(
        site=site, kind="project_team", name=f"Équipe projet de la matrice {site.slug}"
    )
    return {"matrix_committee": committee, "matrix_seat": CommitteeMemberFactory(committee=committee)}
