"""The action board and the action's page are kept under their site's data version: a read after
any write shows the write (whatever the path: the form, an htmx move, the admin, a bulk update, a
delete, a claim, a renamed theme, partner or person), a kept page is the page rendered afresh, a
reader never gets another reader's buttons, and no CSRF token is ever kept."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client
from django.urls import reverse

from atc.models import Role
from diagnostics.models import Theme
from evaluation.figures import aggregates
from pilotage.models import Action, ActionStatusChange, AvoidedCostClaim
from sites.models import PartnerOrganisation
from tests.atc.factories import RoleFactory, UserFactory
from tests.badinput.forms import page_form
from tests.conftest import _clear_cache
from tests.pilotage.factories import PDF_BYTES, ActionFactory, ClaimFactory, MeetingFactory
from tests.pilotage.test_actions import action_data
from tests.pilotage.test_ledger import _post as claim_data
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client, url) -> str:
    """The page's HTML, its CSRF tokens (masked afresh on every response) blanked out."""
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())


def _column(page: str, status: str) -> str:
    start = page.index(f'id="column-{status}"')
    return page[start : page.index("</section>", start)]


def _board():
    return reverse("pilotage:action_board", args=["marseille"])


def _detail(action):
    return reverse("pilotage:action_detail", args=["marseille", action.pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def action(marseille, facilitator):
    """An action with everything its page shows: theme, meeting, partners, a status change, claims."""
    theme = Theme.objects.get(code="food-solidarity")
    action = ActionFactory(
        site=marseille,
        title="Épicerie solidaire",
        theme=theme,
        status=Action.Status.PREPARATION,
        meeting=MeetingFactory(site=marseille, title="COPIL de printemps"),
        partners=[PartnerOrganisationFactory(site=marseille, name="Banque alimentaire")],
    )
    ActionStatusChange.objects.create(
        action=action, from_status="idea", to_status="preparation", changed_by=facilitator
    )
    ClaimFactory(site=marseille, action=action, description="Colis non gaspillés", documented=True)
    ActionFactory(site=marseille, title="Jardin partagé", status=Action.Status.IDEA, theme=theme)
    # The worker keeps the pre-aggregates fresh; a page kept under the site's version would
    # otherwise rebuild them on its first read after a write (queries not counted here).
    aggregates.refresh_all_stale()
    return action


# --- A kept page is the page rendered afresh ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "cold_queries", "warm_queries"),
    [
        (lambda action: _board(), 13, 4),
        (lambda action: _board() + "?page_idea=2&page_done=abc", 13, 4),
        (_detail, 18, 6),
    ],
    ids=["board", "board-pages", "detail"],
)
def test_a_kept_page_is_the_page_rendered_afresh_with_fewer_queries(
    client, facilitator, action, url, cold_queries, warm_queries, django_assert_max_num_queries
):
    client.force_login(facilitator)
    url = url(action)
    # Cold: 3 of the queries save the session after the sign-in; the action's page reads its
    # theme and meeting one query each (a hit needs neither).
    with django_assert_max_num_queries(cold_queries) as cold:
        fresh = _page(client, url)
    with django_assert_max_num_queries(warm_queries) as warm:
        kept = _page(client, url)
    assert kept == fresh
    assert len(warm.captured_queries) < len(cold.captured_queries)
    _clear_cache()
    assert _page(client, url) == fresh


@pytest.mark.parametrize("first", ["facilitator", "network_coordinator", "national_team", "host_director"])
@pytest.mark.parametrize("second", ["facilitator", "network_coordinator", "national_team", "host_director"])
@pytest.mark.parametrize("page", ["board", "detail"])
def test_a_reader_sees_the_page_of_their_own_rights_whoever_read_it_first(
    request, action, first, second, page
):
    url = _board() if page == "board" else _detail(action)
    reader = _client(request.getfixturevalue(second))
    alone = _page(reader, url)
    _clear_cache()
    _page(_client(request.getfixturevalue(first)), url)
    assert _page(reader, url) == alone


def test_readers_get_no_status_fields_and_no_token_after_a_writer_read_the_board(
    facilitator, network_coordinator, action
):
    assert "Changer l'état" in _page(_client(facilitator), _board())
    page = _page(_client(network_coordinator), _board())
    assert "Épicerie solidaire" in page
    assert "Changer l'état" not in page and 'id="action-moves"' not in page


def test_the_verify_button_is_for_the_national_team_and_the_edit_buttons_for_the_site_team(
    facilitator, national_team, action
):
    team = _page(_client(facilitator), _detail(action))
    assert "Modifier l'action" in team and "Marquer comme vérifié" not in team
    national = _page(_client(national_team), _detail(action))
    assert "Marquer comme vérifié" in national and "Modifier l'action" not in national


# --- CSRF: each reader's own token, never a kept one ---------------------------------------------


def _checked_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_move_from_a_kept_board_carries_the_readers_own_token(facilitator, host_director, action):
    _page(_client(facilitator), _board())  # kept by someone else first
    director = _checked_client(host_director)
    page = director.get(_board()).content.decode()
    token = TOKEN.search(page).group(1)
    data, _names = page_form(page)
    data[f"{action.pk}-status"] = ["running"]
    data["csrfmiddlewaretoken"] = [token]
    response = director.post(reverse("pilotage:action_status", args=["marseille", action.pk]), data)
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.RUNNING
    # The other cards' fields, sent with the board's one form, changed nothing.
    assert Action.objects.get(title="Jardin partagé").status == Action.Status.IDEA


def test_a_claim_is_verified_from_a_kept_page_with_the_readers_own_token(national_team, action):
    claim = action.claims.get()
    _page(_client(national_team), _detail(action))
    national = _checked_client(national_team)
    page = national.get(_detail(action)).content.decode()
    verify = reverse("ledger:claim_verify", args=["marseille", claim.pk])
    assert f'form="claim-forms" formaction="{verify}"' in page
    token = TOKEN.search(page).group(1)
    assert national.post(verify, {"csrfmiddlewaretoken": token}).status_code == 302
    claim.refresh_from_db()
    assert claim.confidence == AvoidedCostClaim.Confidence.VERIFIED
    assert "Vérifié par" in _page(national, _detail(action))


def test_a_claim_is_deleted_from_a_kept_page_with_the_readers_own_token(facilitator, host_director, action):
    claim = action.claims.get()
    _page(_client(facilitator), _detail(action))
    director = _checked_client(host_director)
    page = director.get(_detail(action)).content.decode()
    delete = reverse("ledger:claim_delete", args=["marseille", claim.pk])
    assert f'form="claim-forms" formaction="{delete}"' in page
    token = TOKEN.search(page).group(1)
    assert director.post(delete, {"csrfmiddlewaretoken": token}).status_code == 302
    assert "Colis non gaspillés" not in _page(director, _detail(action))


# --- Every write path shows on the next read -------------------------------------------------------


def _admin(action, changes):
    admin = _client(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:pilotage_action_change", args=[action.pk])
    data, _names = page_form(admin.get(url).content.decode())
    data.update(changes)
    assert admin.post(url, data).status_code == 302


BOARD_WRITES = {
    "form": lambda client, action: client.post(
        reverse("pilotage:action_edit", args=["marseille", action.pk]),
        action_data(title="Épicerie solidaire et mobile", status="running", version=str(action.version)),
    ),
    "htmx-move": lambda client, action: client.post(
        reverse("pilotage:action_status", args=["marseille", action.pk]),
        {f"{action.pk}-status": "running", f"{action.pk}-version": str(action.version)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + _board(),
    ),
    "move-without-javascript": lambda client, action: client.post(
        reverse("pilotage:action_status", args=["marseille", action.pk]),
        {f"{action.pk}-status": "running", f"{action.pk}-version": str(action.version)},
    ),
    "admin": lambda client, action: _admin(action, {"status": ["running"]}),
    "bulk-update": lambda client, action: Action.objects.filter(pk=action.pk).update(status="running"),
}


@pytest.mark.parametrize("write", BOARD_WRITES)
def test_a_status_change_by_any_path_shows_on_the_next_board_and_page(client, facilitator, action, write):
    client.force_login(facilitator)
    assert "Épicerie solidaire" in _column(_page(client, _board()), "preparation")
    _page(client, _detail(action))
    BOARD_WRITES[write](client, action)
    board = _page(client, _board())
    assert "Épicerie solidaire" in _column(board, "running")
    assert "Épicerie solidaire" not in _column(board, "preparation")
    assert '<span class="badge status-running">En cours</span>' in _page(client, _detail(action))


def test_a_deleted_action_leaves_the_next_board(client, facilitator, action):
    client.force_login(facilitator)
    assert "Épicerie solidaire" in _page(client, _board())
    action.delete()
    assert "Épicerie solidaire" not in _page(client, _board())


def test_an_htmx_move_shows_the_card_in_its_new_column_at_once(client, facilitator, action):
    client.force_login(facilitator)
    _page(client, _board())
    response = BOARD_WRITES["htmx-move"](client, action)
    assert response["HX-Retarget"] == "#action-board"
    board = response.content.decode()
    assert "Épicerie solidaire" in _column(board, "running")
    assert "csrfmiddlewaretoken" not in board  # the board's form, around it, keeps its own


DETAIL_WRITES = {
    "claim-form": (
        lambda client, action: client.post(
            reverse("ledger:claim_create", args=["marseille", action.pk]),
            claim_data(action, upload=None, documented=None, description="Nuitées d'hôtel évitées"),
        ),
        "Nuitées d&#x27;hôtel évitées",
    ),
    "claim-bulk-update": (
        lambda client, action: AvoidedCostClaim.objects.filter(action=action).update(
            description="Colis redistribués"
        ),
        "Colis redistribués",
    ),
    "theme-renamed": (
        lambda client, action: Theme.objects.filter(pk=action.theme_id).update(name="Alimentation durable"),
        "Alimentation durable",
    ),
    "partner-renamed": (
        lambda client, action: PartnerOrganisation.objects.filter(name="Banque alimentaire").update(
            name="Banque alimentaire des Bouches-du-Rhône"
        ),
        "Banque alimentaire des Bouches-du-Rhône",
    ),
    "meeting-renamed": (
        lambda client, action: action.meeting.__class__.objects.filter(pk=action.meeting_id).update(
            title="COPIL d'avril"
        ),
        "COPIL d&#x27;avril",
    ),
    "person-renamed": (
        lambda client, action: (
            action.status_changes.get()
            .changed_by.__class__.objects.filter(email="facilitator@example.org")
            .update(first_name="Nadia", last_name="Benali")
        ),
        "Nadia Benali",
    ),
    "progress-bulk-update": (
        lambda client, action: Action.objects.filter(pk=action.pk).update(progress=F("progress") + 7),
        "<strong>47 %</strong>",
    ),
}


@pytest.mark.parametrize("write", DETAIL_WRITES)
def test_a_write_by_any_path_shows_on_the_next_read_of_the_actions_page(client, facilitator, action, write):
    client.force_login(facilitator)
    change, shown = DETAIL_WRITES[write]
    assert shown not in _page(client, _detail(action))
    change(client, action)
    assert shown in _page(client, _detail(action))


def test_an_attachment_shows_on_the_next_read_of_a_kept_page(client, facilitator, action):
    client.force_login(facilitator)
    _page(client, _detail(action))
    client.post(
        reverse("pilotage:action_attachment_add", args=["marseille", action.pk]),
        {"file": SimpleUploadedFile("compte-rendu.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    assert "compte-rendu.pdf" in _page(client, _detail(action))


def test_a_writer_who_loses_the_site_loses_the_buttons_at_once(client, marseille, action):
    writer = UserFactory(email="relais@example.org")
    role = RoleFactory(user=writer, kind=Role.Kind.FACILITATOR, sites=[marseille])
    client.force_login(writer)
    assert "Changer l'état" in _page(client, _board())
    role.delete()
    RoleFactory(user=writer, kind=Role.Kind.NATIONAL_TEAM)
    assert "Changer l'état" not in _page(client, _board())


def test_the_kept_list_by_theme_follows_every_write_and_equals_a_fresh_rendering(client, facilitator):
    from diagnostics.models import Theme
    from pilotage.models import Action
    from tests.fragments import empty_cache, without_tokens
    from tests.pilotage.factories import ActionFactory

    action = ActionFactory(title="Épicerie <b>solidaire</b>", theme=Theme.objects.get(code="food-solidarity"))
    url = reverse("pilotage:action_list", args=["marseille"])
    client.force_login(facilitator)

    def page():
        return without_tokens(client.get(url).content)

    page()
    empty_cache()
    plain = page()
    assert page() == plain and "Épicerie &lt;b&gt;solidaire&lt;/b&gt;" in plain

    Action.objects.filter(pk=action.pk).update(title="Jardin partagé", progress=40)  # bulk
    assert "Jardin partagé" in page() and "40 %" in page()
    Theme.objects.filter(pk=action.theme_id).update(name="Alimentation durable")  # the catalogue
    assert "Alimentation durable" in page()
    action.delete()
    assert "Aucune action pour l&#x27;instant." in page() or "Aucune action pour l'instant." in page()


def test_a_move_posted_from_the_kept_board_reaches_the_exports_as_text(facilitator, marseille):
    """The board's one form (each card's fields prefixed by its id) → the actions' export, read by
    openpyxl and the csv module: the new state, and titles written as markup, a formula and with
    control characters stay plain text in both."""
    import csv
    import io

    from openpyxl import load_workbook

    hostile = ActionFactory(
        site=marseille, title='=HYPERLINK("http://x")<b>\x07 « Épicerie »', status=Action.Status.IDEA
    )
    ActionFactory(site=marseille, title="<script>alert(1)</script>", status=Action.Status.IDEA)
    client = _client(facilitator)
    page = client.get(_board()).content.decode()  # kept now, then posted as a browser would
    data, _names = page_form(page)
    data[f"{hostile.pk}-status"] = ["running"]
    moved = client.post(reverse("pilotage:action_status", args=["marseille", hostile.pk]), data)
    assert moved.status_code == 302

    def download(fmt: str) -> bytes:
        response = client.get(reverse("exports:export_download", args=["actions", fmt]))
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    sheet = load_workbook(io.BytesIO(download("xlsx"))).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    title = next(t for t in rows if t and "HYPERLINK" in t)
    assert not title.startswith("=")  # a formula stays text
    assert "<b>" in title and "« Épicerie »" in title
    assert rows[title][3] == "En cours"
    assert rows["<script>alert(1)</script>"][3] == "Idée"

    lines = list(csv.reader(io.StringIO(download("csv").decode("utf-8-sig")), delimiter=";"))
    moved_row = next(line for line in lines if "HYPERLINK" in line[1])
    assert not moved_row[1].startswith("=") and moved_row[3] == "En cours"
