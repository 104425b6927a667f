"""The shared diagnostic's findings: grouped by theme, added and edited by the site team."""

import pytest
from django.urls import reverse

from diagnostics.models import Finding, Theme
from tests.diagnostics.factories import FindingFactory
from tests.pilotage.factories import ActionFactory

pytestmark = pytest.mark.django_db


def test_findings_are_grouped_by_theme_with_their_source(client, facilitator, marseille):
    FindingFactory(title="Peu de lieux de rencontre", survey=True)
    FindingFactory(title="Aide alimentaire éclatée", food=True)
    client.force_login(facilitator)
    page = client.get(reverse("diagnostics:finding_list", args=["marseille"])).content.decode()
    assert page.index("Engagement citoyen") < page.index("Peu de lieux de rencontre")
    assert page.index("Solidarité alimentaire") < page.index("Aide alimentaire éclatée")
    assert "Questionnaire" in page
    assert "Ajouter un constat" in page


def test_finding_text_is_escaped(client, facilitator):
    FindingFactory(title="<script>alert('x')</script>")
    client.force_login(facilitator)
    page = client.get(reverse("diagnostics:finding_list", args=["marseille"])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_finding_list_shows_the_actions_that_answer(client, facilitator, marseille):
    finding = FindingFactory(title="Jeunes peu présents")
    action = ActionFactory(title="Chantier jeunes")
    action.findings.add(finding)
    client.force_login(facilitator)
    page = client.get(reverse("diagnostics:finding_list", args=["marseille"])).content.decode()
    assert "1 action y répond" in page
    assert "Chantier jeunes" in page


def test_readers_do_not_see_the_add_button(client, network_coordinator):
    client.force_login(network_coordinator)
    page = client.get(reverse("diagnostics:finding_list", args=["marseille"])).content.decode()
    assert "Ajouter un constat" not in page


def test_facilitator_adds_a_finding(client, facilitator, marseille):
    client.force_login(facilitator)
    theme = Theme.objects.get(code="youth")
    response = client.post(
        reverse("diagnostics:finding_create", args=["marseille"]),
        {
            "theme": theme.pk,
            "title": "Les jeunes ne fréquentent pas le centre social",
            "source": "interview",
            "date": "2020-09-10",
            "description": "Entretiens avec les éducateurs.",
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(site=marseille)
    assert finding.theme == theme
    assert finding.created_by == facilitator
    page = client.get(response["Location"]).content.decode()
    assert "Les jeunes ne fréquentent pas le centre social" in page


def test_finding_without_title_or_with_future_date_is_refused(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("diagnostics:finding_create", args=["marseille"]),
        {"theme": Theme.objects.first().pk, "title": "", "source": "workshop", "date": "2099-01-01"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Écrivez le constat en une phrase." in page
    assert "La date ne peut pas être dans le futur." in page
    assert not Finding.objects.exists()


def test_facilitator_edits_a_finding(client, facilitator):
    finding = FindingFactory()
    client.force_login(facilitator)
    url = reverse("diagnostics:finding_update", args=["marseille", finding.pk])
    assert finding.title in client.get(url).content.decode()
    response = client.post(
        url,
        {"theme": finding.theme_id, "title": "Constat révisé", "source": "data", "date": "2020-06-15"},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.title == "Constat révisé"
    assert finding.source == Finding.Source.DATA


def test_another_sites_finding_is_not_found(client, facilitator, grenoble):
    finding = FindingFactory(site=grenoble)
    client.force_login(facilitator)
    url = reverse("diagnostics:finding_update", args=["marseille", finding.pk])
    assert client.get(url).status_code == 404


def test_finding_list_query_count_does_not_grow(client, facilitator, django_assert_max_num_queries):
    client.force_login(facilitator)
    url = reverse("diagnostics:finding_list", args=["marseille"])
    for _i in range(3):
        action = ActionFactory()
        action.findings.add(FindingFactory(), FindingFactory(food=True))
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for _i in range(10):
        action = ActionFactory()
        action.findings.add(FindingFactory(), FindingFactory(food=True))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_coverage_lists_only_findings_without_action(
    client, network_coordinator, django_assert_max_num_queries
):
    covered = FindingFactory(title="Constat couvert")
    ActionFactory().findings.add(covered)
    FindingFactory(title="Constat orphelin")
    client.force_login(network_coordinator)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("diagnostics:coverage", args=["marseille"])).content.decode()
    assert "Constat orphelin" in page
    assert "Constat couvert" not in page
    assert "1 constat(s) sur 2 ont au moins une action" in page


def test_coverage_without_findings_says_so(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("diagnostics:coverage", args=["marseille"])).content.decode()
    assert "Aucun constat n'est encore saisi pour ce site." in page
