"""The national team defines indicators; sites enter their values; completeness per period."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from atc.periods import adjacent_period, parse_period, period_before
from evaluation.models import Indicator, IndicatorValue, Periodicity
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
        "decimal_places": "0",
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
    first, second = IndicatorFactory(decimal_places=1), IndicatorFactory()
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


def test_a_count_of_people_shows_and_takes_whole_numbers(client, facilitator, marseille):
    people = IndicatorFactory(unit="personnes")  # whole numbers: the model's default
    rate = IndicatorFactory(unit="%", decimal_places=1)
    IndicatorValueFactory(
        indicator=people,
        site=marseille,
        period_start=date(2021, 1, 1),
        period_end=date(2021, 3, 31),
        value=Decimal("74"),
    )
    client.force_login(facilitator)
    url = reverse("indicators:indicator_values", args=[marseille.slug, "2021-T1"])
    page = client.get(url).content.decode()
    assert f'name="value_{people.pk}" value="74"' in page
    assert "74,00" not in page

    refused = client.post(url, {f"value_{people.pk}": "74,5", f"value_{rate.pk}": "12,5"}).content.decode()
    assert "Ce nombre est entier : pas de décimales." in refused
    assert IndicatorValue.objects.get().value == Decimal("74")
    client.post(url, {f"value_{people.pk}": "75", f"value_{rate.pk}": "12,5"})
    assert {v.indicator_id: v.value for v in IndicatorValue.objects.all()} == {
        people.pk: Decimal("75"),
        rate.pk: Decimal("12.5"),
    }


@pytest.mark.parametrize(
    ("period", "shown"),
    [("2021-T1", "trimestriel"), ("2021-S1", "semestriel"), ("2021", "annuel")],
)
def test_each_period_lists_only_the_indicators_of_its_periodicity(
    client, facilitator, marseille, period, shown
):
    IndicatorFactory(name="Indicateur trimestriel")
    IndicatorFactory(name="Indicateur semestriel", periodicity=Periodicity.HALF_YEAR)
    IndicatorFactory(name="Indicateur annuel", periodicity=Periodicity.YEAR)
    client.force_login(facilitator)
    page = client.get(reverse("indicators:indicator_values", args=[marseille.slug, period])).content.decode()
    listed = {name for name in ("trimestriel", "semestriel", "annuel") if f"Indicateur {name}" in page}
    assert listed == {shown}


def test_the_period_navigator_leads_to_the_neighbours_and_the_other_periodicities(
    client, facilitator, marseille
):
    IndicatorFactory()
    IndicatorFactory(periodicity=Periodicity.HALF_YEAR)
    client.force_login(facilitator)
    page = client.get(
        reverse("indicators:indicator_values", args=[marseille.slug, "2021-T1"])
    ).content.decode()
    assert f'href="/sites/{marseille.slug}/indicateurs/2020-T4/"' in page
    assert f'href="/sites/{marseille.slug}/indicateurs/2021-T2/"' in page
    assert "Indicateurs à périodicité semestrielle" in page
    assert "périodicité annuelle" not in page  # no yearly indicator: no link to an empty page


def test_two_dates_are_refused_with_a_french_message(client, facilitator, marseille):
    IndicatorFactory()
    client.force_login(facilitator)
    response = client.get(
        reverse("indicators:indicator_values", args=[marseille.slug, "2021-01-01..2021-02-15"])
    )
    assert response.status_code == 400
    assert "par trimestre, semestre ou année" in response.content.decode()


def test_the_site_menu_leads_the_team_to_the_last_closed_quarter(
    client, facilitator, prefet_delegate, marseille, tourcoing
):
    client.force_login(facilitator)
    home = client.get(reverse("sites:site_home", args=[marseille.slug])).content.decode()
    latest = reverse("indicators:indicator_values_latest", args=[marseille.slug])
    assert f'href="{latest}"' in home
    target = client.get(latest)
    expected = period_before(Periodicity.QUARTER, timezone.localdate())
    assert target["Location"] == reverse("indicators:indicator_values", args=[marseille.slug, expected.label])
    client.force_login(prefet_delegate)
    page = client.get(reverse("sites:site_home", args=[tourcoing.slug])).content.decode()
    assert "/indicateurs/" not in page  # readers do not enter values


@pytest.mark.parametrize(
    ("label", "step", "expected"),
    [
        ("2021-T1", -1, "2020-T4"),
        ("2021-T4", 1, "2022-T1"),
        ("2021-S2", 1, "2022-S1"),
        ("2021-S1", -1, "2020-S2"),
        ("2021", -1, "2020"),
        ("2100-T4", 1, None),
        ("2021-01-01..2021-02-15", 1, None),
    ],
)
def test_adjacent_periods(label, step, expected):
    found = adjacent_period(parse_period(label), step)
    assert (found.label if found else None) == expected
