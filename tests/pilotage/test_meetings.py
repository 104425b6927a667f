import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.figures.aggregates import refresh_stale
from pilotage.models import Decision, Meeting, MeetingParticipant
from tests.fragments import without_tokens
from tests.pilotage.factories import (
    CommitteeFactory,
    CommitteeMemberFactory,
    DecisionFactory,
    MeetingFactory,
    MeetingParticipantFactory,
)
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def meeting_data(**overrides):
    data = {
        "kind": "partners_workshop",
        "date": "2021-03-15",
        "format": "in_person",
        "committee": "",
        "title": "Atelier partenarial de mars",
        "start_time": "14:30",
        "duration_minutes": "90",
        "location": "Centre social",
        "attendees_state": "1",
        "attendees_local_authority": "2",
        "attendees_landlord": "",
        "attendees_association": "5",
        "attendees_business": "0",
        "attendees_residents": "12",
        "attendees_citizens_council": "0",
        "attendees_other": "0",
        "agenda": "Point d'étape",
        "minutes": "",
        "minutes_status": "none",
        "decisions-TOTAL_FORMS": "3",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-text": "Organiser la fête de quartier",
        "decisions-1-text": "Écrire aux bailleurs",
        "decisions-2-text": "",
    }
    data.update(overrides)
    return data


def test_the_form_opens_with_today_and_zero_counts(client, facilitator, marseille):
    client.force_login(facilitator)
    page = client.get(reverse("pilotage:meeting_create", args=["marseille"])).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page
    assert page.count('type="number"') >= 8
    assert "Bailleur social" in page
    assert "Comité de suivi national" not in page


def test_the_empty_decision_lines_are_optional_and_blank_ones_are_skipped(client, facilitator, marseille):
    client.force_login(facilitator)
    page = client.get(reverse("pilotage:meeting_create", args=["marseille"])).content.decode()
    decision_input = page[
        page.index('name="decisions-0-text"') - 300 : page.index('name="decisions-0-text"') + 200
    ]
    assert "required" not in decision_input
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(**{"decisions-1-text": "   "}),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Atelier partenarial de mars")
    assert list(meeting.decisions.values_list("text", flat=True)) == ["Organiser la fête de quartier"]


def test_facilitator_logs_a_meeting_with_decisions(client, facilitator, marseille):
    partner = PartnerOrganisationFactory(site=marseille, name="Régie Nord")
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(organisations=[partner.pk]),
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])
    assert meeting.site == marseille
    assert meeting.created_by == facilitator
    assert meeting.total_attendees == 20
    assert meeting.attendees_landlord == 0
    assert list(meeting.organisations.all()) == [partner]
    assert sorted(meeting.decisions.values_list("text", flat=True)) == [
        "Organiser la fête de quartier",
        "Écrire aux bailleurs",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Atelier partenarial de mars" in page
    assert "Régie Nord" in page
    assert "Transformer en action" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attendees_residents", "-3", "Saisissez un nombre positif ou nul"),
        ("title", "", "Donnez un intitulé à la réunion"),
        ("date", "31/02/2021", "Saisissez une date valide"),
        ("kind", "national_committee", "Sélectionnez un choix valide"),
        ("duration_minutes", "5000", "1 440 minutes"),
        ("minutes_status", "draft", "Saisissez le compte rendu"),
        ("minutes_status", "validated", "la validation se fait depuis la page de la réunion"),
    ],
)
def test_bad_input_saves_nothing_and_says_what_to_do(client, facilitator, marseille, field, value, message):
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]), meeting_data(**{field: value})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "La réunion n&#x27;a pas été enregistrée" in page
    assert Meeting.objects.count() == 0
    assert Decision.objects.count() == 0


def test_a_committee_of_another_site_is_refused(client, facilitator, marseille, grenoble):
    foreign = CommitteeFactory(site=grenoble)
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(committee=foreign.pk),
    )
    assert "Choisissez une instance de ce site dans la liste." in response.content.decode()
    assert Meeting.objects.count() == 0


def test_a_partner_of_another_site_is_refused(client, facilitator, marseille, grenoble):
    foreign = PartnerOrganisationFactory(site=grenoble)
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(organisations=[foreign.pk]),
    )
    assert "Choisissez des organisations partenaires de ce site." in response.content.decode()
    assert Meeting.objects.count() == 0


def test_text_with_html_is_shown_escaped(client, facilitator, marseille):
    client.force_login(facilitator)
    client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(
            title="<script>alert(1)</script>",
            **{"decisions-0-text": "<b>gras</b>"},
        ),
    )
    meeting = Meeting.objects.get()
    for url in (
        reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]),
        reverse("pilotage:meeting_list", args=["marseille"]),
        reverse("sites:site_home", args=["marseille"]),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    detail = client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]))
    assert "&lt;b&gt;gras&lt;/b&gt;" in detail.content.decode()


def test_committee_meeting_without_js_asks_for_the_roster_after_the_first_save(
    client, facilitator, marseille
):
    member = CommitteeMemberFactory(committee=CommitteeFactory(site=marseille))
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(kind="steering", committee=member.committee.pk),
    )
    meeting = Meeting.objects.get()
    assert response["Location"] == reverse("pilotage:meeting_edit", args=["marseille", meeting.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Indiquez maintenant qui était présent·e" in page
    assert f'name="presence_{member.pk}"' in page


def test_the_roster_is_saved_with_the_meeting(client, facilitator, marseille):
    committee = CommitteeFactory(site=marseille)
    present, excused = CommitteeMemberFactory.create_batch(2, committee=committee)
    client.force_login(facilitator)
    client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(
            kind="steering",
            committee=committee.pk,
            **{f"presence_{present.pk}": "present", f"presence_{excused.pk}": "excused"},
        ),
    )
    meeting = Meeting.objects.get()
    assert dict(meeting.participants.values_list("member_id", "presence")) == {
        present.pk: "present",
        excused.pk: "excused",
    }
    page = client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]))
    assert "Excusé·e" in page.content.decode()


def test_a_bad_presence_saves_nothing(client, facilitator, marseille):
    member = CommitteeMemberFactory(committee=CommitteeFactory(site=marseille))
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(kind="steering", committee=member.committee.pk, **{f"presence_{member.pk}": "asleep"}),
    )
    assert "Choisissez présent·e, excusé·e ou absent·e." in response.content.decode()
    assert Meeting.objects.count() == 0
    assert MeetingParticipant.objects.count() == 0


def test_htmx_loads_the_roster_of_the_chosen_committee(client, facilitator, marseille, grenoble):
    member = CommitteeMemberFactory(committee=CommitteeFactory(site=marseille))
    foreign = CommitteeMemberFactory(committee=CommitteeFactory(site=grenoble))
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_roster", args=["marseille"])
    response = client.get(url, {"committee": member.committee.pk}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert f'name="presence_{member.pk}"' in fragment
    assert "<html" not in fragment
    other = client.get(url, {"committee": foreign.committee.pk}, HTTP_HX_REQUEST="true")
    assert "presence_" not in other.content.decode()


def test_edit_updates_decisions_and_roster(client, facilitator, marseille):
    meeting = MeetingFactory(site=marseille, steering=True)
    kept, dropped = DecisionFactory.create_batch(2, meeting=meeting)
    participant = MeetingParticipantFactory(meeting=meeting)
    client.force_login(facilitator)
    data = meeting_data(
        kind="steering",
        committee=meeting.committee.pk,
        title="Copil révisé",
        **{
            "decisions-TOTAL_FORMS": "3",
            "decisions-INITIAL_FORMS": "2",
            "decisions-0-id": str(kept.pk),
            "decisions-0-text": "Décision reformulée",
            "decisions-1-id": str(dropped.pk),
            "decisions-1-text": dropped.text,
            "decisions-1-DELETE": "on",
            "decisions-2-text": "Nouvelle décision",
            f"presence_{participant.member_id}": "absent",
        },
    )
    response = client.post(reverse("pilotage:meeting_edit", args=["marseille", meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Copil révisé"
    assert sorted(meeting.decisions.values_list("text", flat=True)) == [
        "Décision reformulée",
        "Nouvelle décision",
    ]
    participant.refresh_from_db()
    assert participant.presence == "absent"


def test_removing_the_committee_clears_the_roster(client, facilitator, marseille):
    participant = MeetingParticipantFactory(meeting=MeetingFactory(site=marseille, steering=True))
    client.force_login(facilitator)
    client.post(
        reverse("pilotage:meeting_edit", args=["marseille", participant.meeting.pk]),
        meeting_data(**{"decisions-TOTAL_FORMS": "0"}),
    )
    assert MeetingParticipant.objects.count() == 0


def test_the_form_writes_a_draft_but_cannot_validate(client, facilitator, marseille):
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_edit", args=["marseille", meeting.pk])
    base = {"decisions-TOTAL_FORMS": "0", "minutes": "Relevé des échanges"}
    client.post(url, meeting_data(minutes_status="draft", **base))
    meeting.refresh_from_db()
    assert meeting.minutes_status == "draft"
    client.post(url, meeting_data(minutes_status="validated", **base))
    meeting.refresh_from_db()
    assert meeting.minutes_status == "draft"
    assert 'value="validated"' not in client.get(url).content.decode()


def test_another_sites_meeting_is_a_404(client, facilitator, grenoble):
    meeting = MeetingFactory(site=grenoble)
    client.force_login(facilitator)
    for name in ("pilotage:meeting_detail", "pilotage:meeting_edit"):
        assert client.get(reverse(name, args=["grenoble", meeting.pk])).status_code == 404
        assert client.get(reverse(name, args=["marseille", meeting.pk])).status_code == 404


def test_readers_see_no_write_buttons(client, network_coordinator, marseille):
    meeting = MeetingFactory(site=marseille)
    DecisionFactory(meeting=meeting)
    client.force_login(network_coordinator)
    detail = client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]))
    page = detail.content.decode()
    assert meeting.title in page
    assert "Modifier la réunion" not in page
    assert "Transformer en action" not in page
    assert "Joindre le fichier" not in page
    listing = client.get(reverse("pilotage:meeting_list", args=["marseille"])).content.decode()
    assert "Saisir une réunion" not in listing


def test_list_filters_by_kind_period_and_committee(client, facilitator, marseille):
    copil = MeetingFactory(site=marseille, steering=True, date=datetime.date(2021, 2, 1))
    MeetingFactory(site=marseille, title="Atelier de janvier", date=datetime.date(2021, 1, 10))
    MeetingFactory(site=marseille, title="Atelier de juin", date=datetime.date(2021, 6, 10))
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_list", args=["marseille"])
    by_kind = client.get(url, {"kind": "steering"}).content.decode()
    assert copil.title in by_kind and "Atelier de janvier" not in by_kind
    by_period = client.get(url, {"date_from": "2021-01-01", "date_to": "2021-01-31"})
    assert "Atelier de janvier" in by_period.content.decode()
    assert "Atelier de juin" not in by_period.content.decode()
    by_committee = client.get(url, {"committee": copil.committee.pk}).content.decode()
    assert copil.title in by_committee and "Atelier de juin" not in by_committee


def test_list_rejects_a_reversed_period(client, facilitator, marseille):
    client.force_login(facilitator)
    response = client.get(
        reverse("pilotage:meeting_list", args=["marseille"]),
        {"date_from": "2021-06-01", "date_to": "2021-01-01"},
    )
    assert "La date de fin doit suivre la date de début." in response.content.decode()


def test_list_is_paginated(client, facilitator, marseille):
    MeetingFactory.create_batch(25, site=marseille)
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_list", args=["marseille"])
    first = client.get(url, {"kind": "partners_workshop"}).content.decode()
    assert "25 réunions" in first
    assert "Page 1 sur 2" in first
    assert "kind=partners_workshop&amp;page=2" in first
    assert "Page 2 sur 2" in client.get(url, {"page": 2}).content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(client, facilitator, marseille, rows, django_assert_max_num_queries):
    committee = CommitteeFactory(site=marseille)
    MeetingFactory.create_batch(rows, site=marseille, committee=committee)
    refresh_stale([marseille.pk])  # a read after a write first rebuilds the site's figures
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_list", args=["marseille"])
    with django_assert_max_num_queries(13):  # the filters and the table computed and kept
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(5):  # kept: the session, the user, the site, its version
        assert without_tokens(client.get(url).content) == without_tokens(response.content)


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_query_count_does_not_grow(
    client, facilitator, marseille, rows, django_assert_max_num_queries
):
    meeting = MeetingFactory(site=marseille, steering=True)
    for _ in range(rows):
        MeetingParticipantFactory(meeting=meeting)
    DecisionFactory.create_batch(rows, meeting=meeting)
    meeting.organisations.set(PartnerOrganisationFactory.create_batch(rows, site=marseille))
    refresh_stale([marseille.pk])  # a read after a write first rebuilds the site's figures
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])
    with django_assert_max_num_queries(18):  # the page computed and kept
        response = client.get(url)
    assert response.content.decode().count("Transformer en action") == rows
    # Kept: the session, the user, the site, the meeting (the forms' states), the site's version.
    with django_assert_max_num_queries(6):
        assert without_tokens(client.get(url).content) == without_tokens(response.content)


def test_a_new_meetings_page_reads_only_the_lists_it_has(
    client, facilitator, marseille, django_assert_max_num_queries
):
    """One query says which of the page's lists have rows; a new meeting with a decision reads
    that one list (and its author), not the five empty ones."""
    meeting = MeetingFactory(site=marseille, created_by=facilitator)
    DecisionFactory(meeting=meeting, text="Relancer le bailleur")
    refresh_stale([marseille.pk])  # a read after a write first rebuilds the site's figures
    client.force_login(facilitator)
    client.get(reverse("pilotage:meeting_list", args=["marseille"]))  # the reader's scope, kept
    with django_assert_max_num_queries(9):
        # The session, the user, the site, the meeting, the versions (of the site's records, the
        # meeting and its files); which lists have rows, the decisions, the author's name; the
        # files, kept apart (12 with a query per list).
        response = client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]))
    page = response.content.decode()
    assert "Relancer le bailleur" in page
    assert "Aucune pièce jointe." in page
    assert "Organisations présentes" not in page


def test_creating_a_meeting_runs_a_fixed_number_of_queries(
    client, facilitator, marseille, django_assert_max_num_queries
):
    """Validation asks the database once for all of the meeting's check constraints (not once per
    constraint), and a new meeting has no roster to clear."""
    PartnerOrganisationFactory(site=marseille)
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_create", args=["marseille"])
    with django_assert_max_num_queries(17):
        # The session, the user, the reader's scope (roles, their sites), the site; the checks in
        # a savepoint; the save in another: the meeting, its history row, its two decisions (39
        # queries with a query and a savepoint per constraint, and the empty roster cleared).
        response = client.post(url, meeting_data())
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Atelier partenarial de mars")
    assert list(meeting.decisions.values_list("text", flat=True).order_by("pk")) == [
        "Organiser la fête de quartier",
        "Écrire aux bailleurs",
    ]
