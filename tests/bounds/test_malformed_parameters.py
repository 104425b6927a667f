"""The malformed addresses of the adversarial test answer a refusal in French, never 500."""

import pytest
from django.urls import reverse

from tests.pilotage.factories import CommitteeFactory

pytestmark = pytest.mark.django_db

DATE_RANGE = "Indiquez une date entre le 01/01/2000 et le 31/12/2100."
# A period is read by the period module, which names the year it refuses.
PERIOD_RANGE = "hors de la plage admise : écrivez une année entre 2000 et 2100."


@pytest.mark.parametrize("period", ["9999", "0000", "9999-Q4", "0000-T1", "1999-Q4"])
def test_an_impossible_period_on_the_indicator_page_is_a_400(client, facilitator, marseille, period):
    client.force_login(facilitator)
    response = client.get(reverse("indicators:indicator_values", args=["marseille", period]))
    assert response.status_code == 400
    assert PERIOD_RANGE in response.content.decode()


def test_an_unreadable_period_on_the_indicator_page_says_what_to_type(client, facilitator, marseille):
    client.force_login(facilitator)
    response = client.get(reverse("indicators:indicator_values", args=["marseille", "bientôt"]))
    assert response.status_code == 400
    assert "Période illisible" in response.content.decode()


@pytest.mark.parametrize("period", ["9999", "0000", "9999-Q4"])
def test_the_indicator_list_falls_back_to_the_last_quarter_and_says_why(client, national_team, period):
    client.force_login(national_team)
    response = client.get(reverse("indicators:indicator_list"), {"periode": period})
    assert response.status_code == 200
    assert PERIOD_RANGE in response.content.decode()


@pytest.mark.parametrize("period", ["9999", "0000", "9999-Q4", "0001-01-01..0001-12-31"])
def test_the_report_form_refuses_an_impossible_period(client, national_team, period):
    client.force_login(national_team)
    response = client.post(reverse("reports:report_request"), {"scope": "national", "period": period})
    assert response.status_code == 200
    assert PERIOD_RANGE in response.content.decode()


def test_a_committee_that_is_not_an_id_is_a_400_on_the_roster(client, facilitator, marseille):
    client.force_login(facilitator)
    response = client.get(reverse("pilotage:meeting_roster", args=["marseille"]), {"committee": "abc"})
    assert response.status_code == 400
    assert "Instance illisible" in response.content.decode()


def test_a_committee_that_is_not_an_id_in_the_meeting_form_is_a_form_error(client, facilitator, marseille):
    CommitteeFactory(site=marseille)
    client.force_login(facilitator)
    data = {"kind": "steering", "date": "2021-03-15", "format": "in_person", "title": "Comité"}
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]), {**data, "committee": "abc"}
    )
    assert response.status_code == 200
    assert "Choisissez une instance de ce site dans la liste." in response.content.decode()


@pytest.mark.parametrize("year", ["99999999999999999999", "0000", "9999", "abc", "²⁰²¹"])
def test_an_impossible_year_on_the_logbook_is_a_400(client, facilitator, marseille, year):
    client.force_login(facilitator)
    response = client.get(reverse("evaluation:logbook_list", args=["marseille"]), {"annee": year})
    assert response.status_code == 400
    assert DATE_RANGE in response.content.decode()
