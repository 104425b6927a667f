"""RGPD: a person's data is exported and erased everywhere; retention periods are enforced."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from atc.models import Role, User
from atc.periods import parse_period
from atc.personal_data import ERASED_NAME, personal_data_erase, personal_data_export, personal_data_purge
from evaluation.models import EvaluationReport, ReportSchedule
from evaluation.reports import services as reporting
from evaluation.reports.scopes import parse_scope
from pilotage.models import Committee, CommitteeMember
from sites.comments.services import comment_create, comment_handle, comment_reply
from sites.models import FacilitatorAssignment, ReviewComment, ReviewReply
from tests.atc.factories import TEST_PASSWORD, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db

MARKER = "Zq4242x"


def _database_holds(marker: str) -> list[str]:
    """Every table and row of the whole database whose text contains the marker."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                if marker.lower() in " ".join(str(value) for value in row).lower():
                    found.append(f"{table}: {row!r}"[:200])
    return found


def _files_holding(marker: str) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return [
        str(path)
        for path in root.rglob("*")
        if path.is_file() and (marker.lower().encode() in path.read_bytes().lower() or marker in path.name)
    ]


@pytest.fixture
def person(marseille, client):
    """A facilitator whose personal data is spread over every place that can hold it."""
    user = UserFactory(email=f"{MARKER.lower()}@example.org", first_name=MARKER, last_name=f"{MARKER}-Nom")
    RoleFactory(user=user, kind=Role.Kind.FACILITATOR, sites=[marseille])
    FacilitatorAssignment.objects.create(
        site=marseille,
        user=user,
        person_name=f"{MARKER} {MARKER}-Nom",
        fte=Decimal("0.8"),
        start_date=datetime.date(2020, 1, 6),
    )
    committee = Committee.objects.create(site=marseille, kind="steering", name="Comité partenarial")
    CommitteeMember.objects.create(
        committee=committee,
        person_name=f"{MARKER} {MARKER}-Nom",
        title=f"Référente {MARKER}",
        category="association",
    )
    ReportSchedule.objects.create(
        name="National trimestriel",
        scope="national",
        periodicity="quarter",
        recipients=f"anct@example.org\n{MARKER.lower()}@example.org",
    )
    LogEntry.objects.create(
        user=UserFactory(email="admin-op@example.org", is_staff=True),
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=f"{MARKER} {MARKER}-Nom",
        action_flag=CHANGE,
        change_message=f"Nom changé en {MARKER}",
    )
    ReviewComment.objects.create(site=marseille, author=user, body="Bonne dynamique partenariale.")
    delegate_comment = comment_create(
        site=marseille, author=UserFactory(email="delegue-13@example.org"), body="Où en est le diagnostic ?"
    )
    comment_reply(comment=delegate_comment, user=user, body="Il sera présenté au comité de juin.")
    comment_handle(comment=delegate_comment, user=user)
    client.login(email=user.email, password=TEST_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    return user


def test_the_export_holds_the_persons_account_roles_and_facilitation(person):
    data = personal_data_export(user=person)
    assert data["account"]["email"] == f"{MARKER.lower()}@example.org"
    assert data["roles"][0]["sites"] == ["Marseille – Frais Vallon"]
    assert data["facilitation"][0]["fte"] == "0.80"
    assert data["committee_seats"][0]["title"] == f"Référente {MARKER}"
    assert data["report_schedules"] == ["National trimestriel"]
    replies = data["authored"]["review_replies"]
    assert [r["body"] for r in replies] == ["Il sera présenté au comité de juin."]
    assert replies[0]["comment__site__name"] == "Marseille – Frais Vallon"
    handled = data["authored"]["review_comments_handled"]
    assert len(handled) == 1 and handled[0]["handled_at"] is not None
    json.dumps(data, default=str)


def test_the_export_command_writes_json_and_csv(person, capsys):
    call_command("export_personal_data", "--email", person.email)
    assert json.loads(capsys.readouterr().out)["account"]["first_name"] == MARKER
    call_command("export_personal_data", "--email", person.email, "--format", "csv")
    out = capsys.readouterr().out
    assert out.startswith("rubrique;champ;valeur")
    assert f"account;first_name;{MARKER}" in out


def test_erasure_leaves_the_marker_nowhere_in_the_database_or_the_files(person, client):
    assert _database_holds(MARKER), "the fixture must seed the marker"
    personal_data_erase(user=person)
    assert _database_holds(MARKER) == []
    assert _files_holding(MARKER) == []
    person.refresh_from_db()
    assert not person.is_active
    assert FacilitatorAssignment.objects.get(site__slug="marseille").person_name == ERASED_NAME
    assert ReportSchedule.objects.get().recipient_list() == ["anct@example.org"]
    # the erased person's open session no longer works
    assert client.get(reverse("home")).status_code == 302


def test_erasure_keeps_the_sites_history(person, marseille):
    personal_data_erase(user=person)
    assert ReviewComment.objects.get(site=marseille, author=person).body == "Bonne dynamique partenariale."
    # Replies and the « traité » mark stay on the thread, signed by the anonymised account.
    reply = ReviewReply.objects.get(comment__site=marseille)
    assert reply.body == "Il sera présenté au comité de juin."
    assert reply.author == person and reply.author.get_full_name() == ""
    assert not ReviewComment.objects.get(handled_by=person).is_open
    assert FacilitatorAssignment.objects.get(site=marseille).fte == Decimal("0.80")


def test_a_person_without_account_is_erased_by_name(marseille):
    FacilitatorAssignment.objects.create(
        site=marseille,
        person_name=f"{MARKER} Sans-Compte",
        fte=Decimal("0.5"),
        start_date=datetime.date(2020, 1, 1),
    )
    call_command("erase_personal_data", "--name", f"{MARKER} Sans-Compte", "--yes")
    assert _database_holds(MARKER) == []


def test_the_erase_command_requires_confirmation(person):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_personal_data", "--email", person.email)
    person.refresh_from_db()
    assert person.is_active


def test_a_residents_name_is_refused_without_consent(marseille):
    committee = Committee.objects.create(site=marseille, kind="steering", name="COPIL")
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMember.objects.create(committee=committee, category="residents", person_name="Mme Habitante")
    CommitteeMember.objects.create(committee=committee, category="residents", person_name="")
    CommitteeMember.objects.create(
        committee=committee, category="residents", person_name="Mme Habitante", name_consent=True
    )


def test_purge_is_a_dry_run_unless_applied(marseille):
    long_ago = timezone.now() - datetime.timedelta(days=4 * 365)
    dormant = UserFactory(email="dormant@example.org", first_name=MARKER)
    User.objects.filter(pk=dormant.pk).update(last_login=long_ago, date_joined=long_ago)
    active = UserFactory(email="active@example.org")
    User.objects.filter(pk=active.pk).update(last_login=timezone.now(), date_joined=long_ago)
    old = FacilitatorAssignment.objects.create(
        site=marseille,
        person_name=f"{MARKER} Ancienne",
        fte=Decimal("1.0"),
        start_date=datetime.date(2014, 1, 1),
        end_date=datetime.date(2015, 6, 30),
    )

    dry = personal_data_purge(apply=False)
    assert dry.accounts == [f"compte n° {dormant.pk}"]
    assert dry.facilitator_rows == 1
    assert _database_holds(MARKER)

    personal_data_purge(apply=True)
    assert _database_holds(MARKER) == []
    old.refresh_from_db()
    assert old.person_name == ERASED_NAME
    assert User.objects.get(pk=active.pk).is_active


def test_purge_command_says_it_simulates(capsys):
    call_command("purge_personal_data")
    assert "Simulation" in capsys.readouterr().out


# --- Issued reports that name the person ---------------------------------------------------------


def _pdf_text(report) -> str:
    with report.file.open("rb") as handle:
        return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(handle).pages).split())


def _issued_report(scope, national_team, capture):
    """A real report for 2021, built (by the eager worker) once the request commits."""
    with capture(execute=True):
        report = reporting.report_request(
            user=national_team, target=parse_scope(scope), period=parse_period("2021")
        )
    report.refresh_from_db()
    assert report.status == EvaluationReport.Status.DONE
    return report


def test_erasure_reissues_the_reports_that_named_the_person(
    person, national_team, mailoutbox, django_capture_on_commit_callbacks, client
):
    report = _issued_report("site:marseille", national_team, django_capture_on_commit_callbacks)
    other = _issued_report("site:grenoble", national_team, django_capture_on_commit_callbacks)
    old_file = report.file.name
    assert f"{MARKER} {MARKER}-Nom" in _pdf_text(report)
    assert MARKER not in _pdf_text(other)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        summary = personal_data_erase(user=person)

    assert summary.reports_reissued == 1
    report.refresh_from_db()
    assert report.status == EvaluationReport.Status.DONE
    assert report.reissued_at is not None
    text = _pdf_text(report)
    assert MARKER not in text
    assert ERASED_NAME in text
    assert report.file.name == old_file  # the same link, a new file
    assert EvaluationReport.objects.get(pk=other.pk).reissued_at is None
    assert mailoutbox == []  # a re-issue is not announced as a new report
    client.force_login(national_team)
    page = client.get(reverse("reports:report_detail", args=[report.public_id])).content.decode()
    assert "Rapport réédité le" in page
    assert "effacement de ses données personnelles" in page


def test_the_erase_command_says_how_many_reports_were_reissued(
    person, national_team, django_capture_on_commit_callbacks, capsys
):
    _issued_report("site:marseille", national_team, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_personal_data", "--email", person.email, "--yes")
    assert "1 rapport(s) PDF qui le nommaient" in capsys.readouterr().out
