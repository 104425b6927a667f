"""A logbook entry's page is kept under its site's data version: each write shows on the next
read, a kept page is the page rendered afresh, and a reader never gets the site team's button."""

import pytest
from django.urls import reverse

from atc.models import User
from evaluation.models import LogbookEntry
from pilotage.models import Meeting
from tests.evaluation.factories import LogbookEntryFactory
from tests.fragments import empty_cache, without_tokens
from tests.pilotage.factories import ActionFactory, MeetingFactory

pytestmark = pytest.mark.django_db


def _page(client, entry) -> str:
    response = client.get(reverse("evaluation:logbook_detail", args=["marseille", entry.pk]))
    assert response.status_code == 200
    return without_tokens(response.content)


def test_a_kept_entry_equals_the_entry_rendered_afresh(client, facilitator):
    entry = LogbookEntryFactory(
        author=facilitator, happened="Atelier <script>x</script>", meetings=[MeetingFactory()]
    )
    client.force_login(facilitator)
    _page(client, entry)
    empty_cache()
    plain = _page(client, entry)
    assert _page(client, entry) == plain
    assert "Atelier &lt;script&gt;x&lt;/script&gt;" in plain


def test_every_write_shows_on_the_next_read(client, facilitator):
    meeting = MeetingFactory(title="Comité de pilotage de printemps")
    entry = LogbookEntryFactory(author=facilitator, meetings=[meeting])
    client.force_login(facilitator)
    assert "Comité de pilotage de printemps" in _page(client, entry)

    LogbookEntry.objects.filter(pk=entry.pk).update(lessons="Associer le bailleur plus tôt.")  # bulk
    assert "Associer le bailleur plus tôt." in _page(client, entry)

    Meeting.objects.filter(pk=meeting.pk).update(title="Comité de pilotage d'été")  # a linked meeting
    assert "Comité de pilotage d&#x27;été" in _page(client, entry)

    entry.actions.add(ActionFactory(title="Épicerie solidaire"))  # a link, as the form writes it
    assert "Épicerie solidaire" in _page(client, entry)

    meeting.delete()
    assert "Comité de pilotage d&#x27;été" not in _page(client, entry)

    User.objects.filter(pk=facilitator.pk).update(last_name="Arnaud-Belkacem")  # the author's new name
    assert "Arnaud-Belkacem" in _page(client, entry)


def test_a_reader_never_gets_the_site_teams_button(client, facilitator, network_coordinator):
    entry = LogbookEntryFactory()
    client.force_login(facilitator)
    assert "Modifier l'entrée" in _page(client, entry)
    client.force_login(network_coordinator)
    page = _page(client, entry)
    assert "Trois ateliers partenariaux" in page and "Modifier l'entrée" not in page
