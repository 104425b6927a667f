import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_facilitator_home_lists_only_their_site(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("home")).content.decode()
    assert "Marseille – Frais Vallon" in page
    assert "Grenoble" not in page


def test_prefet_delegate_home_lists_the_three_nord_sites(client, prefet_delegate):
    client.force_login(prefet_delegate)
    page = client.get(reverse("home")).content.decode()
    for city in ("Tourcoing", "Grande-Synthe", "Roubaix"):
        assert city in page
    assert "Marseille" not in page


def test_network_coordinator_home_lists_the_five_fcsf_sites(client, network_coordinator):
    client.force_login(network_coordinator)
    page = client.get(reverse("home")).content.decode()
    for city in ("Marseille", "Aubenas", "Saint-Gilles", "Hombourg-Haut", "Tourcoing"):
        assert city in page
    assert "Grenoble" not in page


def test_national_team_home_lists_all_fifteen_sites_with_its_shortcuts(
    client, national_team, django_assert_max_num_queries
):
    client.force_login(national_team)
    # The list of sites is kept (templates/home.html): the first read draws it (the sites'
    # version read once more), the next reads none of the sites.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("home"))
    page = response.content.decode()
    assert page.count('class="card"') == 15
    assert "Tableau de bord national" in page and reverse("reports:report_list") in page
    with django_assert_max_num_queries(5) as queries:
        again = client.get(reverse("home")).content.decode()
    assert not [query for query in queries.captured_queries if '"sites_site"' in query["sql"]]
    assert again.count('class="card"') == 15


def test_the_home_is_paginated_when_a_user_sees_many_sites(client, national_team, marseille):
    from sites.models import Site

    for index in range(30):
        site = Site.objects.get(pk=marseille.pk)
        site.pk, site.slug, site.name = None, f"copie-{index}", f"Copie {index:02d}"
        site.save()
    client.force_login(national_team)
    first = client.get(reverse("home")).content.decode()
    assert first.count('class="card"') == 24
    assert "Page 1 sur 2" in first
    second = client.get(reverse("home"), {"page": 2}).content.decode()
    assert second.count('class="card"') == 45 - 24


def test_a_delegate_gets_the_comparison_of_their_sites(client, prefet_delegate):
    client.force_login(prefet_delegate)
    page = client.get(reverse("home")).content.decode()
    assert reverse("dashboards:my_sites") in page
    assert reverse("dashboards:national") not in page


def test_health_answers_without_login_and_reports_a_silent_worker(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "silencieux"}


def test_health_reports_the_worker_once_its_heartbeat_ran(client):
    from atc.tasks import heartbeat

    heartbeat.delay()
    assert client.get(reverse("health")).json()["worker"] == "ok"
