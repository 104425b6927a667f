"""Partner organisations: categories, the meetings and actions they took part in, add and edit."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from sites.models import FacilitatorAssignment, PartnerOrganisation
from sites.team.facilitation import facilitation_history
from tests.fragments import empty_cache, without_tokens
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.sites.factories import FacilitatorAssignmentFactory, PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def text(response):
    return unescape(response.content.decode())


def test_list_shows_partners_with_category_and_participation(client, network_coordinator):
    centre = PartnerOrganisationFactory(name="Centre social Frais Vallon")
    mairie = PartnerOrganisationFactory(local_authority=True, name="Mairie du 13e")
    MeetingFactory().organisations.add(centre, mairie)
    MeetingFactory().organisations.add(centre)
    ActionFactory(partners=[centre])
    client.force_login(network_coordinator)
    page = text(client.get(reverse("partners:partner_list", args=["marseille"])))
    row = page[page.index("Centre social Frais Vallon") :]
    assert "Association" in row[:200]
    assert '<td class="num">2</td>' in row[:400] and '<td class="num">1</td>' in row[:400]
    assert "Collectivité territoriale" in page
    assert "Ajouter une organisation" not in page
    assert "<svg" in page


def test_list_filters_by_category(client, facilitator):
    PartnerOrganisationFactory(name="Association Relais")
    PartnerOrganisationFactory(state=True, name="Préfecture des Bouches-du-Rhône")
    client.force_login(facilitator)
    page = text(client.get(reverse("partners:partner_list", args=["marseille"]), {"categorie": "state"}))
    assert "Préfecture des Bouches-du-Rhône" in page
    assert "Association Relais" not in page


def test_list_query_count_does_not_grow(client, facilitator, django_assert_max_num_queries):
    client.force_login(facilitator)
    url = reverse("partners:partner_list", args=["marseille"])
    PartnerOrganisationFactory()
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for _i in range(15):
        partner = PartnerOrganisationFactory()
        MeetingFactory().organisations.add(partner)
        ActionFactory(partners=[partner])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_detail_lists_meetings_and_actions_with_links(client, facilitator, django_assert_max_num_queries):
    partner = PartnerOrganisationFactory(name="Régie de quartier")
    meeting = MeetingFactory(title="Atelier cadre de vie")
    meeting.organisations.add(partner)
    action = ActionFactory(title="Jardin partagé", partners=[partner])
    client.force_login(facilitator)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("partners:partner_detail", args=["marseille", partner.pk]))
    page = text(response)
    assert reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]) in page
    assert reverse("pilotage:action_detail", args=["marseille", action.pk]) in page
    assert "Atelier cadre de vie" in page and "Jardin partagé" in page


def test_another_sites_partner_is_not_found(client, facilitator, grenoble):
    partner = PartnerOrganisationFactory(site=grenoble)
    client.force_login(facilitator)
    url = reverse("partners:partner_detail", args=["marseille", partner.pk])
    assert client.get(url).status_code == 404


def test_host_director_adds_a_partner(client, host_director, marseille):
    client.force_login(host_director)
    response = client.post(
        reverse("partners:partner_create", args=["marseille"]),
        {"name": "  Épicerie   solidaire ", "category": "association"},
    )
    partner = PartnerOrganisation.objects.get(site=marseille)
    assert partner.name == "Épicerie solidaire"
    assert response["Location"] == reverse("partners:partner_detail", args=["marseille", partner.pk])


def test_duplicate_partner_name_is_refused(client, facilitator):
    PartnerOrganisationFactory(name="CCAS")
    client.force_login(facilitator)
    response = client.post(
        reverse("partners:partner_create", args=["marseille"]), {"name": "ccas", "category": "state"}
    )
    assert "« ccas » existe déjà pour ce site : modifiez l'organisation existante." in text(response)
    assert PartnerOrganisation.objects.count() == 1


def test_same_name_on_another_site_is_accepted(client, facilitator, grenoble):
    PartnerOrganisationFactory(site=grenoble, name="CCAS")
    client.force_login(facilitator)
    client.post(reverse("partners:partner_create", args=["marseille"]), {"name": "CCAS", "category": "state"})
    assert PartnerOrganisation.objects.filter(name="CCAS").count() == 2


def test_partner_without_name_or_category_is_refused(client, facilitator):
    client.force_login(facilitator)
    response = client.post(reverse("partners:partner_create", args=["marseille"]), {"name": ""})
    page = text(response)
    assert "Indiquez le nom de l'organisation." in page
    assert "Choisissez la catégorie de l'organisation." in page
    assert not PartnerOrganisation.objects.exists()


def test_facilitator_edits_a_partner(client, facilitator):
    partner = PartnerOrganisationFactory(name="Mairie")
    client.force_login(facilitator)
    url = reverse("partners:partner_update", args=["marseille", partner.pk])
    client.post(url, {"name": "Mairie de secteur", "category": "local_authority"})
    partner.refresh_from_db()
    assert (partner.name, partner.category) == ("Mairie de secteur", "local_authority")


def test_partner_name_is_escaped(client, facilitator):
    PartnerOrganisationFactory(name="<b>Asso</b>")
    client.force_login(facilitator)
    raw = client.get(reverse("partners:partner_list", args=["marseille"])).content.decode()
    assert "<b>Asso</b>" not in raw and "&lt;b&gt;Asso&lt;/b&gt;" in raw


def _assignment(start, end=None, **kwargs):
    return FacilitatorAssignment(
        person_name=kwargs.pop("name", "X"),
        start_date=start,
        end_date=end,
        fte=kwargs.pop("fte", Decimal("0.8")),
        position=kwargs.pop("position", FacilitatorAssignment.Position.LEAD),
    )


def test_history_finds_vacancies_between_facilitators_and_counts_departures():
    today = datetime.date(2022, 1, 1)
    history = facilitation_history(
        [
            _assignment(datetime.date(2021, 3, 1), name="Second"),
            _assignment(datetime.date(2020, 1, 6), datetime.date(2020, 12, 31), name="First"),
            _assignment(
                datetime.date(2021, 1, 1),
                datetime.date(2021, 2, 1),
                position=FacilitatorAssignment.Position.SUPPORT,
                fte=Decimal("0.2"),
            ),
        ],
        today,
    )
    assert [t.assignment.person_name for t in history.tenures] == ["First", "X", "Second"]
    assert [(v.start, v.end, v.days) for v in history.vacancies] == [
        (datetime.date(2021, 1, 1), datetime.date(2021, 2, 28), 59)
    ]
    assert history.departures == 1
    assert history.current_fte == Decimal("0.8")
    assert history.current_people == 1
    assert history.tenures[0].months == 11


def test_history_reports_a_current_vacancy_and_overlaps_are_not_gaps():
    today = datetime.date(2022, 1, 1)
    history = facilitation_history(
        [
            _assignment(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)),
            _assignment(datetime.date(2020, 6, 1), datetime.date(2021, 6, 30)),
        ],
        today,
    )
    assert [(v.start, v.end) for v in history.vacancies] == [(datetime.date(2021, 7, 1), None)]
    assert history.departures == 2
    assert history.current_people == 0


def test_an_open_ended_contract_followed_by_another_lead_is_not_a_vacancy():
    today = datetime.date(2022, 1, 1)
    history = facilitation_history(
        [
            _assignment(datetime.date(2020, 1, 1), None, name="Toujours là"),
            _assignment(datetime.date(2021, 3, 1), None, name="Renfort"),
        ],
        today,
    )
    assert history.vacancies == []
    assert history.current_people == 2


def test_people_page_shows_tenure_fte_contract_and_vacancy(
    client, prefet_delegate, tourcoing, django_assert_max_num_queries
):
    FacilitatorAssignmentFactory(site=tourcoing, ended=True, person_name="Camille Martin")
    FacilitatorAssignmentFactory(
        site=tourcoing, person_name="Samir Benali", start_date=datetime.date(2021, 9, 1)
    )
    client.force_login(prefet_delegate)
    with django_assert_max_num_queries(14):
        page = text(client.get(reverse("team:facilitator_history", args=["tourcoing"])))
    assert page.index("Camille Martin") < page.index("Samir Benali")
    assert "CDD" in page and "0,8" in page
    assert "Du 01/07/2021 au 31/08/2021 : 62 jours" in page
    assert "en poste" in page


# The partner list is kept under the site's data version: each write shows on the next read.


def _partner_row(client, name, **query):
    page = text(client.get(reverse("partners:partner_list", args=["marseille"]), query))
    tbody = page[page.index("<tbody>") :] if "<tbody>" in page else ""
    if name not in tbody:
        return None
    row = tbody[tbody.index(name) :]
    return row[: row.index("</tr>")]


def test_a_kept_partner_list_equals_the_list_rendered_afresh(client, facilitator):
    centre = PartnerOrganisationFactory(name="Centre social <b>Frais</b> Vallon")
    MeetingFactory().organisations.add(centre)
    PartnerOrganisationFactory(state=True, name="Préfecture")
    client.force_login(facilitator)
    url = reverse("partners:partner_list", args=["marseille"])
    for query in ({}, {"categorie": "state"}, {"categorie": "nonsense"}):
        client.get(url, query)
        empty_cache()
        plain = without_tokens(client.get(url, query).content)  # the logout form's token differs
        assert without_tokens(client.get(url, query).content) == plain, query
    assert "&lt;b&gt;Frais&lt;/b&gt;" in client.get(url).content.decode()


def test_every_write_to_a_partner_shows_on_the_next_read_of_the_list(client, facilitator, national_team):
    centre = PartnerOrganisationFactory(name="Centre social Frais Vallon")
    client.force_login(facilitator)
    assert '<td class="num">0</td>' in _partner_row(client, "Frais Vallon")

    meeting = MeetingFactory()
    meeting.organisations.add(centre)  # a meeting's link, as the form and the import write it
    assert _partner_row(client, "Frais Vallon").count('<td class="num">1</td>') == 1
    ActionFactory(partners=[centre])
    assert _partner_row(client, "Frais Vallon").count('<td class="num">1</td>') == 2

    PartnerOrganisation.objects.filter(pk=centre.pk).update(name="Centre social Malpassé")  # bulk
    assert _partner_row(client, "Frais Vallon") is None
    assert _partner_row(client, "Malpassé") is not None
    PartnerOrganisation.objects.filter(pk=centre.pk).update(category="state")
    assert _partner_row(client, "Malpassé", categorie="state") is not None
    assert _partner_row(client, "Malpassé", categorie="association") is None

    meeting.delete()  # its links go with it
    assert _partner_row(client, "Malpassé").count('<td class="num">0</td>') == 1

    national_team.is_staff = national_team.is_superuser = True
    national_team.save()
    client.force_login(national_team)
    change = reverse("admin:sites_partnerorganisation_delete", args=[centre.pk])
    assert client.post(change, {"post": "yes"}).status_code == 302
    client.force_login(facilitator)
    assert _partner_row(client, "Malpassé") is None


def test_a_reader_of_the_kept_list_never_gets_the_site_teams_button(client, facilitator, network_coordinator):
    PartnerOrganisationFactory(name="Centre social Frais Vallon")
    client.force_login(facilitator)
    url = reverse("partners:partner_list", args=["marseille"])
    assert "Ajouter une organisation" in text(client.get(url))
    client.force_login(network_coordinator)
    page = text(client.get(reverse("partners:partner_list", args=["marseille"])))
    assert "Frais Vallon" in page and "Ajouter une organisation" not in page
