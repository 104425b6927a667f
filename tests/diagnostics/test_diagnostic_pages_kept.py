"""The shared diagnostic's findings and « Constats sans action » are kept under their site's data
version: each write shows on the next read, a kept page is the page rendered afresh, and a reader
never gets the site team's links."""

import pytest
from django.urls import reverse

from diagnostics.models import Finding, Theme
from pilotage.models import Action
from tests.diagnostics.factories import FindingFactory
from tests.fragments import empty_cache, without_tokens
from tests.pilotage.factories import ActionFactory

pytestmark = pytest.mark.django_db

URL = reverse("diagnostics:coverage", args=["marseille"])
FINDINGS = reverse("diagnostics:finding_list", args=["marseille"])


def _page(client, url=URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return without_tokens(response.content)


def test_a_kept_coverage_page_equals_the_page_rendered_afresh(client, facilitator):
    FindingFactory(title="Constat <em>orphelin</em>")
    ActionFactory().findings.add(FindingFactory(title="Constat couvert"))
    client.force_login(facilitator)
    _page(client)
    empty_cache()
    plain = _page(client)
    assert _page(client) == plain
    assert "Constat &lt;em&gt;orphelin&lt;/em&gt;" in plain


def test_every_write_shows_on_the_next_read(client, facilitator):
    finding = FindingFactory(title="Constat orphelin")
    client.force_login(facilitator)
    assert "Constat orphelin" in _page(client)

    action = ActionFactory(title="Épicerie solidaire")
    action.findings.add(finding)  # an action now answers it (the action form's link)
    assert "Constat orphelin" not in _page(client)
    assert "1 constat(s) sur 1 ont au moins une action" in _page(client)

    Action.objects.filter(pk=action.pk).delete()  # bulk delete: its links go with it
    assert "Constat orphelin" in _page(client)

    Finding.objects.filter(pk=finding.pk).update(title="Constat renommé")  # bulk update
    assert "Constat renommé" in _page(client) and "Constat orphelin" not in _page(client)

    Theme.objects.filter(pk=finding.theme_id).update(name="Engagement des habitant·es")  # the catalogue
    assert "Engagement des habitant·es" in _page(client)

    finding.delete()
    assert "Aucun constat n'est encore saisi pour ce site." in _page(client)


def test_a_reader_never_gets_the_site_teams_links(client, facilitator, network_coordinator):
    FindingFactory(title="Constat orphelin")
    client.force_login(facilitator)
    assert "Modifier" in _page(client)
    client.force_login(network_coordinator)
    page = _page(client)
    assert "Constat orphelin" in page and "Modifier" not in page


def test_a_kept_finding_list_equals_the_list_rendered_afresh(client, facilitator):
    FindingFactory(title="Constat <em>partagé</em>")
    FindingFactory(food=True)
    client.force_login(facilitator)
    _page(client, FINDINGS)
    empty_cache()
    plain = _page(client, FINDINGS)
    assert _page(client, FINDINGS) == plain
    assert "Constat &lt;em&gt;partagé&lt;/em&gt;" in plain


def test_every_write_shows_on_the_next_read_of_the_finding_list(client, facilitator, network_coordinator):
    finding = FindingFactory(title="Constat partagé")
    client.force_login(facilitator)
    assert "Constat partagé" in _page(client, FINDINGS)
    ActionFactory(title="Épicerie solidaire").findings.add(finding)
    assert "Épicerie solidaire" in _page(client, FINDINGS)
    Finding.objects.filter(pk=finding.pk).update(title="Constat corrigé")
    assert "Constat corrigé" in _page(client, FINDINGS)
    Finding.objects.filter(pk=finding.pk).delete()
    assert "Aucun constat n'est encore saisi pour ce site." in _page(client, FINDINGS)

    FindingFactory(title="Constat relu")
    assert "Modifier" in _page(client, FINDINGS)
    client.force_login(network_coordinator)
    page = _page(client, FINDINGS)
    assert "Constat relu" in page and "Modifier" not in page
