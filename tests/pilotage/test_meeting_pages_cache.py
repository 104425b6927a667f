"""The meeting list and the meeting page are kept in fragments under the site's data version: every
write path shows on the next read, a hit shows what an empty cache shows, and a reader with other
rights never gets another reader's buttons."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pilotage import services
from pilotage.imports import services as imports
from pilotage.models import Meeting
from tests.badinput.forms import page_form
from tests.fragments import empty_cache, without_tokens
from tests.pilotage.factories import (
    PDF_BYTES,
    AttachmentFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
)
from tests.pilotage.test_attachments import upload
from tests.pilotage.test_meetings import meeting_data

pytestmark = pytest.mark.django_db

TEXT = "Relevé de décisions du comité."


def _list(client, **query):
    return client.get(reverse("pilotage:meeting_list", args=["marseille"]), query).content.decode()


def _detail(client, meeting):
    return client.get(reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]))


def _home(client):
    return client.get(reverse("sites:site_home", args=["marseille"])).content.decode()


def _read_all(client, meeting):
    """Read (and so keep) the three pages that show a meeting."""
    _list(client)
    _detail(client, meeting)
    _home(client)


@pytest.fixture
def meeting(marseille):
    meeting = MeetingFactory(site=marseille, title="Atelier du printemps", date=datetime.date(2025, 4, 2))
    DecisionFactory(meeting=meeting, text="Organiser la fête de quartier")
    return meeting


def test_a_hit_shows_what_an_empty_cache_shows(client, facilitator, marseille, meeting):
    MeetingFactory.create_batch(25, site=marseille, kind=Meeting.Kind.PARTNERS_WORKSHOP)
    AttachmentFactory(site=marseille, meeting=meeting)
    client.force_login(facilitator)
    urls = [
        reverse("pilotage:meeting_list", args=["marseille"]),
        reverse("pilotage:meeting_list", args=["marseille"]) + "?kind=partners_workshop&page=2",
        reverse("pilotage:meeting_list", args=["marseille"]) + "?date_from=2030-01-01&date_to=2020-01-01",
        reverse("pilotage:meeting_detail", args=["marseille", meeting.pk]),
        reverse("sites:site_home", args=["marseille"]),
    ]
    for url in urls:
        client.get(url)  # the first read after the writes rebuilds the site's figures
        empty_cache()
        plain = without_tokens(client.get(url).content)
        kept = without_tokens(client.get(url).content)
        assert kept == plain, url


def test_a_meeting_saved_through_its_form_shows_on_the_next_read(client, facilitator, meeting):
    client.force_login(facilitator)
    _read_all(client, meeting)
    response = client.post(
        reverse("pilotage:meeting_edit", args=["marseille", meeting.pk]),
        meeting_data(title="Atelier renommé", **{"decisions-TOTAL_FORMS": "0"}),
    )
    assert response.status_code == 302
    assert "Atelier renommé" in _list(client)
    assert "Atelier renommé" in _detail(client, meeting).content.decode()
    assert "Atelier renommé" in _home(client)


def test_a_meeting_created_through_its_form_shows_on_the_next_read(client, facilitator, meeting):
    client.force_login(facilitator)
    _read_all(client, meeting)
    response = client.post(reverse("pilotage:meeting_create", args=["marseille"]), meeting_data())
    assert response.status_code == 302
    assert "Atelier partenarial de mars" in _list(client)
    assert "Atelier partenarial de mars" in _home(client)


def test_an_imported_meeting_shows_on_the_next_read(client, facilitator, marseille, meeting):
    client.force_login(facilitator)
    _read_all(client, meeting)
    header = "date;type;intitulé;format;instance;ordre du jour;état du compte rendu;compte rendu"
    row = "12/03/2021;Atelier partenarial;Atelier importé;En visioconférence;;Tour de table;;"
    report = imports.import_file(
        site=marseille,
        kind=imports.KINDS["reunions"],
        data=f"{header}\r\n{row}\r\n".encode("utf-8-sig"),
        user=facilitator,
    )
    assert report.ok, report.errors
    assert "Atelier importé" in _list(client)
    assert "Atelier importé" in _home(client)


def test_a_meeting_changed_or_deleted_in_the_admin_shows_on_the_next_read(client, national_team, meeting):
    national_team.is_staff = national_team.is_superuser = True
    national_team.save()
    client.force_login(national_team)
    _read_all(client, meeting)
    change = reverse("admin:pilotage_meeting_change", args=[meeting.pk])
    data, _names = page_form(client.get(change).content.decode())
    data["title"] = "Atelier corrigé dans l'admin"
    assert client.post(change, data).status_code == 302
    assert "Atelier corrigé dans l&#x27;admin" in _list(client)
    assert "Atelier corrigé dans l&#x27;admin" in _detail(client, meeting).content.decode()
    assert "Atelier corrigé dans l&#x27;admin" in _home(client)
    delete = reverse("admin:pilotage_meeting_delete", args=[meeting.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    link = reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])
    assert link not in _list(client)
    assert link not in _home(client)
    assert _detail(client, meeting).status_code == 404


def test_a_bulk_update_and_a_delete_show_on_the_next_read(client, facilitator, meeting):
    client.force_login(facilitator)
    _read_all(client, meeting)
    Meeting.objects.filter(pk=meeting.pk).update(title="Atelier mis à jour en masse")
    assert "Atelier mis à jour en masse" in _list(client)
    assert "Atelier mis à jour en masse" in _detail(client, meeting).content.decode()
    assert "Atelier mis à jour en masse" in _home(client)
    pk = meeting.pk
    meeting.delete()
    assert "Atelier mis à jour en masse" not in _list(client)
    assert "Atelier mis à jour en masse" not in _home(client)
    assert client.get(reverse("pilotage:meeting_detail", args=["marseille", pk])).status_code == 404


def test_a_decision_turned_into_an_action_shows_on_the_meeting_page(client, facilitator, meeting):
    client.force_login(facilitator)
    assert "Transformer en action" in _detail(client, meeting).content.decode()
    decision = meeting.decisions.get()
    create = client.get(reverse("pilotage:decision_to_action", args=["marseille", decision.pk]))["Location"]
    data, _names = page_form(client.get(create).content.decode())
    assert client.post(create, data).status_code == 302
    page = _detail(client, meeting).content.decode()
    assert "Transformer en action" not in page
    assert "Voir l'action « Organiser la fête de quartier »" in page


def test_an_attachment_added_then_deleted_shows_on_the_next_read(
    client, facilitator, meeting, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    assert "Aucune pièce jointe." in _detail(client, meeting).content.decode()
    page = upload(client, meeting, "releve.pdf", PDF_BYTES).content.decode()
    assert "Pièce jointe ajoutée." in page and "releve.pdf" in page
    attachment = meeting.attachments.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pilotage:attachment_delete", args=["marseille", attachment.pk]), follow=True
        )
    page = response.content.decode()
    assert "Pièce jointe « releve.pdf » supprimée." in page
    assert "Aucune pièce jointe." in page


def test_the_minutes_workflow_shows_on_the_next_read(client, facilitator, host_director, marseille):
    meeting = MeetingFactory(
        site=marseille, steering=True, minutes=TEXT, minutes_status=Meeting.MinutesStatus.DRAFT
    )
    director = Client()
    director.force_login(host_director)
    client.force_login(facilitator)
    assert "Soumettre pour validation" in _detail(client, meeting).content.decode()
    assert "Valider le compte rendu" not in _detail(director, meeting).content.decode()
    assert client.post(reverse("pilotage:minutes_submit", args=["marseille", meeting.pk])).status_code == 302
    page = _detail(client, meeting).content.decode()
    assert "Soumettre pour validation" not in page and "Valider le compte rendu" not in page
    assert f"Soumis pour validation par {facilitator}" in page
    page = _detail(director, meeting).content.decode()
    assert "Valider le compte rendu" in page and 'id="minutes-validate"' in page
    validate = reverse("pilotage:minutes_validate", args=["marseille", meeting.pk])
    assert director.post(validate).status_code == 302
    page = _detail(client, meeting).content.decode()
    assert f"Validé par {host_director}" in page and "Rouvrir" in page
    services.minutes_reopen(meeting=Meeting.objects.get(pk=meeting.pk), user=facilitator, reason="Coquille")
    page = _detail(director, meeting).content.decode()
    assert "Motif : Coquille" in page and "Valider le compte rendu" not in page


def test_a_new_name_of_the_minutes_author_shows_on_the_next_read(client, facilitator, marseille):
    meeting = MeetingFactory(
        site=marseille, steering=True, minutes=TEXT, minutes_status=Meeting.MinutesStatus.DRAFT
    )
    client.force_login(facilitator)
    client.post(reverse("pilotage:minutes_submit", args=["marseille", meeting.pk]))
    assert f"Soumis pour validation par {facilitator}" in _detail(client, meeting).content.decode()
    facilitator.first_name, facilitator.last_name = "Aïcha", "Renommée"
    facilitator.save()
    assert f"Soumis pour validation par {facilitator}" in _detail(client, meeting).content.decode()


@pytest.mark.parametrize("writer_first", [True, False])
def test_a_reader_never_gets_the_site_teams_buttons(
    client, facilitator, network_coordinator, meeting, writer_first
):
    AttachmentFactory(site=meeting.site, meeting=meeting)
    writer, reader = Client(), Client()
    writer.force_login(facilitator)
    reader.force_login(network_coordinator)
    order = [writer, reader] if writer_first else [reader, writer]
    pages = {id(c): (_detail(c, meeting).content.decode(), _list(c)) for c in order}
    detail, listing = pages[id(reader)]
    for button in ("Modifier la réunion", "Transformer en action", "Joindre le fichier", "Supprimer"):
        assert button not in detail
    assert "Saisir une réunion" not in listing
    detail, listing = pages[id(writer)]
    for button in ("Modifier la réunion", "Transformer en action", "Joindre le fichier", "Supprimer"):
        assert button in detail
    assert "Saisir une réunion" in listing


def test_the_forms_of_a_kept_page_carry_the_readers_own_token(facilitator, host_director, marseille):
    """The CSRF tokens are outside the fragment: a second writer's page, served from the cache,
    posts with their own token."""
    meeting = MeetingFactory(
        site=marseille, steering=True, minutes=TEXT, minutes_status=Meeting.MinutesStatus.DRAFT
    )
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(facilitator)
    second.force_login(host_director)
    assert "Soumettre pour validation" in _detail(first, meeting).content.decode()
    page = _detail(second, meeting).content.decode()
    assert "Soumettre pour validation" in page
    form = page.split('<form id="minutes-submit"')[1].split("</form>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    submit = reverse("pilotage:minutes_submit", args=["marseille", meeting.pk])
    assert second.post(submit, {"csrfmiddlewaretoken": token}).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).minutes_status == Meeting.MinutesStatus.SUBMITTED


def test_each_filter_and_page_gets_its_own_list(client, facilitator, marseille):
    MeetingFactory.create_batch(21, site=marseille, kind=Meeting.Kind.PARTNERS_WORKSHOP, title="Atelier")
    MeetingFactory(site=marseille, steering=True, title="Comité unique")
    client.force_login(facilitator)
    assert "22 réunions" in _list(client)
    assert "1 réunion" in _list(client, kind="steering")
    assert "21 réunions" in _list(client, kind="partners_workshop")
    assert "Page 2 sur 2" in _list(client, kind="partners_workshop", page=2)
    # An unknown parameter or an empty filter is the same list, and the pagination keeps only filters.
    page = _list(client, kind="partners_workshop", utm_source="lettre", committee="")
    assert "21 réunions" in page
    assert "?kind=partners_workshop&amp;page=2" in page
    page = _list(client, date_from="2030-01-01", date_to="2020-01-01")
    assert "La date de fin doit suivre la date de début." in page


def test_the_filters_are_kept_apart_from_the_meetings(client, facilitator, marseille, meeting):
    """A meeting saved changes the table, not the filters: the next read draws the table alone
    (no query for the committees' choices); a committee created shows among the filters at once."""
    client.force_login(facilitator)
    _list(client, kind="partners_workshop")
    MeetingFactory(site=marseille, kind=Meeting.Kind.PARTNERS_WORKSHOP, title="Atelier du soir")
    with CaptureQueriesContext(connection) as queries:
        page = _list(client, kind="partners_workshop")
    assert "Atelier du soir" in page
    assert re.search(r'<option value="partners_workshop" selected>', page)  # the filter as chosen
    assert not [
        q for q in queries.captured_queries if "pilotage_committee" in q["sql"] and "LIMIT" not in q["sql"]
    ]
    CommitteeFactory(site=marseille, name="Groupe « <b>jeunesse</b> »")
    page = _list(client, kind="partners_workshop")
    assert "Groupe « &lt;b&gt;jeunesse&lt;/b&gt; »" in page
    assert "<b>jeunesse</b>" not in page


def test_hostile_filters_are_refused_in_french_and_never_kept_for_another_query(client, facilitator, meeting):
    """The filters' fragment is kept per query: a hostile one shows its own errors, escaped, and
    the plain list read next is not served them."""
    client.force_login(facilitator)
    hostile = {"kind": '<script>alert("x")</script>', "date_from": "99999-01-01", "committee": "1 OR 1=1"}
    response = client.get(reverse("pilotage:meeting_list", args=["marseille"]), hostile)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "Sélectionnez un choix valide" in page
    assert "Saisissez une date valide." in page
    assert "Choisissez une instance de ce site." in page
    plain = _list(client)
    assert "Sélectionnez un choix valide" not in plain and "Choisissez une instance de ce site." not in plain
    assert "Atelier du printemps" in plain
