import pytest
from django.core.exceptions import ValidationError

from pilotage import services
from pilotage.forms import MeetingForm, decision_formset_class
from pilotage.models import Decision, Meeting
from tests.pilotage.factories import CommitteeFactory, CommitteeMemberFactory
from tests.pilotage.test_meetings import meeting_data

pytestmark = pytest.mark.django_db


def test_meeting_save_is_all_or_nothing(facilitator, marseille):
    committee = CommitteeFactory(site=marseille)
    intruder = CommitteeMemberFactory(committee=CommitteeFactory(site=marseille))
    data = meeting_data(kind="steering", committee=committee.pk)
    form = MeetingForm(data, instance=Meeting(site=marseille), site=marseille)
    decisions = decision_formset_class(extra=3)(data)
    assert form.is_valid() and decisions.is_valid()
    with pytest.raises(ValidationError, match="ne siège pas"):
        services.meeting_save(
            site=marseille,
            user=facilitator,
            form=form,
            presences={intruder: "present"},
            decision_formset=decisions,
        )
    assert Meeting.objects.count() == 0
    assert Decision.objects.count() == 0
