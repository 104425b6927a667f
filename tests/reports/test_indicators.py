"""The national team defines indicators; sites enter their values; completeness per period."""

from decimal import Decimal

import pytest
from django.urls import reverse

from evaluation.models import Indicator, IndicatorValue
from tests.reports.factories import IndicatorFactory, IndicatorValueFactory


def test_the_national_team_defines_a_computed_indicator(client, national_team):
    client.force_login(national_team)
    data = {
        "name": "Réunions de pilotage",
        "code": "reunions-pilotage",
        "definition": "Réunions de l'instance de pilotage tenues sur la période.",
        "unit": "réunions",
        "source": "computed",
        "computation": "",
        "periodicity": "quarter",
        "default_objective": "1",
        "is_active": "on",
    }

    refused = client.post(reverse("indicators:indicator_create"), data)
    assert "Choisissez la règle de calcul de cet indicateur." in refused.content.decode()
    assert not Indicator.objects.exists()

    response = client.post(
        reverse("indicators:indicator_create"), {**data, "computation": "steering_meetings"}
    )
    assert response.status_code == 302
    assert Indicator.objects.get().computation == "steering_meetings"


def test_a_facilitator_enters_and_clears_the_values_of_a_quarter(client, facilitator, marseille):
    first, second = IndicatorFactory(), IndicatorFactory()
    IndicatorFactory(computed=True)  # computed: no field to fill
    client.force_login(facilitator)
    url = reverse("indicators:indicator_values", args=[marseille.slug, "2021-Q1"])

    page = client.get(url).content.decode()
    assert first.name in page and "Réunions de pilotage" not in page

    client.post(url, {f"value_{first.pk}": "42,5", f"value_{second.pk}": "7"})
    assert IndicatorValue.objects.get(indicator=first).value == Decimal("42.5")
    client.post(url, {f"value_{first.pk}": "43", f"value_{second.pk}": ""})

    values = {v.indicator_id: v.value for v in IndicatorValue.objects.filter(site=marseille)}
    assert values == {first.pk: Decimal("43")}


def test_a_negative_value_saves_nothing(client, facilitator, marseille):
    indicator = IndicatorFactory()
    client.force_login(facilitator)

    response = client.post(
        reverse("indicators:indicator_values", args=[marseille.slug, "2021-Q1"]),
        {f"value_{indicator.pk}": "-3"},
    )

    assert "La valeur ne peut pas être négative." in response.content.decode()
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("persona", ["prefet_delegate", "network_coordinator"])
def test_readers_cannot_enter_values(client, personas, persona, tourcoing):
    client.force_login(personas[persona])

    response = client.get(reverse("indicators:indicator_values", args=[tourcoing.slug, "2021-Q1"]))

    assert response.status_code == 403


def test_the_completeness_of_a_period_shows_who_entered_what(
    client, national_team, marseille, django_assert_max_num_queries
):
    indicator = IndicatorFactory(name="Habitant·es mobilisé·es")
    IndicatorValueFactory(indicator=indicator, site=marseille)
    client.force_login(national_team)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("indicators:indicator_list") + "?periode=2021-Q1")

    content = response.content.decode()
    assert "1 site a tout saisi." in content
    assert content.count("✓ saisi") == 1 and content.count("✗ manquant") == 14
