"""The site home's « À faire », latest activity and neighbourhoods are kept in a fragment under the
site's data version: each write path shows on the next read, a hit shows what an empty cache shows,
the attention thresholds (no trigger) key it, and the site team's shortcuts stay outside it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from atc.periods import period_before
from evaluation.attention.services import thresholds_update
from evaluation.models import AttentionSignal, LogbookEntry
from pilotage.models import Action
from tests.fragments import empty_cache, without_tokens
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.pilotage.test_actions import action_data

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def _due(client) -> str:
    page = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    return page.split('id="due-title"')[1].split('id="activity-title"')[0]


def _activity(client) -> str:
    page = client.get(reverse("sites:site_home", args=["marseille"])).content.decode()
    return page.split('id="activity-title"')[1]


def test_a_hit_shows_what_an_empty_cache_shows(client, facilitator, marseille):
    MeetingFactory(site=marseille, steering=True, title="COPIL sans CR", date=days_ago(40))
    ActionFactory(site=marseille, title="Action en retard", overdue=True)
    client.force_login(facilitator)
    url = reverse("sites:site_home", args=["marseille"])
    client.get(url)  # the first read after the writes rebuilds the site's figures
    empty_cache()
    plain = without_tokens(client.get(url).content)
    assert "COPIL sans CR" in plain and "Action en retard" in plain
    assert without_tokens(client.get(url).content) == plain


def test_new_thresholds_show_on_the_next_read(client, facilitator, national_team, marseille):
    """The thresholds have no trigger: their values are part of the fragment's key."""
    MeetingFactory(site=marseille, steering=True, title="COPIL sans CR", date=days_ago(40))
    client.force_login(facilitator)
    assert "COPIL sans CR" in _due(client)
    thresholds_update(values={("minutes", "days"): 60}, user=national_team)
    assert "COPIL sans CR" not in _due(client)
    thresholds_update(values={("minutes", "days"): 30}, user=national_team)
    assert "COPIL sans CR" in _due(client)


def test_a_signal_raised_changed_or_cleared_without_a_write_shows_on_the_next_read(
    client, facilitator, marseille
):
    """Signals have no trigger (the beat's rebuild, or one after new thresholds, changes them
    without a site's write): the open signals key the fragment."""
    client.force_login(facilitator)
    _due(client)  # the first read rebuilds the site's figures and signals
    AttentionSignal.objects.filter(site=marseille).delete()
    assert "Motif du signal" not in _due(client)
    signal = AttentionSignal.objects.create(
        site=marseille, rule="no_steering", reason="Motif du signal", raised_at=timezone.now()
    )
    assert "Motif du signal" in _due(client)
    AttentionSignal.objects.filter(pk=signal.pk).update(reason="Motif du signal revu")
    assert "Motif du signal revu" in _due(client)
    AttentionSignal.objects.filter(pk=signal.pk).update(cleared_at=timezone.now())
    assert "Motif du signal" not in _due(client)


def test_an_action_saved_through_its_form_shows_on_the_next_read(client, facilitator, marseille):
    client.force_login(facilitator)
    assert "Stock alimentaire partagé" not in _activity(client)
    response = client.post(reverse("pilotage:action_create", args=["marseille"]), action_data())
    assert response.status_code == 302
    assert "Stock alimentaire partagé" in _activity(client)
    assert "Action en retard : " in _due(client)  # it ended on 30/09/2021
    action = Action.objects.get(title="Stock alimentaire partagé")
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE)
    assert "Action en retard" not in _due(client)
    action.delete()
    assert "Stock alimentaire partagé" not in _activity(client)


def test_a_quarters_logbook_entry_shows_on_the_next_read(client, facilitator, marseille):
    client.force_login(facilitator)
    assert "Carnet de bord : l'entrée du trimestre" in _due(client)
    quarter = period_before("quarter", timezone.localdate())
    LogbookEntry.objects.create(
        site=marseille, period_start=quarter.start, period_end=quarter.end, happened="Lancement"
    )
    assert "Carnet de bord : l'entrée du trimestre" not in _due(client)


def test_a_neighbourhood_added_to_the_site_shows_on_the_next_read(client, facilitator, marseille, grenoble):
    other = grenoble.neighbourhoods.exclude(pk__in=marseille.neighbourhoods.all()).first()
    client.force_login(facilitator)
    url = reverse("sites:site_home", args=["marseille"])
    assert other.name not in client.get(url).content.decode()
    marseille.neighbourhoods.add(other)
    assert other.name in client.get(url).content.decode()


@pytest.mark.parametrize("writer_first", [True, False])
def test_a_reader_never_gets_the_site_teams_shortcuts(
    facilitator, network_coordinator, marseille, writer_first
):
    ActionFactory(site=marseille, title="Action en retard", overdue=True)
    writer, reader = Client(), Client()
    writer.force_login(facilitator)
    reader.force_login(network_coordinator)
    url = reverse("sites:site_home", args=["marseille"])
    order = [writer, reader] if writer_first else [reader, writer]
    pages = {id(c): c.get(url).content.decode() for c in order}
    assert "Saisir une réunion" not in pages[id(reader)] and "Action en retard" in pages[id(reader)]
    assert "Saisir une réunion" in pages[id(writer)] and "Action en retard" in pages[id(writer)]
