"""One number format everywhere (narrow no-break space between thousands, decimal comma) and
sentences that read right for one site, checked in the PDF (pypdf) and on the dashboard page."""

import datetime
import re
from decimal import Decimal

import pypdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from atc.formats import format_number, format_percent
from evaluation.figures import registry
from evaluation.figures.aggregates import rebuild_all_stats
from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.reports.factories import SurveyFactory, SurveyRecipientFactory
from tests.sites.factories import FacilitatorAssignmentFactory

D = datetime.date
THIN = "\u202f"


def _pdf_text(path) -> str:
    # Only the line breaks are flattened: the narrow no-break spaces stay, as the reader sees them.
    return " ".join(page.extract_text() for page in pypdf.PdfReader(path).pages).replace("\n", " ")


def test_the_one_format_groups_thousands_and_rounds_halves_up():
    assert format_number(4944) == f"4{THIN}944"
    assert format_number(1234567.25, 1) == f"1{THIN}234{THIN}567,3"
    assert format_number(0.35, 1) == "0,4"
    assert format_number(2.0, 2) == "2"
    assert format_number(None) == "—"
    assert format_percent(41.6) == f"42{THIN}%"


@pytest.fixture
def marseille_2021(marseille):
    FacilitatorAssignmentFactory(site=marseille, fte="0.8", start_date=D(2020, 1, 6))
    MeetingFactory(
        site=marseille, steering=True, date=D(2021, 3, 4), attendees_residents=4000, attendees_association=944
    )
    LogbookEntryFactory(site=marseille)
    survey = SurveyFactory(title="Questionnaire flash 2021", sent_on=D(2021, 5, 3))
    for answered in (D(2021, 5, 10), D(2021, 5, 12), None):
        SurveyRecipientFactory(survey=survey, site=marseille, responded_on=answered)
    rebuild_all_stats()  # the dashboards' pre-aggregates, as the commit hooks refresh them
    return marseille


def test_a_site_report_prints_every_number_one_way_and_speaks_of_one_site(marseille_2021, tmp_path):
    output = tmp_path / "marseille.pdf"
    call_command("build_report", scope="site:marseille", period="2021", output=str(output))
    text = _pdf_text(output)

    assert f"4{THIN}944 participations aux réunions de la période" in text
    assert "4944" not in text
    assert not re.search(r"de 1 à 1(?!\d)|de 0,8 à 0,8", text)
    assert not re.search(r"\w \.(?!\.)", text), "a sentence ends with a space before its full stop"
    assert "(d'un site)" in text and "de 1 sites" not in text
    assert "3 sur 1 territoire 2 sur 1 territoire" in text
    assert f"{registry.get('steering_meetings_period').label}, par site : 1." in text
    assert f"{registry.get('fte_in_post').label} : 0,8." in text


def test_the_site_dashboard_groups_thousands(client, national_team, marseille):
    ActionFactory(site=marseille, residents_reached=2997)
    MeetingFactory(site=marseille, attendees_residents=4000, attendees_association=944)
    client.force_login(national_team)
    page = client.get(reverse("dashboards:site", args=["marseille"])).content.decode()
    assert f"<strong>2{THIN}997</strong>" in page


@given(st.integers(min_value=-(10**15), max_value=10**15), st.integers(min_value=0, max_value=3))
def test_an_integer_prints_as_the_same_number_written_as_a_decimal(number, decimals):
    # Integers skip the Decimal rounding (most cells of a table): the text must not change.
    assert format_number(number, decimals) == format_number(Decimal(number), decimals)
    if abs(number) <= 2**53:  # a float holds every integer up to there
        assert format_number(number, decimals) == format_number(float(number), decimals)
