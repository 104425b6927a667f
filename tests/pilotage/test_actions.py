import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from diagnostics.models import Theme
from evaluation.figures import aggregates
from pilotage import services
from pilotage.models import Action, ActionStatusChange
from sites.models import PartnerOrganisation
from tests.diagnostics.factories import FindingFactory
from tests.pilotage.factories import ActionFactory, DecisionFactory, MeetingFactory
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def action_data(**overrides):
    data = {
        "title": "Stock alimentaire partagé",
        "theme": str(Theme.objects.get(code="food-solidarity").pk),
        "status": "preparation",
        "progress": "10",
        "residents_reached": "0",
        "start_date": "2021-03-01",
        "end_date": "2021-09-30",
        "meeting": "",
        "description": "Six associations d'aide alimentaire mettent leur stock en commun.",
        "outcomes": "",
        "new_partner_name": "",
        "new_partner_category": "",
    }
    data.update(overrides)
    return data


def test_facilitator_creates_an_action_with_links(client, facilitator, marseille):
    partner = PartnerOrganisationFactory(site=marseille)
    meeting = MeetingFactory(site=marseille)
    finding = FindingFactory(site=marseille)
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:action_create", args=["marseille"]),
        action_data(partners=[partner.pk], meeting=meeting.pk, findings=[finding.pk]),
    )
    action = Action.objects.get()
    assert response["Location"] == reverse("pilotage:action_detail", args=["marseille", action.pk])
    assert action.site == marseille and action.created_by == facilitator
    assert list(action.partners.all()) == [partner]
    assert list(action.findings.all()) == [finding]
    change = ActionStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "",
        "preparation",
        facilitator,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Stock alimentaire partagé" in page
    assert meeting.title in page and finding.title in page
    assert "En préparation" in page


def test_a_partner_is_quick_created_in_the_same_form(client, facilitator, marseille):
    client.force_login(facilitator)
    client.post(
        reverse("pilotage:action_create", args=["marseille"]),
        action_data(new_partner_name="  Épicerie   solidaire ", new_partner_category="association"),
    )
    partner = PartnerOrganisation.objects.get(site=marseille)
    assert partner.name == "Épicerie solidaire"
    assert list(Action.objects.get().partners.all()) == [partner]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2021-01-01"}, "La date de fin doit être égale ou postérieure"),
        ({"progress": "120"}, "100 au plus"),
        ({"residents_reached": "-4"}, "Saisissez un nombre positif ou nul"),
        ({"title": ""}, "Donnez un intitulé à l&#x27;action"),
        ({"new_partner_name": "Nouvelle asso"}, "Choisissez la catégorie"),
        ({"status": "finished"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_input_saves_nothing(client, facilitator, marseille, overrides, message):
    client.force_login(facilitator)
    response = client.post(reverse("pilotage:action_create", args=["marseille"]), action_data(**overrides))
    assert message in response.content.decode()
    assert Action.objects.count() == 0
    assert PartnerOrganisation.objects.count() == 0
    assert ActionStatusChange.objects.count() == 0


def test_a_duplicate_quick_partner_is_refused(client, facilitator, marseille):
    PartnerOrganisationFactory(site=marseille, name="Régie Nord")
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:action_create", args=["marseille"]),
        action_data(new_partner_name="régie nord", new_partner_category="association"),
    )
    assert "existe déjà : cochez-la dans la liste" in response.content.decode()
    assert Action.objects.count() == 0


@pytest.mark.parametrize("field", ["partners", "meeting", "findings"])
def test_objects_of_another_site_are_refused(client, facilitator, marseille, grenoble, field):
    foreign = {
        "partners": lambda: [PartnerOrganisationFactory(site=grenoble).pk],
        "meeting": lambda: MeetingFactory(site=grenoble).pk,
        "findings": lambda: [FindingFactory(site=grenoble).pk],
    }[field]()
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:action_create", args=["marseille"]), action_data(**{field: foreign})
    )
    assert "de ce site" in response.content.decode()
    assert Action.objects.count() == 0


def test_editing_the_status_records_the_change(client, facilitator, marseille):
    action = ActionFactory(site=marseille, status="running")
    client.force_login(facilitator)
    client.post(
        reverse("pilotage:action_edit", args=["marseille", action.pk]),
        action_data(status="done", progress="100"),
    )
    change = ActionStatusChange.objects.get(action=action)
    assert (change.from_status, change.to_status) == ("running", "done")
    client.post(
        reverse("pilotage:action_edit", args=["marseille", action.pk]),
        action_data(status="done", progress="100", outcomes="Stock ouvert"),
    )
    assert ActionStatusChange.objects.filter(action=action).count() == 1
    page = client.get(reverse("pilotage:action_detail", args=["marseille", action.pk]))
    assert "En cours → Réalisée" in page.content.decode()


def test_a_decision_opens_a_filled_action_form_that_creates_nothing_until_saved(
    client, facilitator, marseille
):
    decision = DecisionFactory(
        meeting=MeetingFactory(site=marseille, title="COPIL de mars"), text="Créer un jardin"
    )
    client.force_login(facilitator)
    detail = reverse("pilotage:meeting_detail", args=["marseille", decision.meeting_id])
    link = reverse("pilotage:decision_to_action", args=["marseille", decision.pk])
    assert f'href="{link}"' in client.get(detail).content.decode()

    form_url = client.get(link)["Location"]
    assert form_url == f"{reverse('pilotage:action_create', args=['marseille'])}?decision={decision.pk}"
    page = client.get(form_url).content.decode()
    assert 'value="Créer un jardin"' in page
    assert "Rien n'est créé tant que vous n'avez pas enregistré." in page
    assert Action.objects.count() == 0  # opening the form, then leaving, leaves no stub

    response = client.post(
        form_url, action_data(title="Créer un jardin partagé", meeting=decision.meeting_id)
    )
    action = Action.objects.get()
    assert response["Location"] == reverse("pilotage:action_detail", args=["marseille", action.pk])
    assert (action.title, action.decision, action.meeting) == (
        "Créer un jardin partagé",
        decision,
        decision.meeting,
    )
    # Once turned, the decision leads to its action; posting the form again creates no second one.
    assert client.get(link)["Location"] == response["Location"]
    again = client.post(form_url, action_data(title="Un doublon"))
    assert "Cette décision a déjà été transformée en action" in again.content.decode()
    assert Action.objects.count() == 1
    page = client.get(detail).content.decode()
    assert "Voir l'action « Créer un jardin partagé »" in page
    assert "Transformer en action" not in page


def test_decision_of_another_site_is_a_404(client, facilitator, grenoble):
    decision = DecisionFactory(meeting=MeetingFactory(site=grenoble))
    client.force_login(facilitator)
    assert (
        client.get(reverse("pilotage:decision_to_action", args=["marseille", decision.pk])).status_code == 404
    )
    create = reverse("pilotage:action_create", args=["marseille"])
    assert client.get(f"{create}?decision={decision.pk}").status_code == 404
    assert client.post(f"{create}?decision={decision.pk}", action_data()).status_code == 404
    assert client.get(f"{create}?decision=abc").status_code == 400
    assert Action.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "done", "progress": "40"}, "progress", "Une action réalisée est à 100 %"),
        (
            {"status": "done", "progress": "100", "end_date": "2099-01-01"},
            "end_date",
            "Une action réalisée ne peut pas finir après",
        ),
    ],
)
def test_an_inconsistent_state_is_refused_with_a_message_and_saves_nothing(
    client, facilitator, marseille, changes, field, message
):
    client.force_login(facilitator)
    response = client.post(reverse("pilotage:action_create", args=["marseille"]), action_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Action.objects.exists()


def test_a_done_action_without_an_end_date_ended_today_and_abandoned_keeps_its_progress(
    client, facilitator, marseille
):
    client.force_login(facilitator)
    client.post(
        reverse("pilotage:action_create", args=["marseille"]),
        action_data(status="done", progress="100", end_date=""),
    )
    action = Action.objects.get()
    assert action.end_date == timezone.localdate()
    running = ActionFactory(site=marseille, status="running", progress=40, end_date=datetime.date(2099, 1, 1))
    services.action_change_status(action=running, status="abandoned", user=facilitator)
    running.refresh_from_db()
    assert running.progress == 40
    services.action_change_status(action=running, status="done", user=facilitator)
    running.refresh_from_db()
    assert (running.progress, running.end_date) == (100, timezone.localdate())


def test_board_shows_five_columns_and_moves_a_card(client, facilitator, marseille):
    action = ActionFactory(site=marseille, idea=True, title="Fête de quartier")
    client.force_login(facilitator)
    board = client.get(reverse("pilotage:action_board", args=["marseille"])).content.decode()
    for label in ("Idée", "En préparation", "En cours", "Réalisée", "Abandonnée"):
        assert f">{label} <span" in board
    response = client.post(
        reverse("pilotage:action_status", args=["marseille", action.pk]), {"status": "running"}
    )
    assert response["Location"] == reverse("pilotage:action_board", args=["marseille"])
    action.refresh_from_db()
    assert action.status == "running"
    assert ActionStatusChange.objects.get(action=action).changed_by == facilitator


def test_htmx_status_change_moves_the_card_to_its_new_column(client, facilitator, marseille):
    action = ActionFactory(site=marseille, idea=True, title="Fête de quartier")
    ActionFactory(site=marseille, idea=True, title="Jardin partagé")
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:action_status", args=["marseille", action.pk]),
        {"status": "done"},
        HTTP_HX_REQUEST="true",
    )
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#action-board", "outerHTML")
    board = response.content.decode()
    assert board.startswith('<div class="board" id="action-board">')
    columns = dict(re.findall(r'<h2 id="column-(\w+)">.*?</h2>(.*?)</section>', board, re.S))
    assert "Fête de quartier" in columns["done"] and "Fête de quartier" not in columns["idea"]
    assert "Jardin partagé" in columns["idea"]
    assert 'id="column-done">Réalisée <span class="badge">1</span>' in board
    assert 'id="column-idea">Idée <span class="badge">1</span>' in board
    # The moved card says what happened and takes the focus; the others say nothing.
    assert board.count('role="status"') == 1
    assert re.search(
        r'role="status" tabindex="-1" autofocus>État de « Fête de quartier » : Réalisée\.', board
    )
    action.refresh_from_db()
    assert (action.status, action.progress) == ("done", 100)


def test_htmx_bad_status_is_refused_in_the_card(client, facilitator, marseille):
    action = ActionFactory(site=marseille, idea=True)
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:action_status", args=["marseille", action.pk]),
        {"status": "sleeping"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "Choisissez un état dans la liste." in response.content.decode()
    action.refresh_from_db()
    assert action.status == "idea"
    assert ActionStatusChange.objects.count() == 0


def test_list_by_theme_groups_actions(client, network_coordinator, marseille):
    ActionFactory(site=marseille, title="Potager", theme=Theme.objects.get(code="food-solidarity"))
    ActionFactory(site=marseille, title="Sans thème")
    client.force_login(network_coordinator)
    page = client.get(reverse("pilotage:action_list", args=["marseille"])).content.decode()
    assert "Potager" in page and "Sans thématique" in page
    assert "Nouvelle action" not in page


def test_readers_get_no_status_forms(client, network_coordinator, marseille):
    ActionFactory(site=marseille)
    client.force_login(network_coordinator)
    board = client.get(reverse("pilotage:action_board", args=["marseille"])).content.decode()
    assert "Changer l&#x27;état" not in board


@pytest.mark.parametrize("rows", [3, 30])
def test_board_and_list_query_counts_do_not_grow(
    client, facilitator, marseille, rows, django_assert_max_num_queries
):
    theme = Theme.objects.get(code="food-solidarity")
    ActionFactory.create_batch(rows, site=marseille, theme=theme)
    aggregates.refresh_all_stale()  # as the worker does after the writes
    client.force_login(facilitator)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("pilotage:action_list", args=["marseille"])).status_code == 200
    board = reverse("pilotage:action_board", args=["marseille"])
    with django_assert_max_num_queries(10):
        assert client.get(board).status_code == 200
    with django_assert_max_num_queries(4):  # kept under the site's version
        assert client.get(board).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_detail_query_count_does_not_grow(
    client, facilitator, marseille, rows, django_assert_max_num_queries
):
    action = ActionFactory(
        site=marseille,
        meeting=MeetingFactory(site=marseille),
        partners=PartnerOrganisationFactory.create_batch(rows, site=marseille),
    )
    action.findings.set(FindingFactory.create_batch(rows, site=marseille))
    for index in range(rows):
        ActionStatusChange.objects.create(
            action=action,
            from_status="idea",
            to_status="running",
            changed_by=facilitator,
            changed_at=datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=index),
        )
    aggregates.refresh_all_stale()  # as the worker does after the writes
    client.force_login(facilitator)
    url = reverse("pilotage:action_detail", args=["marseille", action.pk])
    with django_assert_max_num_queries(18):
        response = client.get(url)
    assert response.content.decode().count("Idée → En cours") == rows
    with django_assert_max_num_queries(6):  # kept under the site's version
        response = client.get(url)
    assert response.content.decode().count("Idée → En cours") == rows
