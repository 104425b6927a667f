import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilotage.models import Attachment
from pilotage.uploads import safe_download_name
from tests.pilotage.factories import PDF_BYTES, ActionFactory, AttachmentFactory, MeetingFactory

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
ODS = zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})


def upload(client, meeting, name, content):
    return client.post(
        reverse("pilotage:meeting_attachment_add", args=[meeting.site.slug, meeting.pk]),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
        follow=True,
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("compte-rendu.pdf", PDF_BYTES, "application/pdf"),
        ("note.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml"),
        ("budget.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml"),
        ("note.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("budget.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
        ("presences.csv", "nom;présent\nAïcha;oui\n".encode(), "text/csv"),
        ("presences.csv", "nom;présent\nAïcha;oui\n".encode("cp1252"), "text/csv"),
        ("photo.JPG", JPEG_BYTES, "image/jpeg"),
        ("affiche.png", PNG_BYTES, "image/png"),
    ],
)
def test_accepted_files_are_stored_under_a_server_name(
    client, facilitator, marseille, name, content, content_type
):
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    page = upload(client, meeting, name, content).content.decode()
    assert "Pièce jointe ajoutée." in page
    attachment = Attachment.objects.get()
    assert attachment.content_type.startswith(content_type)
    assert attachment.original_name == name
    assert name not in attachment.file.name
    stored = attachment.file.name.rsplit("/", 1)[1]
    assert len(stored.split(".")[0]) == 32
    assert stored.endswith(name.rsplit(".", 1)[1].lower())
    assert name in page


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("script.exe", b"MZ\x90\x00", "Type de fichier non accepté"),
        ("page.html", b"<html></html>", "Type de fichier non accepté"),
        ("faux.pdf", b"<html><script>alert(1)</script></html>", "ne correspond pas au contenu"),
        ("photo.png", JPEG_BYTES, "ne correspond pas au contenu"),
        ("note.docx", XLSX, "ne correspond pas au contenu"),
        ("archive.docx", zipped({"a.txt": b"x"}), "ne correspond à aucun format accepté"),
        ("donnees.csv", b"\x00\x01\x02binary", "ne correspond à aucun format accepté"),
        ("vide.pdf", b"", "Le fichier est vide"),
    ],
)
def test_refused_files_say_why(client, facilitator, marseille, name, content, reason):
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    page = upload(client, meeting, name, content).content.decode()
    assert "Pièce jointe refusée" in page
    assert reason in page
    assert Attachment.objects.count() == 0


def test_a_file_over_the_limit_is_refused(client, facilitator, marseille, settings):
    settings.ATC_MAX_UPLOAD_BYTES = 1024
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    page = upload(client, meeting, "gros.pdf", PDF_BYTES + b"0" * 2048).content.decode()
    assert "Fichier trop volumineux" in page
    assert "la taille maximale est de 1,0" in page
    assert Attachment.objects.count() == 0


def test_no_file_chosen(client, facilitator, marseille):
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_attachment_add", args=["marseille", meeting.pk]), follow=True
    )
    assert "Choisissez un fichier à joindre." in response.content.decode()


def test_attachment_on_an_action(client, facilitator, marseille):
    action = ActionFactory(site=marseille)
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:action_attachment_add", args=["marseille", action.pk]),
        {"file": SimpleUploadedFile("bilan.pdf", PDF_BYTES)},
        follow=True,
    )
    assert "bilan.pdf" in response.content.decode()
    assert Attachment.objects.get().action == action


def test_download_is_an_attachment_with_a_clean_name(client, network_coordinator, marseille):
    attachment = AttachmentFactory(site=marseille, original_name='../../etc/"passwd";.pdf')
    client.force_login(network_coordinator)
    response = client.get(reverse("pilotage:attachment_download", args=["marseille", attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_download_of_another_sites_file_is_a_404(client, facilitator, grenoble, marseille):
    attachment = AttachmentFactory(site=grenoble)
    client.force_login(facilitator)
    for slug in ("grenoble", "marseille"):
        url = reverse("pilotage:attachment_download", args=[slug, attachment.pk])
        assert client.get(url).status_code == 404


def test_writer_deletes_an_attachment_and_its_file(
    client, facilitator, marseille, django_capture_on_commit_callbacks
):
    attachment = AttachmentFactory(site=marseille)
    storage, name = attachment.file.storage, attachment.file.name
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pilotage:attachment_delete", args=["marseille", attachment.pk]), follow=True
        )
    assert "Pièce jointe « compte-rendu.pdf » supprimée." in response.content.decode()
    assert Attachment.objects.count() == 0
    assert response.redirect_chain[-1][0] == reverse(
        "pilotage:meeting_detail", args=["marseille", attachment.meeting_id]
    )
    assert storage.exists(name) is False


def test_readers_cannot_delete(client, network_coordinator, marseille):
    attachment = AttachmentFactory(site=marseille)
    client.force_login(network_coordinator)
    url = reverse("pilotage:attachment_delete", args=["marseille", attachment.pk])
    assert client.post(url).status_code == 403
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C:\\Users\\moi\\compte rendu.pdf", "compte rendu.pdf"),
        ("a\r\nSet-Cookie: x.pdf", "aSet-Cookie x.pdf"),
        ("...", "piece-jointe"),
        ("réunion d'été.odt", "réunion d'été.odt"),
    ],
)
def test_download_names_are_sanitised(name, expected):
    assert safe_download_name(name) == expected
