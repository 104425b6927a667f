"""Two people editing the same meeting or action: the second save is refused with what the first
changed, who and when; the second person's input stays in the form and can then be sent on purpose."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from pilotage.models import Action
from tests.diagnostics.factories import FindingFactory
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.pilotage.test_actions import action_data
from tests.pilotage.test_meetings import meeting_data

pytestmark = pytest.mark.django_db

REFUSED = "Enregistrement refusé"


def _version_on(page: str) -> str:
    # A form's own field, or a board card's (named after the card in the board's one form).
    return re.search(r'name="(?:\d+-)?version" value="(\d+)"', page).group(1)


def _open(person, url):
    client = Client()
    client.force_login(person)
    return client, _version_on(client.get(url).content.decode())


def test_the_second_meeting_save_is_refused_with_the_first_persons_changes(
    facilitator, host_director, marseille
):
    meeting = MeetingFactory(site=marseille, title="Atelier de mars")
    url = reverse("pilotage:meeting_edit", args=["marseille", meeting.pk])
    first, first_version = _open(facilitator, url)
    second, second_version = _open(host_director, url)

    saved = first.post(
        url,
        meeting_data(
            title="Atelier partenarial de mars", version=first_version, **{"decisions-TOTAL_FORMS": "0"}
        ),
    )
    assert saved.status_code == 302

    refused = second.post(
        url,
        meeting_data(title="Atelier du 15 mars", version=second_version, **{"decisions-TOTAL_FORMS": "0"}),
    )
    page = refused.content.decode()
    assert refused.status_code == 200
    assert REFUSED in page
    assert facilitator.get_full_name() in page
    assert "Intitulé : « Atelier partenarial de mars »" in page
    assert 'value="Atelier du 15 mars"' in page, "the second person's input is kept"
    assert "Réunion enregistrée" not in page
    meeting.refresh_from_db()
    assert meeting.title == "Atelier partenarial de mars"

    # Sending the form again, having read the message, replaces the first save on purpose.
    again = second.post(
        url,
        meeting_data(title="Atelier du 15 mars", version=_version_on(page), **{"decisions-TOTAL_FORMS": "0"}),
    )
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Atelier du 15 mars"


def test_the_second_action_save_is_refused_and_the_first_kept(facilitator, host_director, marseille):
    action = ActionFactory(site=marseille, title="Stock alimentaire", progress=0)
    url = reverse("pilotage:action_edit", args=["marseille", action.pk])
    first, first_version = _open(facilitator, url)
    second, second_version = _open(host_director, url)

    assert first.post(url, action_data(progress="40", version=first_version)).status_code == 302
    refused = second.post(url, action_data(progress="10", title="Stock partagé", version=second_version))
    page = refused.content.decode()
    assert REFUSED in page
    assert "Avancement (%) : « 40 »" in page
    assert 'value="Stock partagé"' in page
    action.refresh_from_db()
    assert action.progress == 40

    assert second.post(url, action_data(progress="10", version=_version_on(page))).status_code == 302
    action.refresh_from_db()
    assert action.progress == 10


def test_a_status_change_from_a_stale_board_is_refused_not_lost(facilitator, host_director, marseille):
    action = ActionFactory(site=marseille, status=Action.Status.PREPARATION)
    board = reverse("pilotage:action_board", args=["marseille"])
    status_url = reverse("pilotage:action_status", args=["marseille", action.pk])
    first, first_version = _open(facilitator, board)
    second, second_version = _open(host_director, board)

    first.post(status_url, {"status": "running", "version": first_version}, HTTP_HX_REQUEST="true")
    refused = second.post(
        status_url, {"status": "abandoned", "version": second_version}, HTTP_HX_REQUEST="true"
    )
    card = refused.content.decode()
    assert refused.status_code == 409
    assert REFUSED in card
    assert "État : « En cours »" in card
    action.refresh_from_db()
    assert action.status == Action.Status.RUNNING

    # The card came back as it now is: choosing again from it is deliberate, and applies.
    second.post(status_url, {"status": "abandoned", "version": _version_on(card)}, HTTP_HX_REQUEST="true")
    action.refresh_from_db()
    assert action.status == Action.Status.ABANDONED


def test_a_status_change_makes_an_open_edit_form_stale(facilitator, host_director, marseille):
    action = ActionFactory(site=marseille, status=Action.Status.PREPARATION, progress=10)
    url = reverse("pilotage:action_edit", args=["marseille", action.pk])
    editor, version = _open(host_director, url)
    mover = Client()
    mover.force_login(facilitator)
    mover.post(reverse("pilotage:action_status", args=["marseille", action.pk]), {"status": "done"})
    refused = editor.post(url, action_data(version=version))
    assert REFUSED in refused.content.decode()
    action.refresh_from_db()
    assert action.status == Action.Status.DONE


def test_the_second_finding_save_is_refused_and_the_first_kept(facilitator, host_director, marseille):
    finding = FindingFactory(site=marseille, title="Les associations travaillent seules")
    url = reverse("diagnostics:finding_update", args=["marseille", finding.pk])
    first, first_version = _open(facilitator, url)
    second, second_version = _open(host_director, url)

    def data(title, version):
        return {
            "theme": finding.theme_id,
            "title": title,
            "source": "data",
            "date": "2020-06-15",
            "version": version,
        }

    assert first.post(url, data("Les associations se connaissent peu", first_version)).status_code == 302
    refused = second.post(url, data("Les associations coopèrent rarement", second_version))
    page = refused.content.decode()
    assert REFUSED in page
    assert "« Les associations se connaissent peu »" in page
    assert 'value="Les associations coopèrent rarement"' in page
    finding.refresh_from_db()
    assert finding.title == "Les associations se connaissent peu"
    assert second.post(url, data("Les associations coopèrent rarement", _version_on(page))).status_code == 302
