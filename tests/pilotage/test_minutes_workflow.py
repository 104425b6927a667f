"""The minutes workflow: draft → submitted → validated by the site's host director (not the
author) → locked; reopening needs a reason kept in the minutes' history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation.figures.aggregates import refresh_stale
from pilotage import services
from pilotage.models import Meeting, MinutesEvent
from tests.pilotage.factories import MeetingFactory
from tests.pilotage.test_meetings import meeting_data

TEXT = "Tour de table, points d'étape."


@pytest.fixture
def draft(marseille):
    return MeetingFactory(
        site=marseille, steering=True, minutes=TEXT, minutes_status=Meeting.MinutesStatus.DRAFT
    )


def _url(name, meeting):
    return reverse(f"pilotage:{name}", args=[meeting.site.slug, meeting.pk])


def _submitted_by(client, user, meeting):
    client.force_login(user)
    response = client.post(_url("minutes_submit", meeting))
    assert response.status_code == 302
    meeting.refresh_from_db()
    return meeting


def test_the_facilitator_submits_and_cannot_validate_their_own_minutes(client, facilitator, draft):
    _submitted_by(client, facilitator, draft)
    assert draft.minutes_status == Meeting.MinutesStatus.SUBMITTED
    assert draft.minutes_author == facilitator
    page = client.get(_url("meeting_detail", draft)).content.decode()
    assert "Soumis pour validation" in page
    assert "Valider le compte rendu" not in page
    assert client.post(_url("minutes_validate", draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.minutes_status == Meeting.MinutesStatus.SUBMITTED
    assert draft.minutes_validated_by is None


def test_a_host_director_cannot_validate_minutes_they_submitted(client, host_director, draft):
    _submitted_by(client, host_director, draft)
    assert client.post(_url("minutes_validate", draft)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.minutes_validate(meeting=draft, user=host_director)


def test_the_host_director_validates_and_the_page_says_who_and_when(
    client, facilitator, host_director, draft
):
    _submitted_by(client, facilitator, draft)
    version = draft.version
    client.force_login(host_director)
    page = client.get(_url("meeting_detail", draft)).content.decode()
    assert "Valider le compte rendu" in page
    response = client.post(_url("minutes_validate", draft), follow=True)
    assert "Compte rendu validé." in response.content.decode()
    draft.refresh_from_db()
    assert draft.minutes_status == Meeting.MinutesStatus.VALIDATED
    assert draft.minutes_validated_by == host_director
    assert draft.minutes_validated_at is not None
    assert draft.version > version
    page = client.get(_url("meeting_detail", draft)).content.decode()
    assert f"Validé par {host_director} le {draft.minutes_validated_at.year}" not in page  # a full date
    assert f"Validé par {host_director} le " in page
    assert f"/{draft.minutes_validated_at.year} à " in page
    assert [e.kind for e in draft.minutes_events.all()] == ["submitted", "validated"]


def test_only_submitted_minutes_can_be_validated(client, host_director, draft):
    client.force_login(host_director)
    response = client.post(_url("minutes_validate", draft), follow=True)
    assert "Seul un compte rendu soumis pour validation peut être validé." in response.content.decode()
    draft.refresh_from_db()
    assert draft.minutes_status == Meeting.MinutesStatus.DRAFT


def test_empty_minutes_cannot_be_submitted(client, facilitator, marseille):
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    response = client.post(_url("minutes_submit", meeting), follow=True)
    assert "Seul un compte rendu en brouillon peut être soumis" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes_status == Meeting.MinutesStatus.NONE


@pytest.fixture
def validated(client, facilitator, host_director, draft):
    _submitted_by(client, facilitator, draft)
    services.minutes_validate(meeting=draft, user=host_director)
    draft.refresh_from_db()
    client.force_login(facilitator)
    return draft


def test_validated_minutes_are_read_only_in_the_form(client, validated):
    page = client.get(_url("meeting_edit", validated)).content.decode()
    assert "rouvrez-le depuis la page de la réunion" in page
    assert 'name="minutes_status"' not in page
    assert "disabled" in page.split('name="minutes"')[1].split(">")[0]


def test_a_crafted_post_does_not_change_validated_minutes(client, validated):
    data = meeting_data(
        **{"decisions-TOTAL_FORMS": "0"},
        kind=validated.kind,
        committee=validated.committee_id,
        minutes="Texte réécrit après validation",
        minutes_status="draft",
        version=validated.version,
    )
    data["title"] = "Intitulé corrigé"
    assert client.post(_url("meeting_edit", validated), data).status_code == 302
    validated.refresh_from_db()
    assert validated.title == "Intitulé corrigé"  # the rest of the meeting still saves
    assert validated.minutes == TEXT
    assert validated.minutes_status == Meeting.MinutesStatus.VALIDATED


def test_the_service_refuses_to_change_validated_minutes(marseille, facilitator, validated):
    with pytest.raises(ValidationError, match="rouvrez-le"):
        services.meeting_save(site=marseille, user=facilitator, meeting=validated, data={"minutes": "Autre"})
    validated.refresh_from_db()
    assert validated.minutes == TEXT
    with pytest.raises(ValidationError, match="rouvrez-le"):
        services.meeting_save(
            site=marseille, user=facilitator, meeting=validated, data={"minutes_status": "draft"}
        )


def test_reopening_needs_a_reason(client, validated):
    for reason in ("", "   \n\t"):
        response = client.post(_url("minutes_reopen", validated), {"reason": reason}, follow=True)
        assert "Indiquez pourquoi vous rouvrez ce compte rendu." in response.content.decode()
    validated.refresh_from_db()
    assert validated.minutes_status == Meeting.MinutesStatus.VALIDATED
    response = client.post(_url("minutes_reopen", validated), {"reason": "x" * 2001}, follow=True)
    assert "Le motif tient en 2" in response.content.decode()
    assert not MinutesEvent.objects.filter(kind="reopened").exists()


def test_reopening_is_kept_in_the_history_and_unlocks_the_text(client, validated):
    response = client.post(_url("minutes_reopen", validated), {"reason": "Erreur sur les dates"}, follow=True)
    page = response.content.decode()
    assert "Rouvert" in page
    assert "Erreur sur les dates" in page
    validated.refresh_from_db()
    assert validated.minutes_status == Meeting.MinutesStatus.DRAFT
    assert validated.minutes_validated_by is None
    event = validated.minutes_events.get(kind="reopened")
    assert event.reason == "Erreur sur les dates"
    edit = client.get(_url("meeting_edit", validated)).content.decode()
    assert 'name="minutes_status"' in edit


def test_a_hostile_reason_is_escaped(client, validated):
    hostile = "<script>alert('motif')</script>\x07 & <b>gras</b>"
    client.post(_url("minutes_reopen", validated), {"reason": hostile})
    page = client.get(_url("meeting_detail", validated)).content.decode()
    assert "<script>alert(" not in page
    assert "<b>gras</b>" not in page
    assert "&lt;script&gt;alert(" in page


def test_a_reader_cannot_submit_or_reopen(client, prefet_delegate, national_team, draft):
    client.force_login(national_team)
    assert client.post(_url("minutes_submit", draft)).status_code == 403
    assert client.post(_url("minutes_reopen", draft), {"reason": "x"}).status_code == 403
    assert client.post(_url("minutes_validate", draft)).status_code == 403
    draft.refresh_from_db()
    assert draft.minutes_status == Meeting.MinutesStatus.DRAFT


def test_submitted_minutes_are_still_editable_by_the_team(client, facilitator, draft):
    _submitted_by(client, facilitator, draft)
    data = meeting_data(
        **{"decisions-TOTAL_FORMS": "0"},
        kind=draft.kind,
        committee=draft.committee_id,
        minutes="Texte corrigé",
        version=draft.version,
    )
    data.pop("minutes_status", None)
    assert client.post(_url("meeting_edit", draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.minutes == "Texte corrigé"
    assert draft.minutes_status == Meeting.MinutesStatus.SUBMITTED


def test_the_meeting_page_query_count_is_constant(client, facilitator, draft, django_assert_max_num_queries):
    _submitted_by(client, facilitator, draft)
    for n in range(6):
        services.minutes_reopen(meeting=draft, user=facilitator, reason=f"Motif {n}")
        services.minutes_submit(meeting=draft, user=facilitator)
    refresh_stale([draft.site_id])  # a read after a write first rebuilds the site's figures
    with django_assert_max_num_queries(20):
        assert client.get(_url("meeting_detail", draft)).status_code == 200
    with django_assert_max_num_queries(6):  # then kept
        assert client.get(_url("meeting_detail", draft)).status_code == 200


def test_submitted_minutes_are_still_to_validate(client, facilitator, host_director, draft):
    """The « minutes » attention signal and the site home read Meeting.objects.minutes_overdue."""
    today = draft.date + datetime.timedelta(days=60)

    def overdue():
        return list(Meeting.objects.minutes_overdue(today=today, days=30, window_days=365))

    assert overdue() == [draft]
    _submitted_by(client, facilitator, draft)
    assert overdue() == [draft]
    services.minutes_validate(meeting=draft, user=host_director)
    assert overdue() == []


def test_the_national_meeting_form_has_no_submitted_step(client, national_team):
    client.force_login(national_team)
    page = client.get(reverse("national:national_meeting_create")).content.decode()
    assert 'value="validated"' in page
    assert 'value="submitted"' not in page


def test_submitted_minutes_reach_the_host_director_who_may_validate_them(
    client, facilitator, host_director, draft, django_capture_on_commit_callbacks
):
    """The seam with the notifications: the validator is told once, in the inbox and by e-mail."""
    from django.core import mail

    from atc.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        _submitted_by(client, facilitator, draft)
    told = Notification.objects.filter(kind="reminder_minutes")
    assert [n.recipient for n in told] == [host_director]
    assert draft.title in told.get().title
    assert told.get().url == reverse("pilotage:meeting_detail", args=[draft.site.slug, draft.pk])
    assert [m.to for m in mail.outbox] == [[host_director.email]]
    assert not Notification.objects.filter(recipient=facilitator).exists()
