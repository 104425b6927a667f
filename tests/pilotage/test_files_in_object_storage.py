"""Attachments and pending import files on an S3-compatible object store (ATC_STORAGE=s3, a local
moto server: tests/objectstore.py): they reach the bucket, come back whole through the
access-checked views, and leave it with their row or their import."""

import datetime

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pilotage.imports import services as imports
from pilotage.models import Attachment, Meeting
from tests.objectstore import local_files
from tests.pilotage.factories import PDF_BYTES, MeetingFactory
from tests.pilotage.test_imports import MEETING_HEADER, csv_bytes, meeting_row

pytestmark = pytest.mark.django_db


def test_an_attachment_goes_to_the_bucket_comes_back_whole_and_leaves_with_its_row(
    s3_media, client, facilitator, marseille, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    page = client.post(
        reverse("pilotage:meeting_attachment_add", args=["marseille", meeting.pk]),
        {"file": SimpleUploadedFile("compte-rendu.pdf", PDF_BYTES, content_type="application/pdf")},
        follow=True,
    )
    assert "Pièce jointe ajoutée." in page.content.decode()
    attachment = Attachment.objects.get()
    assert s3_media.keys() == [attachment.file.name]
    assert s3_media.read(attachment.file.name) == PDF_BYTES

    response = client.get(reverse("pilotage:attachment_download", args=["marseille", attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert 'filename="compte-rendu.pdf"' in response["Content-Disposition"]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pilotage:attachment_delete", args=["marseille", attachment.pk]))
    assert s3_media.keys() == []
    assert local_files(settings.MEDIA_ROOT) == []


def test_a_pending_import_waits_in_the_bucket_until_it_is_confirmed(s3_media, client, facilitator, marseille):
    client.force_login(facilitator)
    data = csv_bytes([MEETING_HEADER, meeting_row(1), meeting_row(2)])
    preview = client.post(
        reverse("imports:import_start", args=["marseille"]),
        {"kind": "reunions", "file": SimpleUploadedFile("historique.csv", data)},
    )
    token = preview.context["token"]
    assert s3_media.keys() == [f"{imports.PENDING_DIR}/{token}"]
    assert s3_media.read(f"{imports.PENDING_DIR}/{token}") == data

    client.post(reverse("imports:import_confirm", args=["marseille"]), {"token": token})

    assert Meeting.objects.filter(site=marseille, title__startswith="Atelier n°").count() == 2
    assert s3_media.keys() == []
    assert local_files(settings.MEDIA_ROOT) == []


def test_an_abandoned_import_file_is_purged_from_the_bucket(s3_media):
    name = imports.pending_file_save(b"date;type\n", "a" * 32)
    assert imports.pending_files_purge() == 0
    assert default_storage.exists(name)

    later = timezone.now() + datetime.timedelta(hours=settings.ATC_IMPORT_PENDING_HOURS, minutes=1)
    assert imports.pending_files_purge(now=later) == 1
    assert s3_media.keys() == []
