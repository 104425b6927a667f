"""The report e-mails go through a real SMTP server (tests/smtpserver.py) and are read back as a
recipient's mail client reads them: headers, the link, and what is attached. A small PDF travels
attached; a big one as a signed link that works without an account, only for its report, is
logged when used, and answers a clear French page once expired or altered."""

import re
import time

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.urls import reverse

from evaluation.models import EvaluationReport, ReportLinkUse, Scope
from evaluation.reports.services import REPORT_LINK_SALT, report_link_token, report_notify
from sites.models import Network
from tests.reports.factories import EvaluationReportFactory, ReportScheduleFactory
from tests.smtpserver import attachments, body_text

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
    # A long non-ASCII subject is folded in encoded words (atc/mail.py): no leading space once read.
    assert message["Subject"].startswith("[ATC] Rapport d'évaluation prêt : Réseau FCSF")
    assert "ne-pas-repondre" in message["From"]
    link = "http://127.0.0.1:8123" + reverse("reports:report_detail", args=[fcsf_report.public_id])
    assert link in re.findall(r"https?://\S+", body_text(message))


def _with_pdf(report, content=b"%PDF-1.7\n% rapport FCSF\n"):
    report.file.save("reports/fcsf.pdf", ContentFile(content), save=True)
    return report


def _links(message):
    return re.findall(r"https?://\S+", body_text(message))


def _path(url):
    return url.removeprefix("http://127.0.0.1:8123")


def _message_to(inbox, address):
    return next(m for m, (_f, tos) in zip(inbox.messages, inbox.envelopes, strict=True) if tos == [address])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_small_report_travels_attached(smtp_server, fcsf_report, media):
    _with_pdf(fcsf_report)

    report_notify(fcsf_report.pk)

    message = _message_to(smtp_server, "elu@mairie.example.org")
    assert attachments(message) == {"rapport-reseau-fcsf-2021-Q1.pdf": b"%PDF-1.7\n% rapport FCSF\n"}
    assert "pièce jointe" in body_text(message)
    assert not any("/lien/" in link for link in _links(message))


def test_a_big_report_travels_as_a_signed_link_that_works_without_an_account(
    smtp_server, fcsf_report, media, settings, client
):
    settings.ATC_REPORT_ATTACH_MAX_BYTES = 10
    _with_pdf(fcsf_report)

    report_notify(fcsf_report.pk)

    message = _message_to(smtp_server, "elu@mairie.example.org")
    assert attachments(message) == {}
    signed = next(link for link in _links(message) if "/lien/" in link)
    response = client.get(_path(signed))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n% rapport FCSF\n"
    assert [(use.report, use.recipient) for use in ReportLinkUse.objects.all()] == [
        (fcsf_report, "elu@mairie.example.org")
    ]


def test_the_fcsf_coordinator_downloads_the_fcsf_report_from_the_emailed_link(
    smtp_server, fcsf_report, media, client, network_coordinator, django_capture_on_commit_callbacks
):
    """A recipient with an account who reads the report is notified (inbox and e-mail): the link
    opens the notification, which leads to the report's page."""
    _with_pdf(fcsf_report)
    with django_capture_on_commit_callbacks(execute=True):
        report_notify(fcsf_report.pk)
    message = _message_to(smtp_server, "network@example.org")
    assert attachments(message) == {}
    notification = network_coordinator.notifications.get(kind="report")
    opened = next(link for link in _links(message) if link.endswith(f"/notifications/{notification.pk}/"))
    client.force_login(network_coordinator)

    page = client.get(_path(opened), follow=True)
    assert page.redirect_chain[-1][0] == reverse("reports:report_detail", args=[fcsf_report.public_id])
    download = client.get(reverse("reports:report_download", args=[fcsf_report.public_id]))

    assert page.status_code == 200
    assert "Télécharger le rapport" in page.content.decode()
    assert b"".join(download.streaming_content) == b"%PDF-1.7\n% rapport FCSF\n"


class _SignedLongAgo(signing.TimestampSigner):
    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 31 * 24 * 3600)


def test_an_expired_link_answers_a_clear_french_page(client, fcsf_report, media):
    _with_pdf(fcsf_report)
    token = _SignedLongAgo(salt=REPORT_LINK_SALT).sign_object(
        {"report": str(fcsf_report.public_id), "to": "elu@mairie.example.org"}
    )

    response = client.get(reverse("reports:report_link", args=[fcsf_report.public_id, token]))

    assert response.status_code == 410
    assert "Ce lien de téléchargement a expiré" in response.content.decode()
    assert not ReportLinkUse.objects.exists()


def test_an_altered_link_answers_a_clear_french_page(client, fcsf_report, media):
    _with_pdf(fcsf_report)
    token = report_link_token(report=fcsf_report, recipient="elu@mairie.example.org")
    altered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")

    response = client.get(reverse("reports:report_link", args=[fcsf_report.public_id, altered]))

    assert response.status_code == 403
    assert "n'est pas valable" in response.content.decode()


def test_a_link_for_one_report_never_opens_another(client, fcsf_report, media):
    _with_pdf(fcsf_report)
    other = EvaluationReportFactory(status=EvaluationReport.Status.DONE, on_site=True)
    other.file.save("reports/marseille.pdf", ContentFile(b"%PDF-1.7\n% Marseille\n"), save=True)
    token = report_link_token(report=fcsf_report, recipient="elu@mairie.example.org")

    response = client.get(reverse("reports:report_link", args=[other.public_id, token]))

    assert response.status_code == 403
    assert b"Marseille" not in response.content
    assert not ReportLinkUse.objects.exists()
