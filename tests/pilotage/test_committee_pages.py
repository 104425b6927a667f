"""A site's committees in the platform: the site team creates a steering committee, working groups
and project teams and their seats (a partner picked or typed, a resident's name only with consent),
ends a seat without losing it, reads the composition by category over time — and the dashboard and
the national report count the committee created here."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from atc.periods import parse_period, quarter_of, quarter_param
from evaluation.reports.content import build_content
from evaluation.reports.scopes import parse_scope
from pilotage.models import Committee
from sites.models import PartnerOrganisation
from tests.pilotage.factories import CommitteeFactory, CommitteeMemberFactory
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def text(response):
    return unescape(response.content.decode())


def _create_committee(client, name="Comité de pilotage Frais Vallon", kind="steering"):
    response = client.post(
        reverse("committees:committee_create", args=["marseille"]),
        {"kind": kind, "name": name, "description": "", "is_active": "on"},
    )
    assert response.status_code == 302, text(response)
    return Committee.objects.get(site__slug="marseille", name=name)


def _seat(client, committee, **data):
    values = {
        "organisation": "",
        "new_organisation": "",
        "category": "",
        "person_name": "",
        "title": "",
        "start_date": TODAY.isoformat(),
        "end_date": "",
        **data,
    }
    return client.post(reverse("committees:seat_create", args=["marseille", committee.pk]), values)


def test_a_committee_created_through_the_pages_counts_in_the_dashboard_and_the_report(
    client, host_director, marseille
):
    target = parse_scope("national")
    period = parse_period(quarter_param(quarter_of(TODAY)))
    # A fresh platform: « 0 sites ont une instance de pilotage composée ».
    assert build_content(target=target, period=period)["steering"]["committees"] == 0
    client.force_login(host_director)
    committee = _create_committee(client)
    mairie = PartnerOrganisationFactory(site=marseille, local_authority=True, name="Mairie des 13/14")
    assert _seat(client, committee, organisation=mairie.pk, title="Élue").status_code == 302
    assert (
        _seat(client, committee, new_organisation="Amicale des locataires", category="residents").status_code
        == 302
    )
    page = text(client.get(reverse("committees:committee_detail", args=["marseille", committee.pk])))
    assert "Mairie des 13/14" in page and "Amicale des locataires" in page
    # The typed organisation joined the site's partners, in the seat's category.
    assert (
        PartnerOrganisation.objects.get(site=marseille, name="Amicale des locataires").category == "residents"
    )
    content = build_content(target=target, period=period)["steering"]
    assert content["committees"] == 1
    assert content["with_residents"] == 1 and content["only_institutional"] == 0
    dashboard = text(client.get(reverse("dashboards:site", args=["marseille"])))
    assert "Composition de l'instance de pilotage par catégorie" in dashboard
    assert "Habitant·es / collectif d'habitant·es" in dashboard


def test_a_residents_name_needs_consent(client, facilitator):
    client.force_login(facilitator)
    committee = _create_committee(client)
    response = _seat(
        client,
        committee,
        new_organisation="Conseil citoyen",
        category="citizens_council",
        person_name="Awa Diallo",
    )
    assert response.status_code == 200
    assert "Le nom d'un·e habitant·e ne peut être enregistré qu'avec son accord" in text(response)
    assert "Awa Diallo" in text(response)
    assert not committee.members.exists()
    response = _seat(
        client,
        committee,
        new_organisation="Conseil citoyen",
        category="citizens_council",
        person_name="Awa Diallo",
        name_consent="on",
    )
    assert response.status_code == 302
    assert committee.members.get().person_name == "Awa Diallo"


def test_organisation_must_be_picked_or_typed_not_both_nor_neither(client, facilitator, marseille):
    client.force_login(facilitator)
    committee = _create_committee(client)
    partner = PartnerOrganisationFactory(site=marseille)
    both = text(_seat(client, committee, organisation=partner.pk, new_organisation="Autre chose"))
    assert "pas les deux" in both
    neither = text(_seat(client, committee))
    assert "Choisissez l'organisation dans la liste ou tapez son nom" in neither
    no_category = text(_seat(client, committee, new_organisation="Régie de quartier"))
    assert "Choisissez la catégorie de la nouvelle organisation." in no_category
    assert not committee.members.exists()


def test_another_sites_partner_cannot_be_posted(client, facilitator, grenoble):
    client.force_login(facilitator)
    committee = _create_committee(client)
    foreign = PartnerOrganisationFactory(site=grenoble, name="Partenaire grenoblois")
    response = _seat(client, committee, organisation=foreign.pk)
    assert response.status_code == 200
    assert "Partenaire grenoblois" not in text(response)
    assert not committee.members.exists()


def test_ending_a_seat_keeps_it_and_the_composition_follows_it_over_time(client, host_director, marseille):
    committee = CommitteeFactory(site=marseille, name="Instance test")
    start = quarter_of(TODAY) - datetime.timedelta(days=200)
    seat = CommitteeMemberFactory(committee=committee, start_date=start, person_name="Paul Durand")
    CommitteeMemberFactory(committee=committee, start_date=start)
    client.force_login(host_director)
    response = client.post(
        reverse("committees:seat_end", args=["marseille", committee.pk, seat.pk]),
        {"end_date": (quarter_of(TODAY) - datetime.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.end_date == quarter_of(TODAY) - datetime.timedelta(days=1)
    page = text(client.get(reverse("committees:committee_detail", args=["marseille", committee.pk])))
    assert "Sièges terminés" in page and "Paul Durand" in page
    table = page[page.index("Composition par catégorie au fil du temps") :]
    rows = table[: table.index("</table>")]
    # Two seats at the end of the previous quarter, one today.
    assert '<td class="num">2</td>' in rows
    assert "(aujourd'hui)" in rows
    today_row = rows[rows.index("(aujourd'hui)") :]
    assert '<td class="num">1</td>' in today_row


def test_hostile_seat_input_is_refused_in_french(client, facilitator, marseille):
    client.force_login(facilitator)
    committee = _create_committee(client)
    partner = PartnerOrganisationFactory(site=marseille)
    far = text(_seat(client, committee, organisation=partner.pk, start_date="9999-01-01"))
    assert "Indiquez une date entre le" in far
    backwards = text(
        _seat(client, committee, organisation=partner.pk, start_date="2025-05-01", end_date="2025-04-01")
    )
    assert "La fin du siège ne peut pas précéder son début (le 01/05/2025)" in backwards
    assert not committee.members.exists()


def test_markup_in_names_is_escaped(client, facilitator):
    client.force_login(facilitator)
    committee = _create_committee(client, name="<b>Comité</b>")
    _seat(
        client,
        committee,
        new_organisation="<img src=x onerror=alert(1)>",
        category="association",
        person_name="<i>Zoé</i>",
    )
    raw = client.get(
        reverse("committees:committee_detail", args=["marseille", committee.pk])
    ).content.decode()
    assert "<img src=x" not in raw and "<i>Zoé</i>" not in raw and "<b>Comité</b>" not in raw
    assert "&lt;img src=x onerror=alert(1)&gt;" in raw


def test_duplicate_committee_name_is_refused(client, facilitator):
    client.force_login(facilitator)
    _create_committee(client, name="Groupe jeunesse", kind="working_group")
    response = client.post(
        reverse("committees:committee_create", args=["marseille"]),
        {"kind": "project_team", "name": "groupe  jeunesse", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "Une instance s'appelle déjà « groupe jeunesse » sur ce site" in text(response)


def test_the_national_kind_cannot_be_posted(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("committees:committee_create", args=["marseille"]),
        {"kind": "national", "name": "Comité national bis", "is_active": "on"},
    )
    assert response.status_code == 200
    assert not Committee.objects.filter(name="Comité national bis").exists()


def test_another_sites_seat_is_a_404(client, facilitator, grenoble):
    client.force_login(facilitator)
    mine = CommitteeFactory(name="Mine")
    theirs = CommitteeMemberFactory(committee=CommitteeFactory(site=grenoble, name="Leur instance"))
    url = reverse("committees:seat_edit", args=["marseille", mine.pk, theirs.pk])
    assert client.get(url).status_code == 404


def test_the_site_menu_leads_to_the_committees(client, network_coordinator):
    client.force_login(network_coordinator)
    page = text(client.get(reverse("sites:site_home", args=["marseille"])))
    assert reverse("committees:committee_list", args=["marseille"]) in page
    listing = text(client.get(reverse("committees:committee_list", args=["marseille"])))
    assert "Créer l'instance de pilotage" not in listing


def test_committee_pages_read_a_fixed_number_of_queries(
    client, facilitator, marseille, django_assert_max_num_queries
):
    client.force_login(facilitator)
    committee = CommitteeFactory(site=marseille, name="Instance comptée")
    CommitteeMemberFactory(committee=committee)
    pages = [
        reverse("committees:committee_list", args=["marseille"]),
        reverse("committees:committee_detail", args=["marseille", committee.pk]),
    ]
    counts = []
    for url in pages:
        client.get(url)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        counts.append(len(few.captured_queries))
    CommitteeMemberFactory.create_batch(6, committee=committee)
    CommitteeFactory.create_batch(3, site=marseille)
    for url, count in zip(pages, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
