"""Requests too big or with too many fields are refused (413 or 400), unread, and save nothing."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from pilotage.models import Attachment, Meeting
from tests.atc.factories import TEST_PASSWORD
from tests.pilotage.factories import MeetingFactory

MB = 1024 * 1024
TOO_LARGE = "Envoi trop volumineux"


class CountingInput:
    """A request body that exists only as it is read: `size` bytes (None: endless), counted."""

    def __init__(self, size=None, data=b""):
        self.size = size
        self.data = data
        self.bytes_read = 0

    def read(self, size=-1):
        if self.data:
            chunk = self.data[self.bytes_read : self.bytes_read + size if size >= 0 else None]
        else:
            remaining = 1 << 62 if self.size is None else self.size - self.bytes_read
            chunk = b"x" * max(0, min(remaining, size if size >= 0 else remaining, 1 << 20))
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        return self.read(size)


def _post_streamed(client, url, body, content_length=None, content_type="multipart/form-data; boundary=x"):
    extra = {"wsgi.input": body, "CONTENT_TYPE": content_type}
    if content_length is None:
        extra["HTTP_TRANSFER_ENCODING"] = "chunked"
        extra["CONTENT_LENGTH"] = ""
    else:
        extra["CONTENT_LENGTH"] = str(content_length)
    return client.generic("POST", url, **extra)


def test_a_300_mb_anonymous_post_is_refused_before_a_byte_is_read():
    body = CountingInput(300 * MB)
    response = _post_streamed(Client(enforce_csrf_checks=True), reverse("account_login"), body, 300 * MB)
    assert response.status_code == 413
    assert TOO_LARGE in response.content.decode()
    assert body.bytes_read == 0


def test_a_200_mb_upload_by_a_signed_in_person_is_refused_before_a_byte_is_read(
    client, facilitator, marseille
):
    client.force_login(facilitator)
    meeting = MeetingFactory(site=marseille)
    body = CountingInput(200 * MB)
    url = reverse("pilotage:meeting_attachment_add", args=["marseille", meeting.pk])
    response = _post_streamed(client, url, body, 200 * MB)
    assert response.status_code == 413
    assert "12 Mo" in response.content.decode()
    assert body.bytes_read == 0
    assert not Attachment.objects.filter(meeting=meeting).exists()


def test_an_endless_chunked_body_is_read_no_further_than_the_limit(client, facilitator):
    client.force_login(facilitator)
    before = Meeting.objects.count()
    body = CountingInput(None)
    response = _post_streamed(client, reverse("pilotage:meeting_create", args=["marseille"]), body)
    assert response.status_code == 413
    assert TOO_LARGE in response.content.decode()
    assert body.bytes_read <= settings.ATC_MAX_REQUEST_BYTES + 64 * 1024
    assert Meeting.objects.count() == before


def test_a_chunked_body_under_the_limit_is_read_as_usual(client, facilitator):
    form = f"login={facilitator.email}&password={TEST_PASSWORD}".replace("@", "%40").encode()
    response = _post_streamed(
        client,
        reverse("account_login"),
        CountingInput(data=form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(facilitator.pk)


def test_a_body_above_the_request_limit_is_refused_with_413(client, facilitator):
    client.force_login(facilitator)
    before = Meeting.objects.count()
    filler = "x" * (settings.ATC_MAX_REQUEST_BYTES + 1)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        {"title": "Trop gros", "agenda": filler},
    )
    assert response.status_code == 413
    assert TOO_LARGE in response.content.decode()
    assert Meeting.objects.count() == before


def test_form_fields_above_the_memory_limit_are_refused_with_400(client, facilitator, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(facilitator)
    before = Meeting.objects.count()
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        {"title": "Trop gros", "agenda": "x" * 2048},
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
