"""Model rules: bad input is refused with a clear French message, by validation and by the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from diagnostics.models import Assessment, AssessmentItem
from evaluation.models import EvaluationReport, LogbookEntry
from pilotage.models import Action, Committee, Meeting
from sites.models import FacilitatorAssignment, Neighbourhood, Network

pytestmark = pytest.mark.django_db


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for messages in exc.message_dict.values() for m in messages)


@pytest.mark.parametrize(
    "code", ["QP13044", "QP013A44", "XX013044", "QP000001", "QP096001", "QP2A0001", "qp013044x"]
)
def test_a_malformed_2015_qpv_code_is_refused(code):
    with pytest.raises(ValidationError) as exc:
        Neighbourhood(name="Test", code_2015=code).full_clean()
    assert "Code QPV 2015 invalide" in _messages(exc.value)


@pytest.mark.parametrize("code", ["QP02A001", "QP02B123", "QP974010", "QP095001"])
def test_valid_2015_codes_including_corsica_and_overseas_are_accepted(code):
    Neighbourhood(name="Test", code_2015=code).full_clean()


@pytest.mark.parametrize("code", ["QN01344", "QN0134M", "QN01344X", "QN1344M", "QP01344M"])
def test_a_malformed_2024_qpv_code_is_refused(code):
    with pytest.raises(ValidationError) as exc:
        Neighbourhood(name="Test", code_2024=code).full_clean()
    assert "Code QPV 2024 invalide" in _messages(exc.value)


def test_a_qpv_code_is_unique():
    with pytest.raises(ValidationError) as exc:
        Neighbourhood(name="Doublon", code_2015="QP013044").full_clean()
    assert "existe déjà" in _messages(exc.value)


def test_a_qpv_without_any_code_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Neighbourhood.objects.create(name="Sans code")


@pytest.mark.parametrize("fte", ["0.05", "2.5", "-1"])
def test_fte_out_of_range_is_refused(marseille, fte):
    assignment = FacilitatorAssignment(
        site=marseille,
        person_name="A. Test",
        fte=Decimal(fte),
        start_date=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        assignment.full_clean()
    assert "ETP" in _messages(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        assignment.save()


def test_an_assignment_ending_before_it_starts_is_refused(marseille):
    assignment = FacilitatorAssignment(
        site=marseille,
        person_name="A. Test",
        fte=Decimal("0.8"),
        start_date=datetime.date(2020, 6, 1),
        end_date=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        assignment.full_clean()
    assert "La fin de l'affectation doit suivre son début." in _messages(exc.value)


def test_negative_attendance_is_refused(marseille):
    meeting = Meeting(site=marseille, kind="steering", title="COPIL", attendees_residents=-3)
    with pytest.raises(ValidationError) as exc:
        meeting.full_clean()
    assert "attendees_residents" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        meeting.save()


def test_a_site_meeting_needs_a_site_but_a_national_one_does_not(marseille):
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(kind="steering", title="COPIL sans site")
    Meeting.objects.create(kind="national_committee", title="Comité de suivi")


def test_a_meeting_cannot_use_another_sites_committee(marseille, grenoble):
    committee = Committee.objects.create(site=grenoble, kind="steering", name="COPIL Grenoble")
    meeting = Meeting(site=marseille, committee=committee, kind="steering", title="COPIL")
    with pytest.raises(ValidationError) as exc:
        meeting.full_clean()
    assert "Cette instance n'appartient pas à ce site." in _messages(exc.value)


def test_an_action_ending_before_it_starts_or_over_100_percent_is_refused(marseille):
    action = Action(
        site=marseille,
        title="Exposition",
        progress=120,
        start_date=datetime.date(2021, 5, 1),
        end_date=datetime.date(2021, 4, 1),
    )
    with pytest.raises(ValidationError) as exc:
        action.full_clean()
    assert "progress" in exc.value.message_dict
    assert "La date de fin doit suivre la date de début." in _messages(exc.value)


@pytest.mark.parametrize("score", ["0", "10.5", "11", "-2"])
def test_a_rating_outside_1_to_10_is_refused(marseille, score):
    assessment = Assessment(
        site=marseille,
        item=AssessmentItem.objects.first(),
        respondent_kind="facilitator",
        score=Decimal(score),
    )
    with pytest.raises(ValidationError) as exc:
        assessment.full_clean()
    assert "La note doit être comprise entre 1 et 10." in _messages(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        assessment.save()


def test_a_logbook_period_ending_before_it_starts_is_refused(marseille):
    entry = LogbookEntry(
        site=marseille,
        period_start=datetime.date(2021, 4, 1),
        period_end=datetime.date(2021, 3, 31),
        happened="Réunions",
    )
    with pytest.raises(ValidationError) as exc:
        entry.full_clean()
    assert "La fin de la période doit suivre son début." in _messages(exc.value)


def test_a_report_scope_must_match_its_target(marseille):
    report = EvaluationReport(
        scope="national",
        site=marseille,
        period_label="2021-T1",
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 3, 31),
    )
    with pytest.raises(ValidationError) as exc:
        report.full_clean()
    assert "Le périmètre doit correspondre" in _messages(exc.value)
    report.scope, report.site, report.network = "network", None, Network.objects.get(code="bbz")
    report.full_clean()
