"""What "in the period" means in a report, figure by figure, read in the PDF itself (pypdf):

- partner organisations: the state at the period's end — recorded by then, or with a dated trace
  by then (a meeting attended, an action started, a committee seat held);
- context events: those whose dates overlap the period (no end date: a one-day event);
- surveys: those sent in the period; answers counted when dated by the period's end.
"""

import datetime
import re

import pypdf
import pytest
from django.core.management import call_command

from evaluation.figures import registry
from sites.models import ContextEvent, PartnerOrganisation
from tests.pilotage.factories import CommitteeMemberFactory, MeetingFactory
from tests.reports.factories import SurveyFactory, SurveyRecipientFactory
from tests.sites.factories import PartnerOrganisationFactory

D = datetime.date


def _report_text(tmp_path, scope: str, period: str) -> str:
    output = tmp_path / f"{scope.replace(':', '-')}-{period}.pdf"
    call_command("build_report", scope=scope, period=period, output=str(output))
    pages = pypdf.PdfReader(output).pages
    return " ".join(
        " ".join(page.extract_text().replace("\u00a0", " ").replace("\u202f", " ").split()) for page in pages
    )


@pytest.fixture
def marseille_partners(marseille):
    """15 partners entered on the platform in 2023 (after the fact): 10 at a March 2021 meeting,
    2 holding a steering seat since June 2020, 3 without any trace before 2023."""
    partners = [PartnerOrganisationFactory(site=marseille) for _ in range(13)]
    partners += [PartnerOrganisationFactory(site=marseille) for _ in range(2)]
    PartnerOrganisation.objects.filter(site=marseille).update(
        created_at=datetime.datetime(2023, 5, 2, 10, tzinfo=datetime.UTC)
    )
    meeting = MeetingFactory(site=marseille, date=D(2021, 3, 18))
    meeting.organisations.set(partners[:10])
    for partner in partners[10:12]:
        CommitteeMemberFactory(committee__site=marseille, organisation=partner, start_date=D(2020, 6, 1))
    return partners


def test_a_report_counts_the_partners_the_site_had_at_the_end_of_the_period(marseille_partners, tmp_path):
    text = _report_text(tmp_path, "site:marseille", "2021")
    assert "Partenaires 12 organisations, dont 10 présentes sur la période" in text
    assert "(12 au total)" in text

    text = _report_text(tmp_path, "site:marseille", "2023")
    assert "Partenaires 15 organisations, dont 0 présentes sur la période" in text

    text = _report_text(tmp_path, "site:marseille", "2019")
    assert "Partenaires 0 organisations" in text


def test_national_report_spreads_the_partners_per_site(marseille_partners, tmp_path):
    text = _report_text(tmp_path, "national", "2021")
    assert f"{registry.get('partner_organisations').label}, par site : de 0 à 12" in text
    assert "(12 au total)" in text


@pytest.fixture
def events(marseille):
    ContextEvent.objects.create(
        kind=ContextEvent.Kind.ELECTION, title="Municipales, premier tour", start_date=D(2020, 3, 15)
    )
    ContextEvent.objects.create(
        site=marseille,
        kind=ContextEvent.Kind.OTHER,
        title="Installation de la nouvelle équipe municipale",
        start_date=D(2020, 7, 4),
    )
    ContextEvent.objects.create(
        kind=ContextEvent.Kind.LOCKDOWN,
        title="Deuxième confinement national",
        start_date=D(2020, 10, 30),
        end_date=D(2021, 1, 15),
    )
    ContextEvent.objects.create(
        site=marseille,
        kind=ContextEvent.Kind.OTHER,
        title="Travaux du centre social",
        start_date=D(2021, 4, 6),
    )


def _context(text: str) -> str:
    """The chapter « Contexte de la période »: its heading (not its line in the table of contents,
    nor the running header) to its page's footer."""
    return re.search(r"Contexte de la période (?!\.)(?!Plateforme ATC)(.*?)Plateforme ATC — rapport", text)[1]


def test_a_report_lists_only_the_context_events_of_its_period(events, tmp_path):
    context = _context(_report_text(tmp_path, "site:marseille", "2021"))
    assert "Deuxième confinement national" in context  # began in 2020, still running in January 2021
    assert "Travaux du centre social" in context
    assert "Municipales, premier tour" not in context
    assert "Installation de la nouvelle équipe municipale" not in context

    context = _context(_report_text(tmp_path, "site:marseille", "2020-Q3"))
    assert "Installation de la nouvelle équipe municipale" in context
    assert "Municipales, premier tour" not in context
    assert "Deuxième confinement national" not in context


@pytest.fixture
def september_survey(marseille, grenoble):
    survey = SurveyFactory(title="Questionnaire flash de septembre", sent_on=D(2020, 9, 14))
    for day in (D(2020, 9, 20), D(2020, 9, 28), None, None):
        SurveyRecipientFactory(survey=survey, site=marseille, responded_on=day)
    SurveyRecipientFactory(survey=survey, site=grenoble, responded_on=D(2021, 2, 1))  # a late answer
    return survey


def test_survey_answers_count_only_when_dated_by_the_end_of_the_period(september_survey, tmp_path):
    text = _report_text(tmp_path, "national", "2020")
    row = text[text.index("Questionnaire flash de septembre") :][:120]
    assert "14 septembre 2020 5 sur 2 territoires 2 sur 1 territoire" in row
    assert "40 %" in row

    text = _report_text(tmp_path, "national", "2020-H2")
    assert "Questionnaire flash de septembre 14 septembre 2020 5 sur 2 territoires 2 sur 1" in text


def test_a_report_on_a_later_period_does_not_list_an_earlier_survey(september_survey, tmp_path):
    text = _report_text(tmp_path, "national", "2021")
    assert "Questionnaire flash de septembre" not in text
    assert "Aucune enquête envoyée sur la période." in text
