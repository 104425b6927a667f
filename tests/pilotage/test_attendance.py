"""Attendance entered once: the roster of a committee's seats drives the counts per category and
the organisations present; people without a seat are counted apart; contradictions are refused
with a French message beside the field; the paper sign-in sheet is printed and typed back."""

import csv
import datetime
import html
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from pilotage import services
from pilotage.models import Meeting, MeetingParticipant
from tests.pilotage.factories import CommitteeFactory, CommitteeMemberFactory, MeetingFactory
from tests.pilotage.test_meetings import meeting_data
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2021, 3, 15)
PRESENT, EXCUSED, ABSENT = "present", "excused", "absent"


@pytest.fixture
def copil(marseille):
    """A steering committee of 4 seats held in March 2021: 2 for the state (one préfecture), one
    association, one resident; and a seat that ended before."""
    committee = CommitteeFactory(site=marseille, name="COPIL Frais Vallon")
    prefecture = PartnerOrganisationFactory(
        site=marseille, state=True, name="Préfecture des Bouches-du-Rhône"
    )
    association = PartnerOrganisationFactory(site=marseille, name="Centre social Frais Vallon")
    seat = {"committee": committee, "start_date": datetime.date(2020, 1, 1)}
    members = {
        "delegate": CommitteeMemberFactory(**seat, organisation=prefecture, person_name="Hélène Martin"),
        "sous_prefet": CommitteeMemberFactory(**seat, organisation=prefecture, person_name="Paul Durand"),
        "association": CommitteeMemberFactory(**seat, organisation=association, person_name="Awa Diallo"),
        "resident": CommitteeMemberFactory(
            **seat,
            organisation=None,
            organisation_name="",
            person_name="",
            title="Habitante du quartier",
            category="residents",
        ),
        "former": CommitteeMemberFactory(
            committee=committee,
            organisation=association,
            person_name="Ancien Membre",
            start_date=datetime.date(2019, 1, 1),
            end_date=datetime.date(2020, 12, 31),
        ),
    }
    return committee, members, prefecture, association


def _save(site, user, committee, presences, extra=None, organisations=(), **data):
    return services.meeting_save(
        site=site,
        user=user,
        data={
            "kind": Meeting.Kind.STEERING,
            "date": DAY,
            "committee": committee,
            "title": "COPIL de mars",
            "organisations": list(organisations),
            **data,
        },
        presences=presences,
        extra=extra if extra is not None else {},
    )


def test_present_members_drive_the_counts_and_the_organisations(facilitator, marseille, copil):
    committee, m, prefecture, association = copil
    other = PartnerOrganisationFactory(site=marseille, name="Logirem", category="landlord")
    meeting = _save(
        marseille,
        facilitator,
        committee,
        {
            m["delegate"]: PRESENT,
            m["sous_prefet"]: PRESENT,
            m["association"]: EXCUSED,
            m["resident"]: PRESENT,
        },
        extra={"residents": 3, "landlord": 1},
        organisations=[other],
        # Typed counts are not what a roster meeting keeps: the roster decides.
        attendees_state=40,
    )
    meeting.refresh_from_db()
    assert (meeting.attendees_state, meeting.attendees_association, meeting.attendees_residents) == (2, 0, 4)
    assert meeting.attendees_landlord == 1
    assert meeting.total_attendees == 7
    assert set(meeting.organisations.all()) == {prefecture, other}
    assert meeting.participants.count() == 4


def test_an_organisation_whose_only_member_is_excused_is_refused(facilitator, marseille, copil):
    committee, m, _prefecture, association = copil
    with pytest.raises(ValidationError) as refused:
        _save(marseille, facilitator, committee, {m["association"]: EXCUSED}, organisations=[association])
    message = refused.value.message_dict["organisations"][0]
    assert "« Centre social Frais Vallon » est indiquée présente" in message
    assert "excusé·e ou absent·e" in message
    assert Meeting.objects.count() == 0
    # Someone else from an association, counted without a seat, makes it consistent.
    meeting = _save(
        marseille,
        facilitator,
        committee,
        {m["association"]: EXCUSED},
        extra={"association": 1},
        organisations=[association],
    )
    assert meeting.attendees_association == 1


def test_typed_counts_below_the_present_members_are_refused(facilitator, marseille, copil):
    committee, m, *_ = copil
    with pytest.raises(ValidationError) as refused:
        services.meeting_save(
            site=marseille,
            user=facilitator,
            data={
                "kind": "steering",
                "date": DAY,
                "committee": committee,
                "title": "COPIL",
                "attendees_state": 1,
            },
            presences={m["delegate"]: PRESENT, m["sous_prefet"]: PRESENT},
        )
    assert refused.value.message_dict["attendees_state"] == [
        "2 membre(s) de la catégorie « État » sont marqué·es présent·es dans la liste des membres : "
        "saisissez au moins 2."
    ]
    assert Meeting.objects.count() == 0


def test_a_later_typed_change_is_checked_against_the_saved_roster(facilitator, marseille, copil):
    committee, m, *_ = copil
    meeting = _save(marseille, facilitator, committee, {m["delegate"]: PRESENT})
    with pytest.raises(ValidationError, match="saisissez au moins 1"):
        services.meeting_save(
            site=marseille,
            user=facilitator,
            data={"attendees_state": 0},
            meeting=Meeting.objects.get(pk=meeting.pk),
        )
    assert Meeting.objects.get(pk=meeting.pk).attendees_state == 1


def test_the_form_lists_the_seats_of_the_meetings_day_and_computes_the_counts(
    client, facilitator, marseille, copil
):
    committee, m, prefecture, association = copil
    client.force_login(facilitator)
    fragment = client.get(
        reverse("pilotage:meeting_roster", args=["marseille"]),
        {"committee": committee.pk, "date": "2021-03-15"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Hélène Martin" in fragment and "Ancien Membre" not in fragment
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(
            kind="steering",
            committee=committee.pk,
            attendees_state="0",
            attendees_local_authority="0",
            attendees_association="0",
            attendees_residents="2",
            **{
                f"presence_{m['delegate'].pk}": PRESENT,
                f"presence_{m['sous_prefet'].pk}": ABSENT,
                f"presence_{m['association'].pk}": PRESENT,
                f"presence_{m['resident'].pk}": EXCUSED,
            },
        ),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.attendees_state, meeting.attendees_association, meeting.attendees_residents) == (1, 1, 2)
    assert set(meeting.organisations.all()) == {prefecture, association}
    page = client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])).content.decode()
    assert "Participant·es par catégorie (total : 4)" in page

    # Editing shows what is not the roster's: the 2 residents without a seat, no organisation.
    edit = client.get(reverse("pilotage:meeting_edit", args=["marseille", meeting.pk]))
    form = edit.context["form"]
    assert form.roster_mode
    assert form["attendees_residents"].value() == 2 and form["attendees_state"].value() == 0
    assert form["organisations"].value() == []
    assert "Personnes présentes sans siège dans l'instance" in edit.content.decode()


def test_the_form_refuses_a_contradiction_beside_the_field_and_saves_nothing(
    client, facilitator, marseille, copil
):
    committee, m, _prefecture, association = copil
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(
            kind="steering",
            committee=committee.pk,
            attendees_association="0",
            organisations=[association.pk],
            **{f"presence_{m['association'].pk}": EXCUSED, f"presence_{m['delegate'].pk}": PRESENT},
        ),
    )
    assert response.status_code == 200
    assert "« Centre social Frais Vallon » est indiquée présente" in " ".join(
        response.context["form"].errors["organisations"]
    )
    assert "La réunion n'a pas été enregistrée" in html.unescape(response.content.decode())
    assert Meeting.objects.count() == 0 and MeetingParticipant.objects.count() == 0


def test_editing_keeps_a_member_whose_seat_ended_since(client, facilitator, marseille, copil):
    committee, m, *_ = copil
    meeting = _save(marseille, facilitator, committee, {m["delegate"]: PRESENT})
    m["delegate"].end_date = datetime.date(2021, 3, 1)
    m["delegate"].save()
    client.force_login(facilitator)
    page = client.get(reverse("pilotage:meeting_edit", args=["marseille", meeting.pk])).content.decode()
    assert f'name="presence_{m["delegate"].pk}"' in page
    assert "Ancien Membre" not in page


def test_meetings_without_a_committee_keep_typed_counts(client, facilitator, marseille):
    client.force_login(facilitator)
    client.post(reverse("pilotage:meeting_create", args=["marseille"]), meeting_data())
    meeting = Meeting.objects.get()
    assert (meeting.attendees_state, meeting.attendees_residents, meeting.total_attendees) == (1, 12, 20)


def test_the_paper_tallies_typed_back_update_the_meeting(client, host_director, marseille, copil):
    committee, m, prefecture, association = copil
    meeting = MeetingFactory(
        site=marseille,
        kind="steering",
        committee=committee,
        date=DAY,
        attendees_association=0,
        attendees_residents=0,
    )
    MeetingParticipant.objects.create(meeting=meeting, member=m["association"], presence=EXCUSED)
    client.force_login(host_director)
    url = reverse("pilotage:meeting_tally", args=["marseille", meeting.pk])
    page = client.get(url).content.decode()
    assert "Hélène Martin" in page and "Ancien Membre" not in page
    response = client.post(
        url,
        {
            "version": meeting.version,
            f"signed_{m['delegate'].pk}": "on",
            f"signed_{m['resident'].pk}": "on",
            "extra_residents": "5",
            "extra_state": "",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.attendees_state, meeting.attendees_residents, meeting.attendees_association) == (1, 6, 0)
    assert set(meeting.organisations.all()) == {prefecture}
    presences = dict(meeting.participants.values_list("member_id", "presence"))
    assert presences[m["association"].pk] == EXCUSED  # had sent word
    assert presences[m["sous_prefet"].pk] == ABSENT
    detail = client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])).content.decode()
    assert "Participant·es par catégorie (total : 7)" in detail


def test_the_tallies_refuse_a_contradiction_and_bad_counts(client, facilitator, marseille, copil):
    committee, m, _prefecture, association = copil
    meeting = MeetingFactory(site=marseille, kind="steering", committee=committee, date=DAY)
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_tally", args=["marseille", meeting.pk])
    response = client.post(url, {"version": meeting.version, "organisations": [association.pk]})
    assert response.status_code == 200
    assert "de la catégorie « Association » n'est compté·e" in html.unescape(response.content.decode())
    response = client.post(url, {"version": meeting.version, "extra_residents": "-3"})
    assert "Saisissez un nombre positif ou nul" in response.content.decode()
    response = client.post(url, {"version": meeting.version, "extra_residents": "10000000"})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.attendees_residents == 6  # the factory's, untouched


def test_the_tallies_of_a_meeting_without_committee_go_to_the_form(client, facilitator, marseille):
    meeting = MeetingFactory(site=marseille)
    client.force_login(facilitator)
    response = client.get(reverse("pilotage:meeting_tally", args=["marseille", meeting.pk]))
    assert response["Location"] == reverse("pilotage:meeting_edit", args=["marseille", meeting.pk])


def test_a_meeting_recorded_from_the_roster_reaches_the_dashboard_and_the_exports(
    client, facilitator, marseille, copil
):
    committee, m, *_ = copil
    day = datetime.date.today() - datetime.timedelta(days=5)
    meeting = MeetingFactory(site=marseille, kind="steering", committee=committee, date=day)
    client.force_login(facilitator)
    client.post(
        reverse("pilotage:meeting_tally", args=["marseille", meeting.pk]),
        {
            "version": meeting.version,
            f"signed_{m['delegate'].pk}": "on",
            f"signed_{m['sous_prefet'].pk}": "on",
            f"signed_{m['association'].pk}": "on",
            "extra_residents": "1",
        },
    )
    # 2 of 4 people at the steering committee are associations or residents.
    dashboard = client.get(reverse("dashboards:site", args=["marseille"])).content.decode()
    assert '50\u202f%</strong> <span data-figure="steering_civil_share">' in dashboard

    exported = client.get(reverse("exports:export_download", args=["presences", "csv"]))
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], next(r for r in rows[1:] if r[2] == meeting.title)
    assert row[header.index("État")] == "2"
    assert row[header.index("Association")] == "1"
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("exports:export_download", args=["presences", "xlsx"])).content)
    )
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    xlsx_row = next(r for r in sheet_rows if r[2] == meeting.title)
    assert xlsx_row[list(sheet_rows[0]).index("Habitant·es / collectif d'habitant·es")] == 1


def test_a_total_beyond_the_plausible_is_refused(facilitator, marseille, copil):
    committee, m, *_ = copil
    with pytest.raises(ValidationError) as refused:
        _save(marseille, facilitator, committee, {m["delegate"]: PRESENT}, extra={"state": 100_000})
    assert "nombre plausible" in refused.value.message_dict["attendees_state"][0]
    assert Meeting.objects.count() == 0


def test_the_tally_page_does_not_query_more_with_more_members(
    client, facilitator, marseille, copil, django_assert_max_num_queries
):
    committee, *_ = copil
    meeting = MeetingFactory(site=marseille, kind="steering", committee=committee, date=DAY)
    client.force_login(facilitator)
    url = reverse("pilotage:meeting_tally", args=["marseille", meeting.pk])
    client.get(url)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    CommitteeMemberFactory.create_batch(8, committee=committee)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
