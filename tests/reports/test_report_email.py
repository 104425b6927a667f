"""The report e-mails go through a real SMTP server (tests/smtpserver.py) and are read back as a
recipient's mail client reads them: headers, the link, and what is attached."""

import re

import pytest
from django.urls import reverse

from evaluation.models import EvaluationReport, Scope
from evaluation.reports.services import report_notify
from sites.models import Network
from tests.reports.factories import EvaluationReportFactory, ReportScheduleFactory
from tests.smtpserver import body_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def fcsf_report(settings):
    settings.SITE_URL = "http://127.0.0.1:8123"
    fcsf = Network.objects.get(code="fcsf")
    schedule = ReportScheduleFactory(
        name="Rapport FCSF semestriel",
        scope=Scope.NETWORK,
        network=fcsf,
        recipients="network@example.org\nelu@mairie.example.org",
    )
    return EvaluationReportFactory(
        status=EvaluationReport.Status.DONE, scope=Scope.NETWORK, network=fcsf, schedule=schedule
    )


def test_the_scheduled_report_email_reaches_the_smtp_server_with_its_link(smtp_server, fcsf_report):
    report_notify(fcsf_report.pk)

    assert sorted(to for _from, tos in smtp_server.envelopes for to in tos) == [
        "elu@mairie.example.org",
        "network@example.org",
    ]
    message = smtp_server.messages[0]
    # Django folds a long non-ASCII subject onto its next line: unfolding leaves a leading space.
    assert message["Subject"].strip().startswith("[ATC] Rapport d'évaluation prêt : Réseau FCSF")
    assert "ne-pas-repondre" in message["From"]
    link = "http://127.0.0.1:8123" + reverse("reports:report_detail", args=[fcsf_report.public_id])
    assert link in re.findall(r"https?://\S+", body_text(message))
