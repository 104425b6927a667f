"""The attention rules: each raised at its threshold and not just below, cleared when fixed, with
thresholds the national team changed; the refresh raises, clears and keeps the history."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from evaluation.figures import attention
from evaluation.figures.attention import evaluate, signals_refresh
from evaluation.models import AttentionSignal, AttentionThreshold
from pilotage.models import Meeting
from sites.models import ReviewComment, ReviewReply, Site
from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import ActionFactory, CommitteeFactory, MeetingFactory
from tests.reports.factories import IndicatorValueFactory
from tests.sites.factories import FacilitatorAssignmentFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2024, 6, 15)


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def found(site, rule, today=TODAY):
    return evaluate(site_ids=[site.pk], today=today)[site.pk].get(rule)


@pytest.fixture
def site(marseille):
    Site.objects.filter(pk=marseille.pk).update(start_date=datetime.date(2020, 1, 6))
    marseille.refresh_from_db()
    return marseille


def steering(site, day, **attendance):
    values = {"attendees_association": 0, "attendees_residents": 0, "attendees_citizens_council": 0}
    values.update(attendance)
    return MeetingFactory(site=site, steering=True, date=day, attendees_state=3, **values)


# --- No steering meeting for N months -------------------------------------------------------------


def test_no_steering_is_raised_at_six_months_not_a_day_before(site):
    meeting = steering(site, datetime.date(2023, 12, 16))
    assert found(site, "no_steering") is None
    meeting.date = datetime.date(2023, 12, 15)
    meeting.save()
    assert found(site, "no_steering") == (
        "Dernière réunion de pilotage le 15/12/2023 : plus de 6 mois sans pilotage."
    )


def test_a_site_that_never_met_is_raised_once_it_is_older_than_the_threshold(site):
    assert "Aucune réunion de pilotage" in found(site, "no_steering")
    Site.objects.filter(pk=site.pk).update(start_date=datetime.date(2024, 1, 1))
    assert found(site, "no_steering") is None


def test_a_planned_steering_meeting_does_not_count_before_it_is_held(site):
    steering(site, datetime.date(2023, 1, 10))
    steering(site, datetime.date(2024, 9, 1))
    assert "10/01/2023" in found(site, "no_steering")


def test_the_national_team_s_threshold_replaces_the_default(site):
    steering(site, datetime.date(2024, 3, 1))
    assert found(site, "no_steering") is None
    AttentionThreshold.objects.create(rule="no_steering", parameter="months", value=3)
    assert "plus de 3 mois" in found(site, "no_steering")


# --- Working group past its rhythm ---------------------------------------------------------------


def group_meetings(site, *ages, active=True):
    group = CommitteeFactory(site=site, working_group=True, name="Groupe jeunesse", is_active=active)
    for age in ages:
        MeetingFactory(site=site, committee=group, kind=Meeting.Kind.WORKING_GROUP, date=days_ago(age))
    return group


def test_a_group_silent_for_more_than_twice_its_median_interval_is_raised(site):
    # Intervals 10 and 10: median 10; silent 21 days > 2 × 10.
    group_meetings(site, 41, 31, 21)
    reason = found(site, "group_rhythm")
    assert "« Groupe jeunesse »" in reason and "une tous les 10 jours" in reason


def test_a_group_silent_exactly_twice_its_median_is_not_raised(site):
    group_meetings(site, 40, 30, 20)
    assert found(site, "group_rhythm") is None


def test_a_group_with_two_meetings_has_no_rhythm_yet(site):
    group_meetings(site, 400, 390)
    assert found(site, "group_rhythm") is None


def test_an_inactive_group_is_not_followed(site):
    group_meetings(site, 300, 290, 280, active=False)
    assert found(site, "group_rhythm") is None


def test_a_new_meeting_of_the_group_clears_it(site):
    group = group_meetings(site, 60, 50, 40)
    assert found(site, "group_rhythm")
    MeetingFactory(site=site, committee=group, kind=Meeting.Kind.WORKING_GROUP, date=days_ago(2))
    assert found(site, "group_rhythm") is None


# --- Facilitation: vacancy or contract ending -------------------------------------------------------


def test_a_vacant_post_is_raised(site):
    FacilitatorAssignmentFactory(site=site, start_date=datetime.date(2020, 1, 6), end_date=days_ago(10))
    assert found(site, "facilitation") == f"Poste d'animation vacant depuis le {days_ago(9):%d/%m/%Y}."


def test_a_contract_ending_within_sixty_days_without_successor_is_raised(site):
    assignment = FacilitatorAssignmentFactory(site=site, end_date=TODAY + datetime.timedelta(days=61))
    assert found(site, "facilitation") is None
    assignment.end_date = TODAY + datetime.timedelta(days=60)
    assignment.save()
    assert found(site, "facilitation") == (
        f"Un contrat d'animation se termine le {TODAY + datetime.timedelta(days=60):%d/%m/%Y} "
        "sans relève enregistrée."
    )


def test_a_successor_recorded_clears_it(site):
    FacilitatorAssignmentFactory(site=site, end_date=TODAY + datetime.timedelta(days=20))
    assert found(site, "facilitation")
    FacilitatorAssignmentFactory(site=site, start_date=TODAY + datetime.timedelta(days=21))
    assert found(site, "facilitation") is None


def test_a_support_person_does_not_fill_a_vacant_lead_post(site):
    FacilitatorAssignmentFactory(site=site, end_date=days_ago(30))
    FacilitatorAssignmentFactory(site=site, support=True, start_date=days_ago(100))
    assert "vacant" in found(site, "facilitation")


# --- Logbook or indicators missing for the last closed quarter --------------------------------------


def test_reporting_names_what_is_missing_for_the_last_closed_quarter(site):
    assert found(site, "reporting") == (
        "Manque pour le trimestre T1 2024 : le bilan du carnet de bord et les valeurs d'indicateurs."
    )
    LogbookEntryFactory(
        site=site, period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 3, 31)
    )
    assert found(site, "reporting") == "Manque pour le trimestre T1 2024 : les valeurs d'indicateurs."
    IndicatorValueFactory(
        site=site, period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 3, 31)
    )
    assert found(site, "reporting") is None


def test_the_quarter_closes_for_reporting_after_the_grace_days(site):
    # 30 days after 31 March is 30 April: until then the quarter looked at is the one before.
    assert "T4 2023" in found(site, "reporting", today=datetime.date(2024, 4, 30))
    assert "T1 2024" in found(site, "reporting", today=datetime.date(2024, 5, 1))


def test_a_site_not_started_in_the_quarter_owes_nothing(site):
    Site.objects.filter(pk=site.pk).update(start_date=datetime.date(2024, 4, 1))
    assert found(site, "reporting") is None


# --- Minutes not validated ------------------------------------------------------------------------


def test_minutes_unvalidated_thirty_days_after_a_steering_meeting_are_raised(site):
    meeting = MeetingFactory(site=site, steering=True, date=days_ago(29))
    assert found(site, "minutes") is None
    meeting.date = days_ago(30)
    meeting.save()
    assert found(site, "minutes") == (
        "1 compte rendu de pilotage ou de groupe de travail non validé 30 jours après la réunion "
        f"(la plus ancienne : {days_ago(30):%d/%m/%Y})."
    )
    meeting.minutes, meeting.minutes_status = "Relevé de décisions.", Meeting.MinutesStatus.VALIDATED
    meeting.save()
    assert found(site, "minutes") is None


def test_bilateral_meetings_and_meetings_outside_the_window_are_not_counted(site):
    MeetingFactory(site=site, kind=Meeting.Kind.BILATERAL, date=days_ago(100))
    MeetingFactory(site=site, steering=True, date=days_ago(366))
    MeetingFactory(site=site, steering=True, date=datetime.date(2019, 3, 1))
    assert found(site, "minutes") is None


def test_draft_minutes_of_a_working_group_count(site):
    MeetingFactory(
        site=site,
        kind=Meeting.Kind.WORKING_GROUP,
        date=days_ago(45),
        minutes="Brouillon",
        minutes_status=Meeting.MinutesStatus.DRAFT,
    )
    assert "1 compte rendu" in found(site, "minutes")


# --- Steering committee without civil society -----------------------------------------------------


def test_three_steering_meetings_without_associations_or_residents_are_raised(site):
    steering(site, days_ago(10), attendees_residents=4)
    for age in (20, 30, 40):
        steering(site, days_ago(age + 100))
    assert found(site, "steering_mix") is None  # the latest had residents
    Meeting.objects.filter(attendees_residents=4).update(attendees_residents=0)
    assert found(site, "steering_mix") == (
        "Les 3 dernières réunions de pilotage n'ont compté ni association, ni habitant·e, ni conseil citoyen."
    )


def test_fewer_steering_meetings_than_the_threshold_are_not_judged(site):
    steering(site, days_ago(10))
    steering(site, days_ago(20))
    assert found(site, "steering_mix") is None


def test_the_citizens_council_counts_as_civil_society(site):
    steering(site, days_ago(10))
    steering(site, days_ago(20))
    steering(site, days_ago(30), attendees_citizens_council=1)
    assert found(site, "steering_mix") is None


# --- Overdue actions -------------------------------------------------------------------------------


def test_an_open_action_past_its_end_date_is_raised(site):
    action = ActionFactory(site=site, start_date=days_ago(100), end_date=TODAY)
    assert found(site, "actions_overdue") is None
    action.end_date = days_ago(1)
    action.save()
    assert found(site, "actions_overdue") == (
        f"1 action non réalisée après sa date de fin (la plus ancienne : {days_ago(1):%d/%m/%Y})."
    )
    action.status = action.Status.DONE
    action.save()
    assert found(site, "actions_overdue") is None


# --- Review comments without answer ----------------------------------------------------------------


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def test_a_comment_unanswered_for_fourteen_days_is_raised(site, prefet_delegate, facilitator):
    comment = ReviewComment.objects.create(
        site=site, author=prefet_delegate, body="Et le COPIL ?", created_at=_at(days_ago(13))
    )
    assert found(site, "comments_unanswered") is None
    ReviewComment.objects.filter(pk=comment.pk).update(created_at=_at(days_ago(14)))
    assert (
        found(site, "comments_unanswered") == "1 commentaire de suivi sans réponse depuis 14 jours ou plus."
    )
    ReviewReply.objects.create(comment=comment, author=facilitator, body="Prévu le 3 juillet.")
    assert found(site, "comments_unanswered") is None


def test_a_handled_comment_is_not_raised(site, prefet_delegate, national_team):
    ReviewComment.objects.create(
        site=site, author=prefet_delegate, body="Vu.", created_at=_at(days_ago(40)), handled_at=timezone.now()
    )
    assert found(site, "comments_unanswered") is None


# --- The refresh -----------------------------------------------------------------------------------


def test_refresh_raises_once_then_clears_and_keeps_the_history(site):
    steering(site, datetime.date(2023, 1, 10))
    raised = signals_refresh(site_ids=[site.pk], today=TODAY)
    assert ("no_steering", site.pk) in {(s.rule, s.site_id) for s in raised}
    assert all(s.pk for s in raised)
    assert signals_refresh(site_ids=[site.pk], today=TODAY) == []  # idempotent
    steering(site, days_ago(3))
    assert signals_refresh(site_ids=[site.pk], today=TODAY) == []
    row = AttentionSignal.objects.get(site=site, rule="no_steering")
    assert row.cleared_at is not None and row.raised_at <= row.cleared_at
    # Raised again later: a new row, the old one stays in the history.
    Meeting.objects.filter(site=site, date=days_ago(3)).delete()
    again = signals_refresh(site_ids=[site.pk], today=TODAY)
    assert [s.rule for s in again if s.rule == "no_steering"] == ["no_steering"]
    assert AttentionSignal.objects.filter(site=site, rule="no_steering").count() == 2


def test_refresh_leaves_other_sites_alone(site, grenoble):
    signals_refresh(site_ids=[site.pk], today=TODAY)
    assert not AttentionSignal.objects.filter(site=grenoble).exists()


def test_at_most_one_open_signal_per_site_and_rule(site):
    AttentionSignal.objects.create(site=site, rule="no_steering", reason="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        AttentionSignal.objects.create(site=site, rule="no_steering", reason="b")
    AttentionSignal.objects.filter(site=site).update(cleared_at=timezone.now())
    AttentionSignal.objects.create(site=site, rule="no_steering", reason="c")


def test_a_reason_is_kept_up_to_date_while_the_signal_stays_open(site):
    MeetingFactory(site=site, steering=True, date=days_ago(40))
    signals_refresh(site_ids=[site.pk], today=TODAY)
    MeetingFactory(site=site, steering=True, date=days_ago(50))
    assert signals_refresh(site_ids=[site.pk], today=TODAY) == []
    assert "2 comptes rendus" in AttentionSignal.objects.open().get(site=site, rule="minutes").reason


def test_evaluate_costs_the_same_queries_for_one_site_or_all(site, django_assert_num_queries):
    for other in Site.objects.all():
        steering(other, days_ago(20))
        ActionFactory(site=other, overdue=True)
        group_meetings(other, 90, 80, 70)
    with django_assert_num_queries(11) as one:
        evaluate(site_ids=[site.pk], today=TODAY)
    with django_assert_num_queries(len(one.captured_queries)):
        evaluate(today=TODAY)


def test_every_rule_has_its_computation_and_valid_bounds():
    assert set(attention.COMPUTE) == set(attention.BY_KEY)
    for rule in attention.RULES:
        for parameter in rule.parameters:
            assert parameter.minimum <= parameter.default <= parameter.maximum
