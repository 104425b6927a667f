"""Attachments that would act on a colleague's machine are refused, saying why (issue 12, finding 12)."""

import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilotage.models import Attachment
from tests import crafted
from tests.pilotage.factories import MeetingFactory

pytestmark = pytest.mark.django_db

MACRO = "contient des macros ou des contrôles actifs"
PDF_ACTION = "Ce PDF contient des actions automatiques"
MARKUP = "contient du HTML ou du SVG, pas un tableau CSV"
NO_FORMAT = "ne correspond à aucun format accepté"
JS_ACTION = "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"


def upload(client, marseille, name, content):
    meeting = MeetingFactory(site=marseille)
    return client.post(
        reverse("pilotage:meeting_attachment_add", args=[marseille.slug, meeting.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
        follow=True,
    ).content.decode()


def blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("note.docm", crafted.docx(macro=True), MACRO),
        ("budget.xlsm", crafted.docx(macro=True), MACRO),
        ("note.docx", crafted.docx(macro=True), MACRO),
        ("budget.xlsx", crafted.zipped({**crafted.XLSX_PARTS, "xl/vbaProject.bin": b"\xd0\xcf"}), MACRO),
        (
            "note.odt",
            crafted.zipped({"mimetype": "application/vnd.oasis.opendocument.text", "Basic/x": "x"}),
            MACRO,
        ),
        ("script.pdf", crafted.pdf(JS_ACTION), PDF_ACTION),
        ("cache.pdf", crafted.pdf("/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"), PDF_ACTION),
        ("lance.pdf", crafted.pdf("/OpenAction << /S /Launch /F (calc.exe) >>"), PDF_ACTION),
        ("ref.pdf", crafted.pdf("/OpenAction 5 0 R"), PDF_ACTION),
        ("joint.pdf", crafted.pdf("/Names << /EmbeddedFiles << /Names [] >> >>"), PDF_ACTION),
        ("page.pdf", crafted.pdf("/AA << /O << /S /URI /URI (http://x) >> >>"), PDF_ACTION),
        ("objstm.pdf", crafted.pdf_with_compressed("<< /S /JavaScript /JS (app.alert(1)) >>"), PDF_ACTION),
        ("bombe.xlsx", crafted.zip_bomb_xlsx(200), "Une fois décompressé, le fichier ferait 190,7 Mio"),
        ("bombe.xlsx", crafted.zip_bomb_xlsx(50), "anormalement compressé"),
        ("bombe.docx", crafted.zip_bomb_xlsx(50), "anormalement compressé"),
        ("liste.csv", b"nom;age\n<html><body><script>alert(1)</script></body></html>", MARKUP),
        ("liste.csv", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', MARKUP),
        ("liste.csv", b"nom;lien\nx;javascript:alert(1)\n", MARKUP),
        ("rapport.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, NO_FORMAT),
        ("liste.csv", b"nom;age\n" * 10_000 + b"MZ\x90\x00\x03\x00\x00\x00", NO_FORMAT),
    ],
)
def test_active_or_disguised_files_are_refused_with_the_reason(
    client, facilitator, marseille, name, content, reason
):
    client.force_login(facilitator)
    page = upload(client, marseille, name, content)
    assert "Pièce jointe refusée" in page
    assert reason in page.replace("\xa0", " ").replace("&#x27;", "'")
    assert Attachment.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ordinaire.pdf", blank_pdf()),
        ("page.pdf", crafted.pdf("/OpenAction [3 0 R /Fit]")),
        ("note.docx", crafted.docx()),
        ("liste.csv", "nom;remarque\nAïcha;« 3 < 5 » et a|b\n".encode()),
    ],
)
def test_ordinary_files_are_still_accepted(client, facilitator, marseille, name, content):
    client.force_login(facilitator)
    assert "Pièce jointe ajoutée." in upload(client, marseille, name, content)
    assert Attachment.objects.count() == 1
