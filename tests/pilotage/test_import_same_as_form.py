"""A row imported from a spreadsheet and the same data typed in the form give the same records:
the import saves through the form's service (pilotage.services), so history, versions, the
status log, partners and the dashboard figures follow either way."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atc.models import Role
from evaluation.figures import aggregates
from pilotage.models import Action, ActionStatusChange, Meeting
from sites.models import OrganisationCategory, PartnerOrganisation
from tests.atc.factories import RoleFactory
from tests.dashboards.test_freshness import _table_row
from tests.pilotage.factories import CommitteeFactory, CommitteeMemberFactory
from tests.pilotage.test_actions import action_data
from tests.pilotage.test_imports import xlsx_bytes
from tests.pilotage.test_meetings import meeting_data
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db

# Fields that differ between any two records: who, where, when, which row.
OWN_FIELDS = {"id", "site", "committee", "created_at", "updated_at"}


def record(instance) -> dict:
    """The record's own values, the committee by its name."""
    values = {
        f.name: getattr(instance, f.name) for f in instance._meta.concrete_fields if f.name not in OWN_FIELDS
    }
    if hasattr(instance, "committee"):
        values["committee"] = instance.committee.name if instance.committee else None
    return values


@pytest.fixture
def both_sites(facilitator, marseille, grenoble):
    """The facilitator writes for Marseille (through the form) and Grenoble (through the import).
    Every site's figures start fresh, as the worker keeps them: the dashboard then rebuilds the
    two sites these writes made stale."""
    aggregates.refresh_all_stale()
    RoleFactory(user=facilitator, kind=Role.Kind.FACILITATOR, sites=[grenoble])
    for site in (marseille, grenoble):
        committee = CommitteeFactory(site=site, name="COPIL Frais Vallon")
        CommitteeMemberFactory(committee=committee)
        PartnerOrganisationFactory(site=site, name="Centre social Frais Vallon")
    return marseille, grenoble


def import_through_the_pages(client, slug, kind, rows):
    preview = client.post(
        reverse("imports:import_start", args=[slug]),
        {"kind": kind, "file": SimpleUploadedFile("historique.xlsx", xlsx_bytes(rows))},
    )
    assert "token" in preview.context, preview.context["report"].errors
    confirmed = client.post(
        reverse("imports:import_confirm", args=[slug]), {"token": preview.context["token"]}
    )
    assert confirmed.status_code == 302


def test_an_imported_meeting_equals_the_same_meeting_typed_in_the_form(
    client, facilitator, national_team, both_sites
):
    marseille, grenoble = both_sites
    client.force_login(facilitator)
    typed = meeting_data(
        kind="steering",
        date="2021-03-12",
        format="hybrid",
        committee=str(marseille.committees.get().pk),
        title="COPIL de mars",
        start_time="",
        duration_minutes="",
        location="Mairie de secteur",
        agenda="Lancement",
        minutes="Fête de quartier décidée",
        minutes_status="draft",
        attendees_state="2",
        attendees_local_authority="0",
        attendees_residents="7",
        **{"decisions-0-text": "", "decisions-1-text": ""},
    )
    assert client.post(reverse("pilotage:meeting_create", args=[marseille.slug]), typed).status_code == 302
    header = [
        "date",
        "type",
        "intitulé",
        "format",
        "instance",
        "lieu",
        "ordre du jour",
        "compte rendu",
        "état du compte rendu",
        "participant·es État",
        "participant·es Association",
        "participant·es Habitant·es / collectif d'habitant·es",
    ]
    row = [
        "12/03/2021",
        "Instance de pilotage",
        "COPIL de mars",
        "Hybride",
        "copil frais vallon",
        "Mairie de secteur",
        "Lancement",
        "Fête de quartier décidée",
        "Brouillon",
        "2",
        "5",
        "7",
    ]
    import_through_the_pages(client, grenoble.slug, "reunions", [header, row])

    form_made, imported = Meeting.objects.get(site=marseille), Meeting.objects.get(site=grenoble)
    assert record(imported) == record(form_made)
    assert record(imported)["committee"] == "COPIL Frais Vallon"
    assert list(imported.participants.all()) == list(form_made.participants.all()) == []
    assert list(imported.organisations.all()) == list(form_made.organisations.all()) == []
    assert [h.history_type for h in imported.history.all()] == [
        h.history_type for h in form_made.history.all()
    ]
    assert imported.history.get().history_user == facilitator

    client.force_login(national_team)
    national = client.get(reverse("dashboards:national"))
    counted = [(r.meetings_count, r.steering) for r in (_table_row(national, s.slug) for s in both_sites)]
    assert counted == [(1, 1), (1, 1)]


def test_an_imported_action_equals_the_same_action_typed_in_the_form(client, facilitator, both_sites):
    marseille, grenoble = both_sites
    client.force_login(facilitator)
    typed = action_data(
        title="Stock alimentaire partagé",
        status="running",
        progress="40",
        residents_reached="120",
        start_date="2020-09-01",
        end_date="2021-06-30",
        outcomes="Deux distributions par semaine",
        partners=[str(marseille.partners.get(name="Centre social Frais Vallon").pk)],
        new_partner_name="Banque alimentaire",
        new_partner_category=OrganisationCategory.OTHER,
    )
    assert client.post(reverse("pilotage:action_create", args=[marseille.slug]), typed).status_code == 302
    header = [
        "intitulé",
        "description",
        "thématique",
        "état",
        "avancement (%)",
        "habitant·es touché·es",
        "début",
        "fin",
        "partenaires",
        "résultats",
    ]
    row = [
        "Stock alimentaire partagé",
        typed["description"],
        "Solidarité alimentaire",
        "En cours",
        "40",
        "120",
        "01/09/2020",
        "30/06/2021",
        "centre social frais vallon; Banque alimentaire",
        "Deux distributions par semaine",
    ]
    known = PartnerOrganisation.objects.filter(site=grenoble).count()
    import_through_the_pages(client, grenoble.slug, "actions", [header, row])

    form_made, imported = Action.objects.get(site=marseille), Action.objects.get(site=grenoble)
    assert record(imported) == record(form_made)

    def partners(action):
        return sorted((p.name, p.category) for p in action.partners.all())

    assert (
        partners(imported)
        == partners(form_made)
        == [
            ("Banque alimentaire", OrganisationCategory.OTHER),
            ("Centre social Frais Vallon", OrganisationCategory.ASSOCIATION),
        ]
    )
    assert PartnerOrganisation.objects.filter(site=grenoble).count() == known + 1

    def status_log(action):
        return list(
            ActionStatusChange.objects.filter(action=action).values_list(
                "from_status", "to_status", "changed_by"
            )
        )

    assert status_log(imported) == status_log(form_made) == [("", "running", facilitator.pk)]
    assert imported.history.count() == form_made.history.count() == 1
