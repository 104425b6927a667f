"""A field of checkboxes among a site's rows (pilotage/_multiple_choice.html) is rendered by
Jinja2 (jinja2/pilotage/_checkboxes.html) as crispy-bootstrap5 renders it: same elements,
attributes and text, whatever the partners are called, which are ticked, whether the field has a
help text; with errors, crispy renders it."""

import re

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext

from pilotage.forms import ActionForm, MeetingForm, TallyForm
from pilotage.models import Meeting
from sites.models import OrganisationCategory
from tests.diagnostics.factories import FindingFactory
from tests.pilotage.factories import MeetingFactory
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def _squash(html: str) -> str:
    """The markup with its whitespace made one space (none beside a tag's brackets) and the two
    engines' spellings of the same escaped quotes made one (Django writes &#x27; and &quot;,
    Jinja2 &#39; and &#34;): what a browser reads the same."""
    html = html.replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
    html = re.sub(r"\s+", " ", html)
    return re.sub(r" ?([<>]) ?", r"\1", html).strip()


def _crispy(field) -> str:
    return (
        engines["django"]
        .from_string("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
        .render({"field": field})
    )


def _kept(field) -> str:
    template = engines["django"].from_string(
        '{% include "pilotage/_multiple_choice.html" with field=field %}'
    )
    return template.render({"field": field})


@pytest.fixture
def partners(marseille):
    return [
        PartnerOrganisationFactory(site=marseille, name="Centre social Air Bel"),
        PartnerOrganisationFactory(
            site=marseille,
            name='Mairie des 11/12 & <b>l\'annexe</b> "Nord"',
            category=OrganisationCategory.LOCAL_AUTHORITY,
        ),
        PartnerOrganisationFactory(site=marseille, name="Régie de quartier"),
    ]


def test_the_blank_meeting_forms_partners_are_crispys_own(marseille, partners):
    field = MeetingForm(instance=Meeting(site=marseille), site=marseille)["organisations"]
    html = _kept(field)
    assert _squash(html) == _squash(_crispy(field))
    assert f'value="{partners[1].pk}"' in html
    assert "&lt;b&gt;l&#39;annexe&lt;/b&gt; &#34;Nord&#34;" in html  # a partner's name stays text


def test_the_ticked_partners_of_a_meeting_stay_ticked(marseille, partners):
    meeting = MeetingFactory(site=marseille)
    meeting.organisations.set(partners[:2])
    field = MeetingForm(instance=meeting, site=marseille)["organisations"]
    html = _kept(field)
    assert _squash(html) == _squash(_crispy(field))
    assert html.count(" checked") == 2


def test_an_actions_partners_and_findings_with_their_help_text(marseille, partners):
    FindingFactory(site=marseille)
    form = ActionForm(site=marseille)
    for name in ("partners", "findings"):
        assert _squash(_kept(form[name])) == _squash(_crispy(form[name]))


def test_a_tallys_organisations_with_their_help_text(marseille, partners):
    meeting = MeetingFactory(site=marseille)
    field = TallyForm(meeting=meeting, members=[])["organisations"]
    html = _kept(field)
    assert "Les organisations des membres qui ont signé" in html
    assert _squash(html) == _squash(_crispy(field))


def test_a_field_with_errors_is_crispys(marseille, partners):
    form = MeetingForm({"organisations": ["999999"]}, instance=Meeting(site=marseille), site=marseille)
    assert form.errors["organisations"]
    assert _kept(form["organisations"]).strip() == _crispy(form["organisations"]).strip()


def test_the_partners_are_read_once(marseille, partners):
    field = MeetingForm(instance=Meeting(site=marseille), site=marseille)["organisations"]
    with CaptureQueriesContext(connection) as captured:
        _kept(field)
    assert len(captured) == 1
