"""Territory readings: entered all items at once, compared by respondent kind, followed over time."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from diagnostics import services
from diagnostics.models import Assessment, AssessmentItem
from tests.diagnostics.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def item(code):
    return AssessmentItem.objects.get(code=code)


def reading_post(**scores):
    data = {"date": "2021-03-01", "respondent_kind": "institutional", "respondents": "5"}
    for code, score in scores.items():
        data[f"item_{item(code.replace('_', '-')).pk}"] = score
    return data


def test_facilitator_enters_a_reading_of_several_items(client, facilitator, marseille):
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_entry", args=["marseille"])
    page = client.get(url).content.decode()
    assert "Confiance entre les acteurs du quartier" in page
    response = client.post(url, reading_post(trust="6,5", shared_vision="4"))
    assert response.status_code == 302
    rows = Assessment.objects.filter(site=marseille).order_by("item__order")
    assert [(r.item.code, r.score, r.respondents) for r in rows] == [
        ("trust", Decimal("6.5"), 5),
        ("shared-vision", Decimal("4.0"), 5),
    ]
    assert all(r.created_by == facilitator for r in rows)
    assert "Lecture enregistrée : 2 note(s)." in client.get(response["Location"]).content.decode()


def test_one_bad_score_saves_nothing_and_says_what_to_do(client, facilitator):
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_entry", args=["marseille"])
    response = client.post(url, reading_post(trust="6,5", shared_vision="11", residents_heard="abc"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "La note ne peut pas dépasser 10." in page
    assert "Saisissez une note entre 1 et 10, par exemple 6,5." in page
    assert not Assessment.objects.exists()


def test_more_than_one_decimal_is_refused(client, facilitator):
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_entry", args=["marseille"])
    response = client.post(url, reading_post(trust="6,55"))
    assert "Une seule décimale, par exemple 6,5." in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_reading_needs_at_least_one_score(client, facilitator):
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_entry", args=["marseille"])
    response = client.post(url, reading_post())
    assert "Saisissez au moins une note (de 1 à 10)." in response.content.decode()


def test_reentering_a_reading_replaces_it(client, facilitator, marseille):
    AssessmentFactory(date=datetime.date(2021, 3, 1), score=Decimal("3"))
    AssessmentFactory(date=datetime.date(2021, 3, 1), item=item("shared-vision"))
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_entry", args=["marseille"])
    prefilled = client.get(url + "?date=2021-03-01&qui=institutional").content.decode()
    assert 'value="3,0"' in prefilled
    client.post(url, reading_post(trust="7"))
    assert [(a.item.code, a.score) for a in Assessment.objects.filter(site=marseille)] == [
        ("trust", Decimal("7.0"))
    ]


def test_record_service_is_atomic(marseille, facilitator):
    AssessmentFactory(date=datetime.date(2021, 3, 1), score=Decimal("3"))
    with pytest.raises(Exception):  # noqa: B017 — the database refuses a score out of range
        services.assessment_record(
            site=marseille,
            user=facilitator,
            date=datetime.date(2021, 3, 1),
            respondent_kind="institutional",
            respondents=2,
            scores={item("trust"): Decimal("8"), item("shared-vision"): Decimal("42")},
        )
    assert Assessment.objects.get().score == Decimal("3")


def test_overview_compares_latest_readings_and_their_gap(
    client, network_coordinator, django_assert_max_num_queries
):
    AssessmentFactory(score=Decimal("4"), date=datetime.date(2019, 10, 1))
    AssessmentFactory(score=Decimal("5"), date=datetime.date(2021, 3, 1))
    AssessmentFactory(score=Decimal("8"), date=datetime.date(2021, 3, 1), by_facilitator=True)
    client.force_login(network_coordinator)
    url = reverse("diagnostics:assessment_overview", args=["marseille"])
    with django_assert_max_num_queries(14):
        page = client.get(url).content.decode()
    assert "<svg" in page and 'role="img"' in page
    # Latest institutional reading 5 against the facilitator's 8: a gap of 3 points.
    assert "le plus grand écart porte sur « Confiance entre les acteurs du quartier » (3 points)" in page
    assert '<th scope="row">Confiance entre les acteurs du quartier</th>' in page
    # The change chart for institutional actors: 4 on 01/10/2019, 5 on 01/03/2021.
    assert "Première lecture (01/10/2019)" in page
    assert "+1" in page
    assert "Saisir une lecture" not in page


def test_overview_query_count_does_not_grow(client, facilitator, django_assert_max_num_queries):
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_overview", args=["marseille"])
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for code, _label in AssessmentItem.objects.values_list("code", "label"):
        for year in (2019, 2020, 2021):
            for kind in Assessment.RespondentKind.values:
                AssessmentFactory(item=item(code), date=datetime.date(year, 3, 1), respondent_kind=kind)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_change_chart_follows_the_chosen_respondent_kind(client, facilitator):
    AssessmentFactory(by_residents=True, score=Decimal("2"), date=datetime.date(2019, 10, 1))
    AssessmentFactory(by_residents=True, score=Decimal("6"), date=datetime.date(2021, 3, 1))
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_overview", args=["marseille"])
    page = client.get(url + "?qui=residents").content.decode()
    assert "Évolution des notes — Habitant·es" in page
    assert "+4" in page


def test_overview_without_readings_says_so(client, facilitator):
    client.force_login(facilitator)
    page = unescape(
        client.get(reverse("diagnostics:assessment_overview", args=["marseille"])).content.decode()
    )
    assert "Aucune donnée n'est encore saisie." in page
    assert "Aucune lecture n'est encore saisie." in page


def test_htmx_request_gets_only_the_change_chart(client, facilitator):
    AssessmentFactory(by_residents=True, score=Decimal("2"), date=datetime.date(2019, 10, 1))
    AssessmentFactory(by_residents=True, score=Decimal("6"), date=datetime.date(2021, 3, 1))
    client.force_login(facilitator)
    url = reverse("diagnostics:assessment_overview", args=["marseille"])
    page = client.get(url, {"qui": "residents"}, HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<div id="evolution-chart"')
    assert "<html" not in page
    assert "Évolution des notes — Habitant·es" in unescape(page)
