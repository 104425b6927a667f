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


def test_national_team_home_lists_all_fifteen_sites(
    client, national_team, django_assert_max_num_queries
):
    client.force_login(national_team)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    assert response.content.decode().count('class="card"') == 15


def test_health_answers_without_login_and_reports_a_silent_worker(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "worker": "silencieux"}


def test_health_reports_the_worker_once_its_heartbeat_ran(client):
    from atc.tasks import heartbeat

    heartbeat.delay()
    assert client.get(reverse("health")).json()["worker"] == "ok"
