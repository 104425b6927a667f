"""The team pages: a host director, a facilitator or the national team records an arrival, a
change of FTE and a departure without the admin; every change shows in the page's history; the
configuration and the FTE follow; contradictions are refused in French and nothing is lost."""

import csv
import datetime
import io
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from atc.personal_data import personal_data_erase
from sites.models import FacilitatorAssignment, Site
from tests.sites.factories import FacilitatorAssignmentFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def text(response):
    return unescape(response.content.decode())


def _dashboard(client) -> str:
    return text(client.get(reverse("dashboards:site", args=["marseille"])))


def _arrival(client, slug="marseille", **overrides):
    data = {
        "person_name": "Leïla Benali",
        "position": "lead",
        "fte": "0.5",
        "contract_type": "cdd",
        "start_date": (TODAY - datetime.timedelta(days=30)).isoformat(),
        **overrides,
    }
    return client.post(reverse("team:arrival_create", args=[slug]), data)


def test_host_director_records_an_arrival_that_the_page_and_dashboard_show(client, host_director, marseille):
    FacilitatorAssignment.objects.filter(site=marseille).delete()
    client.force_login(host_director)
    response = _arrival(client)
    assert response.status_code == 302
    page = text(client.get(reverse("team:facilitator_history", args=["marseille"])))
    assert "Leïla Benali" in page
    assert "0,50" in page
    assert "Une seule personne" in page
    assert "Arrivée le" in page
    assert "<strong>0,50</strong>" in _dashboard(client)


def test_a_shared_function_makes_the_configuration_shared(client, facilitator, marseille):
    FacilitatorAssignment.objects.filter(site=marseille).delete()
    client.force_login(facilitator)
    _arrival(client, position="shared")
    page = text(client.get(reverse("team:facilitator_history", args=["marseille"])))
    assert "Fonction partagée entre plusieurs professionnel·les" in page


def test_change_of_fte_is_kept_in_the_history_and_the_dashboard_reads_the_new_value(
    client, host_director, marseille
):
    FacilitatorAssignment.objects.filter(site=marseille).delete()
    person = FacilitatorAssignmentFactory(site=marseille, person_name="Karim Ouali", fte=Decimal("1.0"))
    client.force_login(host_director)
    url = reverse("team:fte_change", args=["marseille", person.pk])
    response = client.post(url, {"fte": "0.6", "since": TODAY.isoformat()})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.fte == Decimal("0.6")
    assert [h.fte for h in person.history.order_by("history_date")] == [Decimal("1.0"), Decimal("0.6")]
    page = text(client.get(reverse("team:facilitator_history", args=["marseille"])))
    assert "Temps dédié passé de 1 à 0,60 ETP" in page
    assert "<strong>0,60</strong>" in _dashboard(client)


def test_departure_with_reason_and_handover_note(client, national_team, marseille):
    FacilitatorAssignment.objects.filter(site=marseille).delete()
    person = FacilitatorAssignmentFactory(site=marseille, person_name="Karim Ouali")
    client.force_login(national_team)
    url = reverse("team:departure", args=["marseille", person.pk])
    response = client.post(
        url,
        {
            "end_date": (TODAY - datetime.timedelta(days=1)).isoformat(),
            "reason": "resignation",
            "details": "Nouveau poste à Aix",
            "handover_note": "Contacts du bailleur dans le dossier partagé.",
        },
    )
    assert response.status_code == 302
    page = text(client.get(reverse("team:facilitator_history", args=["marseille"])))
    assert "Démission" in page and "Nouveau poste à Aix" in page
    assert "Contacts du bailleur dans le dossier partagé." in page
    assert "Départ le" in page
    assert "poste vacant aujourd'hui" in page
    assert "Aucune personne enregistrée" in page


def test_departure_before_arrival_is_refused_in_french_and_changes_nothing(client, facilitator, marseille):
    person = FacilitatorAssignmentFactory(site=marseille, start_date=datetime.date(2024, 5, 1))
    client.force_login(facilitator)
    response = client.post(
        reverse("team:departure", args=["marseille", person.pk]),
        {"end_date": "2024-04-30", "reason": "end_of_contract", "handover_note": "Garder ce texte"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Le départ ne peut pas précéder l'arrivée (le 01/05/2024)" in page
    assert "Garder ce texte" in page
    person.refresh_from_db()
    assert person.end_date is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fte", "99", "Le temps dédié doit être compris entre 0,1 et 2,0 ETP."),
        ("fte", "0", "Le temps dédié doit être compris entre 0,1 et 2,0 ETP."),
        ("start_date", "9999-12-31", "Indiquez une date entre le"),
        ("person_name", "   ", "Indiquez le nom de la personne."),
    ],
)
def test_hostile_arrivals_are_refused_with_a_french_message(client, host_director, field, value, message):
    client.force_login(host_director)
    before = FacilitatorAssignment.objects.count()
    response = _arrival(client, **{field: value})
    assert response.status_code == 200
    assert message in text(response)
    assert FacilitatorAssignment.objects.count() == before


def test_fte_change_out_of_range_or_before_arrival_is_refused(client, host_director, marseille):
    person = FacilitatorAssignmentFactory(site=marseille, start_date=datetime.date(2023, 1, 1))
    client.force_login(host_director)
    url = reverse("team:fte_change", args=["marseille", person.pk])
    page = text(client.post(url, {"fte": "99", "since": "2024-01-01"}))
    assert "Le temps dédié doit être compris entre 0,1 et 2,0 ETP." in page
    page = text(client.post(url, {"fte": "0.5", "since": "2022-01-01"}))
    assert "La personne est arrivée le 01/01/2023" in page
    person.refresh_from_db()
    assert person.fte == Decimal("0.8")


def test_markup_in_names_is_shown_as_text(client, host_director, marseille):
    client.force_login(host_director)
    _arrival(client, person_name="<script>alert(1)</script>Zoé")
    raw = client.get(reverse("team:facilitator_history", args=["marseille"])).content.decode()
    assert "<script>alert(1)</script>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Zoé" in raw


def test_another_sites_assignment_is_a_404(client, host_director):
    other = FacilitatorAssignmentFactory(site=Site.objects.get(slug="grenoble"))
    client.force_login(host_director)
    response = client.get(reverse("team:departure", args=["marseille", other.pk]))
    assert response.status_code == 404


def test_readers_see_no_recording_links(client, network_coordinator):
    client.force_login(network_coordinator)
    page = text(client.get(reverse("team:facilitator_history", args=["marseille"])))
    assert "Enregistrer une arrivée" not in page


def test_the_account_list_offers_only_the_sites_people(client, host_director, facilitator, outsider):
    client.force_login(host_director)
    page = text(client.get(reverse("team:arrival_create", args=["marseille"])))
    assert str(facilitator) in page
    assert str(outsider) not in page


def test_a_shared_function_covers_the_post_and_its_departure_is_turnover(client, national_team, marseille):
    FacilitatorAssignment.objects.filter(site=marseille).delete()
    FacilitatorAssignmentFactory(
        site=marseille, start_date=datetime.date(2021, 1, 1), end_date=datetime.date(2021, 12, 31)
    )
    FacilitatorAssignmentFactory(
        site=marseille, position=FacilitatorAssignment.Position.SHARED, start_date=datetime.date(2022, 1, 1)
    )
    FacilitatorAssignmentFactory(
        site=marseille, position=FacilitatorAssignment.Position.SUPPORT, start_date=datetime.date(2022, 1, 1)
    )
    client.force_login(national_team)
    page = text(client.get(reverse("team:facilitator_history", args=["marseille"])))
    assert "Aucune vacance." in page
    assert "<strong>1</strong> départ(s) d'animateur·rice" in page
    assert "Fonction partagée entre plusieurs professionnel·les" in page


def test_erasing_a_person_erases_their_name_from_the_teams_history(client, host_director, marseille):
    client.force_login(host_director)
    _arrival(client, person_name="Zoé Typo")
    person = FacilitatorAssignment.objects.get(person_name="Zoé Typo")
    person.person_name = "Zoé Durand-Lemaire"
    person.save()
    client.post(reverse("team:fte_change", args=["marseille", person.pk]), {"fte": "0.7", "since": TODAY})
    personal_data_erase(name="Zoé Durand-Lemaire")
    personal_data_erase(name="Zoé Typo")
    page = text(client.get(reverse("team:facilitator_history", args=["marseille"])))
    assert "Zoé" not in page
    assert not FacilitatorAssignment.history.filter(person_name__icontains="Zoé").exists()


def test_the_team_page_reads_a_fixed_number_of_queries(
    client, host_director, marseille, django_assert_max_num_queries
):
    client.force_login(host_director)
    url = reverse("team:facilitator_history", args=["marseille"])
    _arrival(client)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    count = len(few.captured_queries)
    for n in range(6):
        _arrival(client, person_name=f"Personne {n}", position="support")
    with django_assert_max_num_queries(count):
        assert client.get(url).status_code == 200


def test_an_arrival_typed_in_the_form_reaches_the_csv_and_xlsx_exports_as_plain_text(
    client, host_director, marseille
):
    """The seam from the team form to the exports: the dashboard's « animation » CSV (read with the
    csv module) and the « animateurs » XLSX dataset (read with openpyxl) list the newcomer with
    the shared role and 0.5 FTE; a name typed as a formula stays text, never a formula."""
    client.force_login(host_director)
    hostile = '=HYPERLINK("http://x")<b>Inès</b>'
    assert _arrival(client, person_name=hostile, position="shared").status_code == 302

    response = client.get(reverse("dashboards:site_export", args=["marseille", "animation", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    newcomer = [row for row in rows if "Inès" in ";".join(row)]
    assert len(newcomer) == 1
    assert not newcomer[0][0].startswith("=")
    assert "Fonction partagée" in newcomer[0]
    assert any(cell in {"0,5", "0,50", "0.5", "0.50"} for cell in newcomer[0])

    response = client.get(reverse("exports:export_download", args=["animateurs", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row for row in sheet.iter_rows(values_only=True) if any("Inès" in str(v) for v in row if v)]
    assert len(cells) == 1
    name_cell = next(v for v in cells[0] if v and "Inès" in str(v))
    assert not str(name_cell).startswith("=")
    assert "<b>Inès</b>" in str(name_cell)
    assert "Fonction partagée" in cells[0]
    assert any(v is not None and str(v).replace(",", ".") in {"0.5", "0.50"} for v in cells[0])
