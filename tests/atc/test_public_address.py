"""One public address: every e-mailed link starts with SITE_URL, which by default follows the HOST
and PORT that `make run` serves (scripts/serve-dev.sh exports them to the server, worker and beat)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from atc.links import absolute_url
from evaluation.models import EvaluationReport
from evaluation.reports.services import report_notify
from tests.atc.test_accounts import _invite
from tests.reports.factories import EvaluationReportFactory, ReportScheduleFactory

ROOT = Path(__file__).resolve().parents[2]


def _site_url(**env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "HOST", "PORT"}}
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "atc.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"HOST": "localhost", "PORT": "9000"}, "http://localhost:9000"),
        ({"HOST": "0.0.0.0", "PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "SITE_URL": "https://atc.example.org/"}, "https://atc.example.org"),
    ],
)
def test_the_public_address_follows_the_served_port_unless_set(env, expected):
    assert _site_url(**env) == expected


def test_make_run_gives_its_host_and_port_to_the_server_the_worker_and_beat():
    script = (ROOT / "scripts" / "serve-dev.sh").read_text()
    exported = script.index("export HOST")
    assert exported < script.index("celery -A atc worker") < script.index("runserver")


def test_an_absolute_url_is_the_public_address_and_the_path(settings):
    settings.SITE_URL = "https://atc.example.org"
    assert absolute_url("/rapports/") == "https://atc.example.org/rapports/"
    with pytest.raises(ValueError):
        absolute_url("rapports/")


def test_the_report_email_links_to_the_public_address(settings, db, mailoutbox):
    settings.SITE_URL = "http://127.0.0.1:8123"
    report = EvaluationReportFactory(
        status=EvaluationReport.Status.DONE, schedule=ReportScheduleFactory(recipients="comite@example.org")
    )

    report_notify(report.pk)

    expected = "http://127.0.0.1:8123" + reverse("reports:report_detail", args=[report.public_id])
    assert expected in mailoutbox[0].body


def test_the_invitation_links_to_the_public_address_not_the_requests_host(
    settings, client, national_team, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8123"
    client.force_login(national_team)

    with django_capture_on_commit_callbacks(execute=True):
        _invite(client)

    body = mailoutbox[0].body
    assert re.search(r"http://127\.0\.0\.1:8123/comptes/password/reset/key/\S+", body)
    assert "http://127.0.0.1:8123" + reverse("account_login") in body
    assert "testserver" not in body
