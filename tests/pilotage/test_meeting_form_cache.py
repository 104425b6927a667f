"""The blank form of a new meeting is kept under its site's data version ({% figurecache %}):
what a facilitator sees is what the form would show rendered afresh, every write to the
committees and partners it lists shows on the next opening, and nothing of one reader, one site
or one request (CSRF token, what was typed) is served to another."""

import datetime
import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pilotage.forms import MeetingForm, decision_formset_class
from pilotage.models import Committee, Meeting
from sites.models import OrganisationCategory, PartnerOrganisation
from tests.atc.factories import RoleFactory, UserFactory
from tests.pilotage.factories import CommitteeFactory
from tests.pilotage.test_meetings import meeting_data
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def form_url(slug="marseille"):
    return reverse("pilotage:meeting_create", args=[slug])


def opened(client, slug="marseille") -> str:
    response = client.get(form_url(slug))
    assert response.status_code == 200
    return response.content.decode()


def without_token(page: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value=""', page)


def fresh(client, slug="marseille") -> str:
    """The page rendered with an empty cache (nothing kept from before)."""
    cache.clear()
    return opened(client, slug)


@pytest.fixture
def marseille_partners(marseille):
    CommitteeFactory(site=marseille, name="Comité de pilotage Frais Vallon")
    return [
        PartnerOrganisationFactory(site=marseille, name="Centre social Air Bel"),
        PartnerOrganisationFactory(
            site=marseille, name="Mairie des 11/12", category=OrganisationCategory.LOCAL_AUTHORITY
        ),
    ]


def test_the_kept_form_is_the_form_rendered_afresh(client, facilitator, marseille_partners):
    client.force_login(facilitator)
    first = opened(client)  # a miss: rendered and kept
    kept = opened(client)  # a hit
    assert "Centre social Air Bel" in kept
    assert "Comité de pilotage Frais Vallon" in kept
    assert without_token(kept) == without_token(first) == without_token(fresh(client))


def test_the_csrf_token_is_never_kept(client, facilitator, marseille):
    client.force_login(facilitator)
    tokens = {CSRF.search(opened(client)).group(0) for _ in range(2)}
    assert len(tokens) == 2  # each page masks its own token: none comes from the kept fragment


def test_a_partner_added_through_its_form_is_offered_next_time(client, facilitator, marseille_partners):
    client.force_login(facilitator)
    assert "Épicerie solidaire" not in opened(client)
    client.post(
        reverse("partners:partner_create", args=["marseille"]),
        {"name": "Épicerie solidaire", "category": "association"},
    )
    assert "Épicerie solidaire" in opened(client)


def test_a_partner_added_in_the_admin_is_offered_next_time(
    client, facilitator, marseille, marseille_partners
):
    client.force_login(facilitator)
    assert "Régie de quartier" not in opened(client)
    admin = type(client)()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert PartnerOrganisation in admin_site._registry
    response = admin.post(
        reverse("admin:sites_partnerorganisation_add"),
        {"name": "Régie de quartier", "category": "association", "site": marseille.pk},
    )
    assert response.status_code == 302
    assert "Régie de quartier" in opened(client)


def test_a_bulk_rename_or_a_delete_of_a_partner_shows_next_time(client, facilitator, marseille_partners):
    air_bel, mairie = marseille_partners
    client.force_login(facilitator)
    assert "Centre social Air Bel" in opened(client)
    PartnerOrganisation.objects.filter(pk=air_bel.pk).update(name="Centre social La Rose")
    page = opened(client)
    assert "Centre social La Rose" in page
    assert "Centre social Air Bel" not in page
    mairie.delete()
    assert "Mairie des 11/12" not in opened(client)


def test_the_last_partner_removed_brings_back_the_empty_message(client, facilitator, marseille_partners):
    client.force_login(facilitator)
    assert "Aucune organisation partenaire" not in opened(client)
    PartnerOrganisation.objects.filter(site__slug="marseille").delete()
    assert "est encore enregistrée pour ce site." in opened(client)


def test_a_committee_created_closed_or_deleted_shows_next_time(client, facilitator, marseille_partners):
    client.force_login(facilitator)
    assert "Groupe jeunesse" not in opened(client)
    response = client.post(
        reverse("committees:committee_create", args=["marseille"]),
        {"kind": "working_group", "name": "Groupe jeunesse", "description": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert "Groupe jeunesse" in opened(client)
    # Only active committees are offered: closing one in bulk takes it off the list.
    Committee.objects.filter(name="Groupe jeunesse").update(is_active=False)
    assert "Groupe jeunesse" not in opened(client)
    Committee.objects.filter(name="Comité de pilotage Frais Vallon").delete()
    assert "Comité de pilotage Frais Vallon" not in opened(client)


def test_another_sites_form_lists_its_own_committees_and_partners(
    client, facilitator, marseille_partners, grenoble
):
    PartnerOrganisationFactory(site=grenoble, name="Maison des habitants Teisseire")
    grenoble_facilitator = RoleFactory(user__email="grenoble@example.org", sites=[grenoble]).user
    client.force_login(facilitator)
    marseille_page = opened(client)
    client.force_login(grenoble_facilitator)
    grenoble_page = opened(client, "grenoble")
    assert "Maison des habitants Teisseire" in grenoble_page
    assert "Centre social Air Bel" not in grenoble_page
    assert "Maison des habitants Teisseire" not in marseille_page
    assert without_token(grenoble_page) == without_token(fresh(client, "grenoble"))


def test_a_reader_without_write_rights_never_gets_the_kept_form(
    client, facilitator, network_coordinator, marseille_partners
):
    client.force_login(facilitator)
    opened(client)
    client.force_login(network_coordinator)
    response = client.get(form_url())
    assert response.status_code in (403, 404)
    assert "Centre social Air Bel" not in response.content.decode()


def test_another_writer_gets_the_form_rendered_for_them(
    client, facilitator, host_director, marseille_partners
):
    client.force_login(facilitator)
    opened(client)
    client.force_login(host_director)
    kept = opened(client)
    assert without_token(kept) == without_token(fresh(client))


def test_the_kept_form_opens_on_the_new_day(client, facilitator, marseille, monkeypatch):
    client.force_login(facilitator)
    today = timezone.localdate()
    assert f'value="{today:%Y-%m-%d}"' in opened(client)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    client.force_login(facilitator)  # a session opened on the new day
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in opened(client)


def test_a_post_with_errors_keeps_what_was_typed_after_a_kept_form(client, facilitator, marseille_partners):
    client.force_login(facilitator)
    opened(client)
    air_bel = marseille_partners[0]
    data = meeting_data(title="", location="Gymnase Ruffi", organisations=[air_bel.pk], duration_minutes="-5")
    page = client.post(form_url(), data).content.decode()
    assert "La réunion n&#x27;a pas été enregistrée : corrigez les erreurs." in page
    assert "Donnez un intitulé à la réunion" in page
    assert 'value="Gymnase Ruffi"' in page
    assert re.search(rf'value="{air_bel.pk}"[^>]*checked', page)
    assert not Meeting.objects.filter(location="Gymnase Ruffi").exists()
    # What was typed stays in that answer: the next blank form shows none of it.
    blank = opened(client)
    assert "Gymnase Ruffi" not in blank
    assert "Donnez un intitulé" not in blank


def test_the_kept_form_runs_fewer_queries(
    client, facilitator, marseille_partners, django_assert_max_num_queries
):
    for n in range(20):
        PartnerOrganisationFactory(site=marseille_partners[0].site, name=f"Partenaire {n}")
    client.force_login(facilitator)
    client.get(reverse("pilotage:meeting_list", args=["marseille"]))  # the session's first write
    with django_assert_max_num_queries(11):
        # A miss, just after writes: the session, the reader, the site and its data version, the
        # committees, the partners (and whether there are any), the version of each fixed part
        # (4); no rebuild of the site's figures, which the form does not show.
        opened(client)
    with django_assert_max_num_queries(4):
        # A hit: the session, the reader, the site and its data version; nothing of the form
        # (6 queries before it was kept).
        opened(client)


def test_the_blank_form_with_its_kept_parts_equals_the_plain_rendering(facilitator, marseille_partners):
    """The fields template with its parts kept (`blank`) renders what it renders without them."""
    site = marseille_partners[0].site

    def fields(blank: bool) -> str:
        meeting = Meeting(site=site)
        context = {
            "site": site,
            "meeting": meeting,
            "form": MeetingForm(instance=meeting, site=site),
            "decisions": decision_formset_class(extra=3)(meeting=meeting),
            "blank": blank,
        }
        return render_to_string("pilotage/_meeting_form_fields.html", context)

    plain = fields(blank=False)
    assert 'name="decisions-TOTAL_FORMS"' in plain
    assert fields(blank=True) == plain  # a miss: the parts are rendered and kept
    assert fields(blank=True) == plain  # a hit
