"""Import files cannot take the server's memory or time: archive bounds, DTDs, the limited reader,
cut cells and short error messages (issue 12, findings 1 and 10)."""

import io
import tracemalloc
import zipfile
from html import unescape

import openpyxl
import pytest
from defusedxml import EntitiesForbidden
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilotage.imports import services as imports
from pilotage.imports.reading import ImportFileError
from tests import crafted
from tests.pilotage.test_imports import csv_bytes

pytestmark = pytest.mark.django_db

ACTIONS = imports.KINDS["actions"]
ENTITY_PROLOG = '<!DOCTYPE sst [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'


def upload(client, data, name="historique.xlsx"):
    return client.post(
        reverse("imports:import_start", args=["marseille"]),
        {"kind": "actions", "file": SimpleUploadedFile(name, data)},
    )


def test_a_400_kb_shared_strings_bomb_is_refused_in_french_without_memory_growth(client, facilitator):
    bomb = crafted.shared_strings_bomb(megabytes=400)
    assert 300_000 < len(bomb) < 500_000
    client.force_login(facilitator)
    tracemalloc.start()
    try:
        response = upload(client, bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Une fois décompressé, le fichier ferait 381,5\xa0Mio, 100,0\xa0Mio au plus" in page
    assert peak < 100 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"


def test_a_compact_bomb_under_the_size_bound_is_refused_for_its_ratio(marseille):
    bomb = crafted.shared_strings_bomb(megabytes=40)
    with pytest.raises(ImportFileError, match="anormalement compressé"):
        imports.check_file(site=marseille, kind=ACTIONS, data=bomb)


def test_an_archive_with_too_many_members_is_refused(marseille, settings):
    settings.ATC_ARCHIVE_MAX_MEMBERS = 10
    data = crafted.zipped({**crafted.XLSX_PARTS, **{f"xl/media/{n}.xml": "<x/>" for n in range(10)}})
    with pytest.raises(ImportFileError, match="contient 14 éléments, 10 au plus"):
        imports.check_file(site=marseille, kind=ACTIONS, data=data)


def test_openpyxl_parses_through_defusedxml():
    """openpyxl switches to defusedxml when it is installed (requirements.txt pins it)."""
    data = crafted.xlsx_with_strings(["intitulé", "&lol2;"], [[0], [1]], prolog=ENTITY_PROLOG)
    assert openpyxl.DEFUSEDXML is True
    with pytest.raises(ValueError, match="could not read strings") as refused:
        openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert isinstance(refused.value.__cause__ or refused.value.__context__, EntitiesForbidden)


@pytest.mark.parametrize("prolog", [ENTITY_PROLOG, "<!DOCTYPE sst>"])
def test_an_xlsx_holding_a_dtd_is_refused_in_french(client, facilitator, prolog):
    data = crafted.xlsx_with_strings(["intitulé", "Jardin"], [[0], [1]], prolog=prolog)
    client.force_login(facilitator)
    response = upload(client, data)
    assert response.status_code == 200
    assert "déclaration DTD ou d'entités XML, refusée par sécurité" in unescape(response.content.decode())


def test_a_slow_file_is_stopped_at_the_time_limit(marseille, settings):
    settings.ATC_IMPORT_READ_SECONDS = 1
    data = crafted.many_strings_xlsx(300_000)
    with pytest.raises(ImportFileError, match="La lecture du fichier a dépassé 1 secondes"):
        imports.check_file(site=marseille, kind=ACTIONS, data=data)


def test_a_file_needing_too_much_memory_is_stopped_at_the_ceiling(marseille, settings):
    settings.ATC_IMPORT_READ_MEMORY_MB = 60
    # On a busy machine the time limit could stop the reader first: this test is about memory.
    settings.ATC_IMPORT_READ_SECONDS = 120
    data = crafted.many_strings_xlsx(600_000)
    with pytest.raises(ImportFileError, match="demande plus de 60 Mo de mémoire"):
        imports.check_file(site=marseille, kind=ACTIONS, data=data)


def test_a_good_xlsx_still_reads_through_the_limited_reader(marseille):
    data = crafted.xlsx_with_strings(["intitulé", "Jardin partagé"], [[0], [1]])
    report = imports.check_file(site=marseille, kind=ACTIONS, data=data)
    assert report.ok, report.errors
    assert report.rows[0]["title"] == "Jardin partagé"


def test_an_error_quotes_at_most_80_characters_of_a_cell(marseille):
    long_date = "3" * 50_000
    report = imports.check_file(
        site=marseille, kind=ACTIONS, data=csv_bytes([["intitulé", "début"], ["Jardin", long_date]])
    )
    assert len(report.errors) == 1
    assert "« " + "3" * 79 + "… »" in report.errors[0]
    assert len(report.errors[0]) < 200


def test_a_huge_cell_is_cut_and_reported_with_its_bound(marseille):
    data = csv_bytes([["intitulé", "description"], ["Jardin", "x" * 150_000]])
    report = imports.check_file(site=marseille, kind=ACTIONS, data=data)
    assert "le texte fait 100000+ caractères, 20000 au plus" in report.errors[0]


def test_a_row_with_too_many_cells_is_refused(marseille):
    data = csv_bytes([["intitulé"], ["Jardin"] + ["x"] * 200])
    with pytest.raises(ImportFileError, match="plus de 100 cellules remplies"):
        imports.check_file(site=marseille, kind=ACTIONS, data=data)


def test_declared_dimensions_of_a_whole_sheet_do_not_pad_rows(marseille):
    data = crafted.xlsx_with_strings(["intitulé", "Jardin"], [[0], [1]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
            target.writestr(member, content)
    report = imports.check_file(site=marseille, kind=ACTIONS, data=buffer.getvalue())
    assert report.ok, report.errors
