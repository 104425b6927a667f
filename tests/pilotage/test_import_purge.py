"""Import files checked but never confirmed are deleted after a day (issue 12, finding 9)."""

import os
import time
from html import unescape

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from pilotage.imports import services as imports
from pilotage.tasks import purge_pending_imports
from tests.pilotage.test_imports import MEETING_HEADER, csv_bytes, meeting_row

pytestmark = pytest.mark.django_db


def age(path: str, hours: float) -> None:
    """Date the stored file `hours` back (the file system is the test's storage)."""
    stamp = time.time() - hours * 3600
    os.utime(default_storage.path(path), (stamp, stamp))


def test_the_beat_task_deletes_abandoned_files_and_keeps_recent_ones():
    old = imports.pending_file_save(b"date;type\n", "a" * 32)
    recent = imports.pending_file_save(b"date;type\n", "b" * 32)
    age(old, 25)
    age(recent, 23)
    purge_pending_imports.delay()
    assert not default_storage.exists(old)
    assert default_storage.exists(recent)


def test_the_command_does_the_same(capsys):
    old = imports.pending_file_save(b"date;type\n", "c" * 32)
    age(old, 48)
    call_command("purge_pending_imports")
    assert not default_storage.exists(old)
    assert "1 fichier(s) d'import abandonné(s) effacé(s)." in capsys.readouterr().out


def test_nothing_to_purge_before_any_import():
    assert imports.pending_files_purge() == 0


def test_a_dry_run_left_for_a_day_can_no_longer_be_confirmed(client, facilitator, marseille):
    client.force_login(facilitator)
    data = csv_bytes([MEETING_HEADER, meeting_row(1)])
    page = client.post(
        reverse("imports:import_start", args=["marseille"]),
        {"kind": "reunions", "file": SimpleUploadedFile("historique.csv", data)},
    )
    token = page.context["token"]
    (name,) = default_storage.listdir(imports.PENDING_DIR)[1]
    age(f"{imports.PENDING_DIR}/{name}", 25)
    purge_pending_imports.delay()
    response = client.post(
        reverse("imports:import_confirm", args=["marseille"]), {"token": token}, follow=True
    )
    assert "Cet import n'est plus disponible : déposez le fichier à nouveau." in unescape(
        response.content.decode()
    )
