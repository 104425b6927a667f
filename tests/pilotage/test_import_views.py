"""The import pages: templates, upload with a dry-run preview, confirmation, refusals."""

import io
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from pilotage.models import Action, Meeting
from tests.pilotage.test_imports import MEETING_HEADER, csv_bytes, meeting_row, xlsx_bytes

pytestmark = pytest.mark.django_db


def text(response):
    return unescape(response.content.decode())


def upload(client, data, kind="reunions", name="historique.csv"):
    return client.post(
        reverse("imports:import_start", args=["marseille"]),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
    )


def test_import_page_offers_templates_and_documents_columns(client, facilitator):
    client.force_login(facilitator)
    page = text(client.get(reverse("imports:import_start", args=["marseille"])))
    assert reverse("imports:import_template", args=["marseille", "reunions", "xlsx"]) in page
    assert reverse("imports:import_template", args=["marseille", "actions", "csv"]) in page
    assert "participant·es Conseil citoyen" in page
    assert 'enctype="multipart/form-data"' in page


def test_csv_template_download(client, host_director):
    client.force_login(host_director)
    response = client.get(reverse("imports:import_template", args=["marseille", "reunions", "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="modele-import-reunions.csv"' in response["Content-Disposition"]
    assert response.content.startswith("\ufeffdate;type;intitulé".encode())


def test_xlsx_template_download(client, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("imports:import_template", args=["marseille", "actions", "xlsx"]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Actions", "Aide"]


def test_unknown_template_is_not_found(client, facilitator):
    client.force_login(facilitator)
    url = reverse("imports:import_template", args=["marseille", "budgets", "csv"])
    assert client.get(url).status_code == 404


def test_preview_then_confirm_creates_the_meetings(client, facilitator, marseille):
    client.force_login(facilitator)
    data = csv_bytes([MEETING_HEADER, meeting_row(1), meeting_row(2)])
    preview = upload(client, data)
    page = text(preview)
    assert "Le fichier « historique.csv » est correct : 2 lignes (réunions) seront créées." in page
    assert "Atelier n° 2" in page
    assert not Meeting.objects.exists()
    token = preview.context["token"]
    response = client.post(reverse("imports:import_confirm", args=["marseille"]), {"token": token})
    assert response["Location"] == reverse("pilotage:meeting_list", args=["marseille"])
    assert Meeting.objects.filter(site=marseille).count() == 2
    # The same confirmation cannot be replayed.
    again = client.post(reverse("imports:import_confirm", args=["marseille"]), {"token": token})
    assert again["Location"] == reverse("imports:import_start", args=["marseille"])
    assert Meeting.objects.count() == 2


def test_xlsx_actions_preview_lists_new_partners(client, facilitator):
    client.force_login(facilitator)
    data = xlsx_bytes([["intitulé", "partenaires"], ["Jardin partagé", "Amis du jardin"]])
    preview = upload(client, data, kind="actions", name="actions.xlsx")
    page = text(preview)
    assert "Nouvelles organisations partenaires" in page and "Amis du jardin" in page
    client.post(reverse("imports:import_confirm", args=["marseille"]), {"token": preview.context["token"]})
    assert Action.objects.get().partners.get().name == "Amis du jardin"


def test_bad_line_is_reported_and_nothing_is_kept(client, facilitator):
    client.force_login(facilitator)
    rows = [MEETING_HEADER] + [meeting_row(n) for n in range(1, 20)]
    rows[6][0] = "31/02/2021"
    response = upload(client, csv_bytes(rows))
    page = text(response)
    assert "Rien n'est importé : 1 problème à corriger" in page
    assert "Ligne 7, colonne « date » : « 31/02/2021 » n'est pas une date valide (JJ/MM/AAAA)." in page
    assert "token" not in response.context
    assert not Meeting.objects.exists()


def test_binary_garbage_is_refused_with_a_clear_message(client, facilitator):
    client.force_login(facilitator)
    page = text(upload(client, bytes(range(256)) * 10, name="photo.csv"))
    assert "Ce fichier n'est ni un CSV ni un classeur XLSX lisible (contenu binaire)." in page


def test_missing_file_and_kind_are_refused(client, facilitator):
    client.force_login(facilitator)
    response = client.post(reverse("imports:import_start", args=["marseille"]), {})
    page = text(response)
    assert "Choisissez : réunions ou actions." in page
    assert "Choisissez le fichier à importer." in page


def test_imported_html_is_shown_escaped(client, facilitator):
    client.force_login(facilitator)
    row = meeting_row(1)
    row[2] = "<script>alert(1)</script>"
    raw = upload(client, csv_bytes([MEETING_HEADER, row])).content.decode()
    assert "<script>alert(1)</script>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_confirm_from_another_site_is_refused(client, facilitator, grenoble, personas):
    from atc.models import Role
    from tests.atc.factories import RoleFactory

    RoleFactory(user=facilitator, kind=Role.Kind.FACILITATOR, sites=[grenoble])
    client.force_login(facilitator)
    preview = upload(client, csv_bytes([MEETING_HEADER, meeting_row(1)]))
    response = client.post(
        reverse("imports:import_confirm", args=["grenoble"]), {"token": preview.context["token"]}
    )
    assert response["Location"] == reverse("imports:import_start", args=["grenoble"])
    assert not Meeting.objects.exists()


def test_confirm_accepts_post_only(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("imports:import_confirm", args=["marseille"])).status_code == 405
