"""Requests too big or with too many fields are refused with a plain 400, and save nothing."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilotage.models import Attachment, Meeting
from tests.pilotage.factories import MeetingFactory


def test_a_body_above_the_upload_limit_is_refused_with_400(client, facilitator):
    client.force_login(facilitator)
    before = Meeting.objects.count()
    filler = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        {"title": "Trop gros", "agenda": filler},
    )
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()
    assert Meeting.objects.count() == before


def test_too_many_fields_are_refused_with_400(client, facilitator):
    client.force_login(facilitator)
    before = Meeting.objects.count()
    fields = {f"champ{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]), {"title": "Trop", **fields}
    )
    assert response.status_code == 400
    assert Meeting.objects.count() == before


def test_a_file_above_the_attachment_limit_is_refused_and_not_stored(client, facilitator, marseille):
    client.force_login(facilitator)
    meeting = MeetingFactory(site=marseille)
    big = SimpleUploadedFile(
        "compte-rendu.pdf",
        b"%PDF-1.4\n" + b"0" * settings.ATC_MAX_UPLOAD_BYTES,
        content_type="application/pdf",
    )
    response = client.post(
        reverse("pilotage:meeting_attachment_add", args=["marseille", meeting.pk]),
        {"file": big},
        follow=True,
    )
    assert response.status_code == 200
    assert "Pièce jointe refusée" in response.content.decode()
    assert not Attachment.objects.filter(meeting=meeting).exists()
