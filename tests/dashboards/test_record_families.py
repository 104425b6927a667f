"""A site's pages of records are kept under the families of records they show (meetings, actions,
setup, diagnostic, logbook, partnerships), each bumped by the database triggers: a meeting saved
leaves the action board, the findings and the logbook kept, and yet every page a reader gets after
any write is the page rendered afresh."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnostics.models import Diagnostic, Finding
from evaluation.figures.triggers import FAMILIES, RECORD_FAMILIES
from evaluation.models import LogbookEntry
from pilotage.models import Action, Attachment, Committee, Decision, Meeting
from sites.models import PartnerOrganisation, RecordVersion, Site, SiteDataVersion
from tests.diagnostics.factories import DiagnosticFactory, FindingFactory
from tests.evaluation.factories import LogbookEntryFactory
from tests.fragments import empty_cache, without_tokens
from tests.pilotage.factories import (
    PDF_BYTES,
    ActionFactory,
    AttachmentFactory,
    ClaimFactory,
    CommitteeFactory,
    CommitteeMemberFactory,
    DecisionFactory,
    MeetingFactory,
    MeetingParticipantFactory,
)
from tests.pilotage.test_meetings import meeting_data
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def test_every_family_has_its_counter_and_every_table_named_bumps_a_known_family():
    columns = {field.name for field in SiteDataVersion._meta.get_fields()}
    assert set(RECORD_FAMILIES) <= columns
    assert {family for bumps in FAMILIES.values() for family in bumps} <= set(RECORD_FAMILIES)


# --- Which families each write bumps ---------------------------------------------------------------


def _families(site) -> dict[str, int]:
    return SiteDataVersion.objects.filter(site=site).values(*RECORD_FAMILIES, "version").get()


@pytest.fixture
def records(marseille):
    """A meeting an action and a logbook entry name, and the rows every record page shows."""
    partner = PartnerOrganisationFactory(site=marseille, name="Banque alimentaire")
    committee = CommitteeFactory(site=marseille, name="Comité de pilotage du quartier")
    member = CommitteeMemberFactory(committee=committee, organisation=partner, person_name="Awa Diop")
    meeting = MeetingFactory(
        site=marseille, title="COPIL de printemps", committee=committee, date=datetime.date(2025, 4, 2)
    )
    meeting.organisations.set([partner])
    MeetingParticipantFactory(meeting=meeting, member=member)
    decision = DecisionFactory(meeting=meeting, text="Ouvrir une épicerie solidaire")
    document = AttachmentFactory(site=marseille, meeting=meeting, original_name="convention.pdf")
    diagnostic = DiagnosticFactory(site=marseille, title="Diagnostic de 2020")
    finding = FindingFactory(site=marseille, diagnostic=diagnostic, title="Peu d'offre alimentaire")
    action = ActionFactory(
        site=marseille,
        title="Épicerie solidaire",
        meeting=meeting,
        decision=decision,
        partners=[partner],
    )
    action.findings.set([finding])
    ClaimFactory(site=marseille, action=action, description="Colis non gaspillés", document=document)
    entry = LogbookEntryFactory(site=marseille, meetings=[meeting], actions=[action])
    return {
        "site": marseille,
        "partner": partner,
        "committee": committee,
        "meeting": meeting,
        "decision": decision,
        "document": document,
        "diagnostic": diagnostic,
        "finding": finding,
        "action": action,
        "entry": entry,
    }


def _lone_meeting(r):
    return MeetingFactory(site=r["site"], title="Atelier sans suite")


FAMILY_WRITES = {
    # What the load test writes: a meeting, its decision, its minutes attached; nothing names them.
    "meeting-created": (lambda r: _lone_meeting(r), {"meetings"}),
    "decision-of-a-new-meeting": (lambda r: DecisionFactory(meeting=_lone_meeting(r)), {"meetings"}),
    "attachment-of-a-new-meeting": (
        lambda r: AttachmentFactory(site=r["site"], meeting=_lone_meeting(r)),
        {"meetings"},
    ),
    # A meeting or a decision an action and a logbook entry name: their pages show its title.
    "meeting-named-renamed": (
        lambda r: Meeting.objects.filter(pk=r["meeting"].pk).update(title="COPIL d'avril"),
        {"meetings", "actions", "logbook"},
    ),
    "decision-named-edited": (
        lambda r: Decision.objects.filter(pk=r["decision"].pk).update(text="Ouvrir deux épiceries"),
        {"meetings", "actions"},
    ),
    "claimed-document-renamed": (
        lambda r: Attachment.objects.filter(pk=r["document"].pk).update(original_name="convention-2.pdf"),
        {"meetings", "actions"},
    ),
    "action-attachment": (lambda r: AttachmentFactory(site=r["site"], on_action=True), {"actions"}),
    "action-in-logbook-renamed": (
        lambda r: Action.objects.filter(pk=r["action"].pk).update(title="Épicerie mobile"),
        {"actions", "logbook"},
    ),
    "action-created": (lambda r: ActionFactory(site=r["site"]), {"actions"}),
    "action-partner-linked": (
        lambda r: r["action"].partners.add(PartnerOrganisationFactory(site=r["site"])),
        {"actions", "partnerships", "setup"},  # the partner created, then linked
    ),
    "meeting-organisation-unlinked": (
        lambda r: r["meeting"].organisations.clear(),
        {"meetings", "partnerships"},
    ),
    "committee-renamed": (
        lambda r: Committee.objects.filter(pk=r["committee"].pk).update(name="Comité de quartier"),
        {"setup"},
    ),
    "partner-renamed": (
        lambda r: PartnerOrganisation.objects.filter(pk=r["partner"].pk).update(name="Banque alimentaire 13"),
        {"setup"},
    ),
    "finding-renamed": (
        lambda r: Finding.objects.filter(pk=r["finding"].pk).update(title="Aucune offre"),
        {"diagnostic"},
    ),
    "diagnostic-deleted": (
        lambda r: Diagnostic.objects.filter(pk=r["diagnostic"].pk).delete(),
        {"diagnostic"},
    ),
    "logbook-entry-edited": (
        lambda r: LogbookEntry.objects.filter(pk=r["entry"].pk).update(lessons="Associer le bailleur."),
        {"logbook"},
    ),
    "site-renamed": (
        lambda r: Site.objects.filter(pk=r["site"].pk).update(name="Frais Vallon"),
        set(RECORD_FAMILIES),
    ),
}


@pytest.mark.parametrize("write", FAMILY_WRITES)
def test_each_write_bumps_the_families_that_show_it_and_no_other(records, write):
    change, bumped = FAMILY_WRITES[write]
    before = _families(records["site"])
    change(records)
    after = _families(records["site"])
    # The site's total version (the figures' and the site's pages'): not for a file renamed, which no
    # figure reads (triggers.RECORDS_ONLY).
    assert (after["version"] > before["version"]) is (write != "claimed-document-renamed")
    assert {family for family in RECORD_FAMILIES if after[family] != before[family]} == bumped


def test_minutes_uploaded_leave_the_figures_fresh_and_the_site_pages_kept(client, facilitator, records):
    """What the load test does every few seconds: a file attached to a meeting, then an action's
    state moved. Neither is counted: the site's pre-aggregates stay fresh (no rebuild on the next
    read of its home or dashboard) and those pages stay kept, while the meeting's page shows the file
    and the action's page its new state."""
    from evaluation.figures import aggregates

    site, meeting, action = records["site"], records["meeting"], records["action"]
    aggregates.refresh_all_stale()
    client.force_login(facilitator)
    home, dashboard = (reverse(name, args=[site.slug]) for name in ("sites:site_home", "dashboards:site"))
    kept = {url: without_tokens(client.get(url).content) for url in (home, dashboard)}
    before = _families(site)
    AttachmentFactory(site=site, meeting=meeting, original_name="compte-rendu-avril.pdf")
    action.status_changes.create(from_status=action.status, to_status=Action.Status.DONE)
    after = _families(site)
    assert after["version"] == before["version"]
    assert after["meetings"] > before["meetings"] and after["actions"] > before["actions"]
    assert aggregates.stale_site_ids([site.pk]) == []
    for url, page in kept.items():
        with CaptureQueriesContext(connection) as queries:
            assert without_tokens(client.get(url).content) == page
        assert not any("sitequarterstats" in query["sql"] for query in queries.captured_queries)
    meeting_page = client.get(reverse("pilotage:meeting_detail", args=[site.slug, meeting.pk]))
    assert "compte-rendu-avril.pdf" in meeting_page.content.decode()


def _meeting_version(meeting, kind="meeting") -> int:
    row = RecordVersion.objects.filter(kind=kind, object_id=meeting.pk).first()
    return row.version if row else 0


def _another_meeting_with_its_decision_and_file(meeting):
    other = DecisionFactory(meeting=_lone_meeting({"site": meeting.site})).meeting
    AttachmentFactory(site=meeting.site, meeting=other)


MEETING_WRITES = {
    "meeting-renamed": (lambda m: Meeting.objects.filter(pk=m.pk).update(title="COPIL d'avril"), True),
    "decision-added": (lambda m: DecisionFactory(meeting=m), True),
    "decision-deleted": (lambda m: m.decisions.all().delete(), True),
    "organisations-cleared": (lambda m: m.organisations.clear(), True),
    "participant-updated": (lambda m: m.participants.update(presence="excused"), True),
    # The files have their own version (below): an upload leaves the rest of the page kept.
    "attachment-renamed": (lambda m: m.attachments.update(original_name="cr.pdf"), False),
    "another-meeting-with-its-decision-and-file": (_another_meeting_with_its_decision_and_file, False),
    "an-actions-file": (lambda m: AttachmentFactory(site=m.site, on_action=True), False),
}


@pytest.mark.parametrize("write", MEETING_WRITES)
def test_a_meetings_own_version_follows_what_its_page_shows_and_nothing_else(records, write):
    change, bumps = MEETING_WRITES[write]
    meeting = records["meeting"]
    before = _meeting_version(meeting)
    change(meeting)
    assert (_meeting_version(meeting) > before) is bumps
    assert not RecordVersion.objects.filter(object_id=None).exists()


def test_a_meetings_files_have_their_own_version(records):
    meeting = records["meeting"]
    before, files_before = _meeting_version(meeting), _meeting_version(meeting, "meeting_files")
    AttachmentFactory(site=meeting.site, meeting=meeting)
    assert _meeting_version(meeting, "meeting_files") > files_before
    assert _meeting_version(meeting) == before
    Meeting.objects.filter(pk=meeting.pk).update(title="COPIL de mai")
    assert _meeting_version(meeting) > before


# --- Every record page, after a write in any family, is the page rendered afresh -------------------


def _pages(r) -> dict[str, str]:
    slug, meeting, action, entry = "marseille", r["meeting"].pk, r["action"].pk, r["entry"].pk
    return {
        "meeting_list": reverse("pilotage:meeting_list", args=[slug]),
        "meeting_detail": reverse("pilotage:meeting_detail", args=[slug, meeting]),
        "meeting_form": reverse("pilotage:meeting_create", args=[slug]),
        "action_board": reverse("pilotage:action_board", args=[slug]),
        "action_list": reverse("pilotage:action_list", args=[slug]),
        "action_detail": reverse("pilotage:action_detail", args=[slug, action]),
        "finding_list": reverse("diagnostics:finding_list", args=[slug]),
        "coverage": reverse("diagnostics:coverage", args=[slug]),
        "logbook_list": reverse("evaluation:logbook_list", args=[slug]),
        "logbook_detail": reverse("evaluation:logbook_detail", args=[slug, entry]),
        "partner_list": reverse("partners:partner_list", args=[slug]),
    }


def _upload(client, r):
    url = reverse("pilotage:meeting_attachment_add", args=["marseille", r["meeting"].pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("releve.pdf", PDF_BYTES, content_type="application/pdf")
    assert client.post(url, {"file": file}).status_code == 302


def _meeting_form(client, r):
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(title="Atelier de charge", **{"decisions-0-text": "Réunir le groupe jeunesse"}),
    )
    assert response.status_code == 302


def _admin_partner(client, r):
    from tests.atc.factories import UserFactory
    from tests.badinput.forms import page_form

    admin = client.__class__()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:sites_partnerorganisation_change", args=[r["partner"].pk])
    data, _names = page_form(admin.get(url).content.decode())
    data["name"] = ["Banque alimentaire des Bouches-du-Rhône"]
    assert admin.post(url, data).status_code == 302


PAGE_WRITES = {
    "meeting-form": _meeting_form,
    "meeting-upload": _upload,
    "meeting-named-renamed": lambda client, r: FAMILY_WRITES["meeting-named-renamed"][0](r),
    "decision-named-edited": lambda client, r: FAMILY_WRITES["decision-named-edited"][0](r),
    "claimed-document-renamed": lambda client, r: FAMILY_WRITES["claimed-document-renamed"][0](r),
    "action-status-bulk": lambda client, r: Action.objects.filter(pk=r["action"].pk).update(status="done"),
    "action-partner-linked": lambda client, r: FAMILY_WRITES["action-partner-linked"][0](r),
    "meeting-organisation-unlinked": lambda client, r: FAMILY_WRITES["meeting-organisation-unlinked"][0](r),
    "committee-renamed": lambda client, r: FAMILY_WRITES["committee-renamed"][0](r),
    "partner-admin": _admin_partner,
    "finding-renamed": lambda client, r: FAMILY_WRITES["finding-renamed"][0](r),
    "diagnostic-renamed": lambda client, r: Diagnostic.objects.filter(pk=r["diagnostic"].pk).update(
        title="Diagnostic partagé de 2020"
    ),
    "finding-deleted": lambda client, r: r["finding"].delete(),
    "logbook-entry-edited": lambda client, r: FAMILY_WRITES["logbook-entry-edited"][0](r),
    "meeting-deleted": lambda client, r: r["meeting"].delete(),
    "action-deleted": lambda client, r: r["action"].delete(),
    "site-renamed": lambda client, r: Site.objects.filter(pk=r["site"].pk).update(name="Frais Vallon"),
}


@pytest.mark.parametrize("write", PAGE_WRITES)
def test_every_record_page_after_a_write_is_the_page_rendered_afresh(client, facilitator, records, write):
    client.force_login(facilitator)
    pages = _pages(records)

    def read_all() -> dict[str, str]:
        answers = {name: client.get(url) for name, url in pages.items()}
        return {
            name: without_tokens(answer.content)
            for name, answer in answers.items()
            if answer.status_code == 200
        }

    before = read_all()  # kept now
    PAGE_WRITES[write](client, records)
    client.get(reverse("home"))  # shows (and so forgets) the message of a form's write
    kept = read_all()
    empty_cache()
    fresh = read_all()
    assert kept.keys() == fresh.keys()
    for name in fresh:
        assert kept[name] == fresh[name], name
    # The write shows somewhere, so the comparison above could fail.
    assert any(before.get(name) != fresh[name] for name in fresh)


def test_a_meeting_saved_with_its_decision_and_minutes_leaves_the_other_pages_kept(
    client, facilitator, records
):
    """The load test's write, ~4 times a second on one site: another meeting's page, the action
    board and the action's page, the findings, the logbook, the partners and the blank meeting
    form are served from the cache (no query reads their records) and equal what they showed."""
    client.force_login(facilitator)
    pages = {name: url for name, url in _pages(records).items() if name != "meeting_list"}
    before = {name: without_tokens(client.get(url).content) for name, url in pages.items()}
    _meeting_form(client, records)
    client.get(reverse("home"))  # shows (and so forgets) the form's message
    meeting = Meeting.objects.get(title="Atelier de charge")
    AttachmentFactory(site=records["site"], meeting=meeting)
    read = {
        "meeting_detail": "pilotage_decision",  # another meeting's page
        "meeting_form": "pilotage_committee",
        "action_board": "pilotage_action",
        "action_list": "pilotage_action",
        "action_detail": "pilotage_actionstatuschange",
        "finding_list": "diagnostics_finding",
        "coverage": "diagnostics_finding",
        "logbook_list": "evaluation_logbookentry_meetings",
        "logbook_detail": "evaluation_logbookentry_meetings",
        "partner_list": "sites_partnerorganisation",
    }
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            page = without_tokens(client.get(url).content)
        assert page == before[name], name
        assert not [q["sql"] for q in queries if f'"{read[name]}"' in q["sql"]], name


@pytest.mark.parametrize(
    "tag",
    [
        '{% figurecache "site-records" site.pk "board" %}',  # which families it shows, unsaid
        '{% figurecache "site-records" site.pk "board" reads="" %}',
        '{% figurecache "site-records" site.pk "board" reads="actions,meeting" %}',  # no such family
        '{% figurecache "site-records" reads="actions" %}',  # no site
    ],
)
def test_a_page_of_records_must_name_known_families(tag):
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template("{% load figure_cache %}" + tag + "{% endfigurecache %}")


def test_minutes_uploaded_to_a_meeting_redraw_its_files_alone(client, facilitator, records):
    """The load test's second write: the page after the upload shows the file, drawn afresh, while
    the rest of the meeting's page (decisions, attendance…) is served as kept."""
    DecisionFactory(meeting=records["meeting"], text="Relancer le bailleur")
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_detail", args=["marseille", records["meeting"].pk])
    client.get(url)
    _upload(client, records)
    with CaptureQueriesContext(connection) as queries:
        kept = client.get(url).content
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "releve.pdf" in kept.decode() and "Relancer le bailleur" in kept.decode()
    assert "pilotage_attachment" in sql and "pilotage_decision" not in sql
    kept = client.get(url).content  # without the upload's « Pièce jointe ajoutée. » message
    empty_cache()
    assert without_tokens(client.get(url).content) == without_tokens(kept)
