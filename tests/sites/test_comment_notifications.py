"""Who is told what: a comment tells the site team, a reply the thread's earlier participants (never
the writer, never someone who no longer reads the site), a logbook « appui souhaité » the network's
coordinators, a ready report its requester. Each through the inbox and, by default, an e-mail."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from atc.models import Notification, Role
from evaluation.logbook.services import logbook_entry_save
from evaluation.models import EvaluationReport
from evaluation.reports.services import report_notify
from sites.comments.services import comment_create, comment_reply
from sites.models import Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.evaluation.factories import LogbookEntryFactory
from tests.reports.factories import EvaluationReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def roubaix_team(db):
    roubaix = Site.objects.get(slug="roubaix")
    nadia = UserFactory(email="nadia@example.org", first_name="Nadia", last_name="Benali")
    RoleFactory(user=nadia, kind=Role.Kind.FACILITATOR, sites=[roubaix])
    director = UserFactory(email="direction-roubaix@example.org")
    RoleFactory(user=director, kind=Role.Kind.HOST_DIRECTOR, sites=[roubaix])
    return roubaix, nadia, director


def _told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


def test_a_comment_tells_the_sites_team_and_nobody_else(
    after_commit, roubaix_team, prefet_delegate, facilitator
):
    roubaix, nadia, _director = roubaix_team
    comment = after_commit(
        comment_create, site=roubaix, author=prefet_delegate, body="Le <b>COPIL</b> a-t-il eu lieu ?"
    )
    assert _told("comment") == ["direction-roubaix@example.org", "nadia@example.org"]
    row = Notification.objects.get(recipient=nadia)
    assert row.url == reverse("dashboards:site", args=["roubaix"]) + f"#commentaire-{comment.pk}"
    assert row.site == roubaix
    assert row.body == "Le <b>COPIL</b> a-t-il eu lieu ?"
    assert "Roubaix" in row.title
    assert sorted(m.to[0] for m in mail.outbox) == ["direction-roubaix@example.org", "nadia@example.org"]


def test_a_reply_tells_the_author_and_earlier_repliers_never_the_writer(
    after_commit, roubaix_team, prefet_delegate
):
    roubaix, nadia, director = roubaix_team
    comment = after_commit(comment_create, site=roubaix, author=prefet_delegate, body="Question")
    after_commit(comment_reply, comment=comment, user=nadia, body="Réponse de Nadia")
    assert _told("comment_reply") == ["delegate@example.org"]
    after_commit(comment_reply, comment=comment, user=prefet_delegate, body="Merci")
    assert _told("comment_reply") == ["delegate@example.org", "nadia@example.org"]
    reply_mails = [m for m in mail.outbox if "a répondu" in m.subject]
    assert [m.to for m in reply_mails] == [["delegate@example.org"], ["nadia@example.org"]]
    assert director.notifications.filter(kind="comment_reply").count() == 0


def test_a_former_delegate_is_not_told_about_replies(after_commit, roubaix_team, prefet_delegate):
    roubaix, nadia, _director = roubaix_team
    comment = after_commit(comment_create, site=roubaix, author=prefet_delegate, body="Question")
    prefet_delegate.roles.update(end_date=dt.date.today())
    after_commit(comment_reply, comment=comment, user=nadia, body="Réponse")
    assert _told("comment_reply") == []


def test_a_new_or_changed_support_request_tells_the_networks_coordinators(
    after_commit, facilitator, network_coordinator
):
    other_network = UserFactory(email="cnlrq@example.org")
    RoleFactory(
        user=other_network,
        kind=Role.Kind.NETWORK_COORDINATOR,
        network=Site.objects.get(slug="grenoble").network,
    )
    entry = LogbookEntryFactory.build(
        author=facilitator, support_needed="Un appui juridique pour la convention"
    )
    after_commit(logbook_entry_save, entry=entry, meetings=[], actions=[])
    assert _told("support_needed") == ["network@example.org"]
    row = Notification.objects.get(kind="support_needed")
    assert row.url == reverse("evaluation:logbook_detail", args=["marseille", entry.pk])
    assert row.body == "Un appui juridique pour la convention"
    assert "01/01/2021" in row.title and "Marseille" in row.title

    entry.happened = "Texte complété"
    after_commit(logbook_entry_save, entry=entry, meetings=[], actions=[])
    assert Notification.objects.filter(kind="support_needed").count() == 1
    entry.support_needed = "Un appui juridique et une formation"
    after_commit(logbook_entry_save, entry=entry, meetings=[], actions=[])
    assert Notification.objects.filter(kind="support_needed").count() == 2
    assert len([m for m in mail.outbox if "Appui souhaité" in m.subject]) == 2


def test_an_entry_without_support_request_tells_nobody(after_commit, facilitator, network_coordinator):
    entry = LogbookEntryFactory.build(author=facilitator, support_needed="   ")
    after_commit(logbook_entry_save, entry=entry, meetings=[], actions=[])
    assert not Notification.objects.exists()


def test_a_ready_report_tells_its_requester(after_commit, facilitator, marseille):
    report = EvaluationReportFactory(
        status=EvaluationReport.Status.DONE, requested_by=facilitator, on_site=True
    )
    after_commit(report_notify, report_id=report.pk)
    row = Notification.objects.get(kind="report")
    assert row.recipient == facilitator
    assert row.url == reverse("reports:report_detail", args=[report.public_id])
    assert [m.to for m in mail.outbox] == [["facilitator@example.org"]]
    assert after_commit(report_notify, report_id=report.pk) == 1
    assert Notification.objects.filter(kind="report").count() == 1
    assert len(mail.outbox) == 1
