"""Hostile text in every form: NUL bytes, 10,000 characters, right-to-left overrides, emoji, HTML,
SQL and template syntax. Whatever is typed: no server error, an invalid form saves nothing, and
stored text comes back escaped on the page that shows it."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import Model
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from atc.models import User
from diagnostics.models import Finding, Theme
from evaluation.models import EvaluationReport, LogbookEntry
from pilotage.models import Action, Committee, CommitteeMember, Meeting
from sites.models import FacilitatorAssignment, PartnerOrganisation, ReviewComment, Site
from tests.badinput.forms import page_form

MARKUP = "<script>alert('atc')</script>"
NASTY = [
    "\x00",
    "compte\x00rendu",
    "x" * 10_000,
    "é" * 10_000,
    "\u202egnp.exe\u202c",
    "\u200f\u202bعربي\u202c",
    "Réunion 🎉👩‍👩‍👧 🇫🇷",
    MARKUP,
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE pilotage_meeting; --",
    "' OR '1'='1",
    "{{ request.user.password }} {% debug %}",
    "\r\n\t \u00a0",
    "\ufeff\ufffd\U0010ffff",
]
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=30)), min_size=2, max_size=4).map("".join),
    st.text(min_size=1, max_size=300),
)


def _badinput_committee() -> Committee:
    committee, _created = Committee.objects.get_or_create(
        site=Site.objects.get(slug="marseille"), name="Instance des entrées hostiles", kind="steering"
    )
    return committee


@dataclass(frozen=True)
class FormCase:
    """A form as a person reaches it: who, where, what makes it valid, which fields take text."""

    persona: str
    url: Callable[[], str]
    valid: Callable[[], dict]
    text_fields: tuple[str, ...]
    model: type[Model]


FORMS = {
    "meeting": FormCase(
        "facilitator",
        lambda: reverse("pilotage:meeting_create", args=["marseille"]),
        lambda: {
            "kind": "working_group",
            "date": "2021-03-15",
            "format": "in_person",
            "title": "Groupe de travail",
            "minutes_status": "none",
        },
        ("title", "location", "agenda", "minutes", "decisions-0-text"),
        Meeting,
    ),
    "action": FormCase(
        "facilitator",
        lambda: reverse("pilotage:action_create", args=["marseille"]),
        lambda: {"title": "Stock alimentaire partagé", "status": "idea", "progress": "0"},
        ("title", "description", "outcomes", "new_partner_name"),
        Action,
    ),
    "finding": FormCase(
        "facilitator",
        lambda: reverse("diagnostics:finding_create", args=["marseille"]),
        lambda: {
            "title": "Les associations travaillent seules",
            "source": "workshop",
            "theme": str(Theme.objects.order_by("pk").first().pk),
        },
        ("title", "description"),
        Finding,
    ),
    "logbook": FormCase(
        "facilitator",
        lambda: reverse("evaluation:logbook_create", args=["marseille"]),
        lambda: {
            "kind": "event",
            "period_start": "2021-01-01",
            "period_end": "2021-03-31",
            "happened": "Lancement du groupe jeunesse.",
        },
        (
            "happened",
            "difficulties",
            "lessons",
            "changes_of_course",
            "next_steps",
            "support_needed",
        ),
        LogbookEntry,
    ),
    "partner": FormCase(
        "facilitator",
        lambda: reverse("partners:partner_create", args=["marseille"]),
        lambda: {"name": "Régie de quartier", "category": "association"},
        ("name",),
        PartnerOrganisation,
    ),
    "arrival": FormCase(
        "host_director",
        lambda: reverse("team:arrival_create", args=["marseille"]),
        lambda: {
            "person_name": "Inès Morel",
            "position": "lead",
            "fte": "0.5",
            "contract_type": "cdd",
            "start_date": "2021-09-01",
        },
        ("person_name",),
        FacilitatorAssignment,
    ),
    "committee": FormCase(
        "facilitator",
        lambda: reverse("committees:committee_create", args=["marseille"]),
        lambda: {"kind": "working_group", "name": "Groupe jeunesse", "is_active": "on"},
        ("name", "description"),
        Committee,
    ),
    "seat": FormCase(
        "facilitator",
        lambda: reverse("committees:seat_create", args=["marseille", _badinput_committee().pk]),
        lambda: {"new_organisation": "Régie de quartier", "category": "association"},
        ("new_organisation", "person_name", "title"),
        CommitteeMember,
    ),
    "review_comment": FormCase(
        "prefet_delegate",
        lambda: reverse("dashboards:site", args=["tourcoing"]),
        lambda: {"body": "Bonne dynamique."},
        ("body",),
        ReviewComment,
    ),
    "invitation": FormCase(
        "national_team",
        lambda: reverse("person_invite"),
        lambda: {
            "email": "nouvelle@example.org",
            "first_name": "Inès",
            "last_name": "Morel",
            "kind": "national_team",
        },
        ("first_name", "last_name", "email"),
        User,
    ),
    "report_request": FormCase(
        "national_team",
        lambda: reverse("reports:report_request"),
        lambda: {"scope": "national", "period": "2021-Q1"},
        ("period",),
        EvaluationReport,
    ),
}


@pytest.fixture
def signed_in(client, personas):
    def sign_in(persona):
        client.force_login(personas[persona])
        return client

    return sign_in


def _form_data(client, case: FormCase) -> tuple[str, dict, set[str]]:
    page = client.get(case.url())
    assert page.status_code == 200
    data, names = page_form(page.content.decode())
    action = case.url()
    if case.model is ReviewComment:
        action = reverse("dashboards:site_comment", args=["tourcoing"])
    return action, {**data, **case.valid()}, names


def _assert_escaped(html: str, value: str) -> None:
    for tag in ("<script>alert(", "<img src=x onerror"):
        if tag in value:
            assert tag not in html, f"{tag!r} rendered as markup"
    assert "INVALID_TEMPLATE_VARIABLE" not in html


@pytest.mark.parametrize("form_name", FORMS)
def test_every_form_field_listed_exists_and_the_valid_data_saves(signed_in, form_name):
    case = FORMS[form_name]
    client = signed_in(case.persona)
    action, data, names = _form_data(client, case)
    assert set(case.text_fields) <= names, set(case.text_fields) - names
    before = case.model.objects.count()
    response = client.post(action, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert case.model.objects.count() == before + 1


@pytest.mark.parametrize("form_name", FORMS)
@hypothesis_settings(hypothesis_settings.get_profile("badinput"))
@given(data=st.data())
def test_hostile_text_never_breaks_a_form_and_is_never_rendered_as_markup(signed_in, form_name, data):
    case = FORMS[form_name]
    client = signed_in(case.persona)
    field = data.draw(st.sampled_from(case.text_fields), label="field")
    value = data.draw(hostile_text, label="value")
    action, posted, _names = _form_data(client, case)
    posted[field] = value
    before = case.model.objects.count()

    response = client.post(action, posted)

    assert response.status_code in (200, 302), response.status_code
    html = response.content.decode()
    _assert_escaped(html, value)
    if response.status_code == 200:
        assert case.model.objects.count() == before, "an invalid form saved something"
        if "\x00" in value:
            assert "Le caractère nul n’est pas autorisé." in html
    else:
        assert "\x00" not in value, "a NUL byte was accepted"
        assert case.model.objects.count() == before + 1
        shown = client.get(response["Location"])
        assert shown.status_code == 200
        _assert_escaped(shown.content.decode(), value)
