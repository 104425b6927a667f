import datetime

import pytest
from django.core.exceptions import ValidationError

from pilotage import services
from pilotage.models import Decision, Meeting
from tests.pilotage.factories import CommitteeFactory, CommitteeMemberFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def steering_data(committee, **overrides):
    return {
        "kind": Meeting.Kind.STEERING,
        "date": datetime.date(2021, 3, 15),
        "committee": committee,
        "title": "COPIL de mars",
        "attendees_state": 2,
        **overrides,
    }


def test_meeting_save_is_all_or_nothing(facilitator, marseille):
    committee = CommitteeFactory(site=marseille)
    intruder = CommitteeMemberFactory(committee=CommitteeFactory(site=marseille))
    with pytest.raises(ValidationError, match="ne siège pas"):
        services.meeting_save(
            site=marseille,
            user=facilitator,
            data=steering_data(committee),
            presences={intruder: "present"},
            decisions=[services.DecisionEdit(text="Organiser la fête de quartier")],
        )
    assert Meeting.objects.count() == 0
    assert Decision.objects.count() == 0


def test_meeting_save_takes_data_and_keeps_who_created_it(facilitator, host_director, marseille):
    committee = CommitteeFactory(site=marseille)
    member = CommitteeMemberFactory(committee=committee, category="state")
    meeting = services.meeting_save(
        site=marseille,
        user=facilitator,
        data=steering_data(committee),
        presences={member: "present"},
        decisions=[services.DecisionEdit(text="Écrire aux bailleurs")],
    )
    meeting = services.meeting_save(
        site=marseille,
        user=host_director,
        data={"title": "COPIL de mars (reporté)", "version": meeting.version},
        meeting=Meeting.objects.get(pk=meeting.pk),
        decisions=[services.DecisionEdit(decision=meeting.decisions.get(), text="Écrire au bailleur")],
    )
    meeting.refresh_from_db()
    assert (meeting.title, meeting.attendees_state, meeting.created_by) == (
        "COPIL de mars (reporté)",
        2,
        facilitator,
    )
    assert [d.text for d in meeting.decisions.all()] == ["Écrire au bailleur"]
    assert meeting.participants.get().member == member
    assert meeting.history.count() == 2


def test_a_decision_of_another_meeting_is_refused(facilitator, marseille):
    other = MeetingFactory(site=marseille)
    decision = Decision.objects.create(meeting=other, text="Garder")
    with pytest.raises(ValidationError, match="autre réunion"):
        services.meeting_save(
            site=marseille,
            user=facilitator,
            data=steering_data(CommitteeFactory(site=marseille)),
            decisions=[services.DecisionEdit(decision=decision, delete=True)],
        )
    assert Decision.objects.get().text == "Garder"
