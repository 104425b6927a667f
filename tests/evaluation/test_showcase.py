"""Experience sheets and the public showcase: a sheet written from an action at Grenoble is
reviewed by the host director, published by the network; anyone reads it without an account; once
unpublished it is gone on the very next request. Names without recorded consent stay private."""

import html
import subprocess

import pytest
from django.core.cache import cache
from django.urls import reverse

from atc.models import Role
from evaluation.models import ExperienceSheet, SiteShowcase
from pilotage.models import Action
from sites.models import FacilitatorAssignment, Network, Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.evaluation.factories import ExperienceSheetFactory, SiteShowcaseFactory
from tests.pilotage.factories import ActionFactory
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def grenoble_site(db):
    return Site.objects.get(slug="grenoble")


def _person(email, kind, *, sites=(), network=None):
    user = UserFactory(email=email)
    RoleFactory(user=user, kind=kind, sites=list(sites), network=network)
    return user


@pytest.fixture
def team(grenoble_site):
    return {
        "facilitator": _person("anim@grenoble.example.org", Role.Kind.FACILITATOR, sites=[grenoble_site]),
        "host": _person("direction@grenoble.example.org", Role.Kind.HOST_DIRECTOR, sites=[grenoble_site]),
        "network": _person(
            "cnlrq@example.org", Role.Kind.NETWORK_COORDINATOR, network=Network.objects.get(code="cnlrq")
        ),
    }


@pytest.fixture
def action(grenoble_site):
    action = ActionFactory(
        site=grenoble_site,
        title="Chantier éducatif au Village Olympique",
        description="Des jeunes du quartier rénovent les halls avec la régie.",
        outcomes="Douze halls repeints.",
        status=Action.Status.DONE,
    )
    action.partners.add(PartnerOrganisationFactory(site=grenoble_site, name="Régie de quartier Villeneuve"))
    return action


def _sheet_data(**changes):
    data = {
        "title": "Un chantier éducatif porté par la régie",
        "context": "Des halls dégradés, des jeunes sans activité l'été.",
        "partners_roles": "Régie de quartier : encadrement ; bailleur : matériel.",
        "cooperation": "Trois réunions entre la régie, le bailleur et le centre social.",
        "lessons": "Associer le bailleur dès le début.",
        "contacts": "Chargée de mission de la régie.",
    }
    data.update(changes)
    return data


def test_a_sheet_goes_from_an_action_to_the_public_pages_and_leaves_them_at_once(client, team, action):
    site = action.site
    client.force_login(team["facilitator"])
    form = _text(client.get(reverse("sheets:create", args=[site.slug, action.pk])))
    assert "Des jeunes du quartier rénovent les halls avec la régie." in form  # drafted from the action
    assert "Régie de quartier Villeneuve" in form

    response = client.post(
        reverse("sheets:create", args=[site.slug, action.pk]), {**_sheet_data(), "actions": [action.pk]}
    )
    sheet = ExperienceSheet.objects.get()
    assert response["Location"] == reverse("sheets:detail", args=[site.slug, sheet.pk])
    assert list(sheet.actions.all()) == [action]
    client.post(reverse("sheets:submit", args=[site.slug, sheet.pk]))

    client.force_login(team["host"])
    client.post(reverse("sheets:review", args=[site.slug, sheet.pk]))
    sheet.refresh_from_db()
    assert sheet.status == ExperienceSheet.Status.REVIEWED and sheet.reviewed_by == team["host"]

    client.force_login(team["network"])
    client.post(reverse("sheets:publish", args=[site.slug, sheet.pk]))
    sheet.refresh_from_db()
    assert sheet.status == ExperienceSheet.Status.PUBLISHED

    # In the library of another network's facilitator, and on the public pages for anyone.
    other = _person(
        "anim@marseille.example.org", Role.Kind.FACILITATOR, sites=[Site.objects.get(slug="marseille")]
    )
    client.force_login(other)
    assert "Un chantier éducatif porté par la régie" in _text(client.get(reverse("sheets:library")))
    client.logout()
    public_url = reverse("showcase:sheet", args=[sheet.pk])
    page = _text(client.get(public_url))
    assert "Associer le bailleur dès le début." in page
    assert "Un chantier éducatif porté par la régie" in _text(client.get(reverse("showcase:sheets")))
    assert "Un chantier éducatif porté par la régie" in _text(client.get(reverse("showcase:programme")))

    client.force_login(team["network"])
    client.post(reverse("sheets:unpublish", args=[site.slug, sheet.pk]))
    client.logout()
    assert client.get(public_url).status_code == 404
    assert "Un chantier éducatif porté par la régie" not in _text(client.get(reverse("showcase:sheets")))
    assert "Un chantier éducatif porté par la régie" not in _text(client.get(reverse("showcase:programme")))


def test_a_sheet_is_published_only_after_its_review(client, team, action):
    sheet = ExperienceSheetFactory(site=action.site)
    client.force_login(team["network"])

    response = client.post(reverse("sheets:publish", args=[action.site.slug, sheet.pk]), follow=True)

    sheet.refresh_from_db()
    assert sheet.status == ExperienceSheet.Status.DRAFT
    assert "après sa relecture par la direction de la structure porteuse" in _text(response)


def test_a_name_without_recorded_consent_is_refused(client, team, action):
    FacilitatorAssignment.objects.create(
        site=action.site, person_name="Jeanne Fourier", start_date="2020-01-06", fte="0.8"
    )
    sheet = ExperienceSheetFactory(
        site=action.site, reviewed=True, lessons="Merci à Mme Fourier pour son appui."
    )
    client.force_login(team["network"])

    response = client.post(reverse("sheets:publish", args=[action.site.slug, sheet.pk]), follow=True)

    sheet.refresh_from_db()
    assert sheet.status == ExperienceSheet.Status.REVIEWED
    assert "Le texte nomme Jeanne Fourier : retirez ce nom, ou enregistrez l'accord" in _text(response)

    ExperienceSheet.objects.filter(pk=sheet.pk).update(
        name_consent=True, name_consent_note="Accord écrit de Jeanne Fourier, courriel du 3 mars 2021"
    )
    client.post(reverse("sheets:publish", args=[action.site.slug, sheet.pk]))
    sheet.refresh_from_db()
    assert sheet.status == ExperienceSheet.Status.PUBLISHED


def test_a_change_after_publication_takes_the_sheet_offline(client, team, action):
    sheet = ExperienceSheetFactory(site=action.site, published=True)
    url = reverse("showcase:sheet", args=[sheet.pk])
    assert client.get(url).status_code == 200  # now cached
    client.force_login(team["facilitator"])

    client.post(reverse("sheets:edit", args=[action.site.slug, sheet.pk]), _sheet_data(title="Nouveau titre"))

    sheet.refresh_from_db()
    assert sheet.status == ExperienceSheet.Status.DRAFT and sheet.title == "Nouveau titre"
    client.logout()
    assert client.get(url).status_code == 404


def test_markup_typed_in_a_sheet_is_text_on_the_public_page(client, action):
    sheet = ExperienceSheetFactory(
        site=action.site, published=True, title="<script>alert(1)</script>", lessons="<img src=x>"
    )

    page = client.get(reverse("showcase:sheet", args=[sheet.pk])).content.decode()

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({}, {"Grenoble", "Marseille"}),
        ({"network": "cnlrq"}, {"Grenoble"}),
        ({"partner_category": "landlord"}, {"Marseille"}),
        (
            {"network": "<script>", "theme": "999999", "partner_category": "x" * 500},
            {"Grenoble", "Marseille"},
        ),
    ],
)
def test_the_library_filters_by_network_and_partner_category(client, national_team, action, query, shown):
    ExperienceSheetFactory(site=action.site, title="Fiche Grenoble", published=True).actions.add(action)
    marseille = Site.objects.get(slug="marseille")
    marseille_action = ActionFactory(site=marseille)
    marseille_action.partners.add(PartnerOrganisationFactory(site=marseille, category="landlord"))
    ExperienceSheetFactory(site=marseille, title="Fiche Marseille", published=True).actions.add(
        marseille_action
    )

    for page in (client.get(reverse("showcase:sheets"), query),):
        assert page.status_code == 200
        assert {name for name in ("Grenoble", "Marseille") if f"Fiche {name}" in _text(page)} == shown
    client.force_login(national_team)
    page = client.get(reverse("sheets:library"), query)
    assert {name for name in ("Grenoble", "Marseille") if f"Fiche {name}" in _text(page)} == shown


def test_the_library_filters_by_theme_and_priority_model(client, national_team, action):
    from diagnostics.models import Theme

    theme = Theme.objects.first()
    ExperienceSheetFactory(site=action.site, title="Fiche thème", theme=theme, published=True)
    ExperienceSheetFactory(site=action.site, title="Fiche sans thème", published=True)
    model = action.site.priority_models.first()
    client.force_login(national_team)

    page = _text(client.get(reverse("sheets:library"), {"theme": theme.pk}))
    assert "Fiche thème" in page and "Fiche sans thème" not in page
    if model is not None:
        page = _text(client.get(reverse("sheets:library"), {"priority_model": model.code}))
        assert "Fiche thème" in page and "Fiche sans thème" in page


def test_a_full_sheet_prints_on_two_pages(client, team, action, tmp_path):
    long_parts = dict.fromkeys(
        ExperienceSheet.PUBLIC_TEXT_FIELDS[1:], ("Une coopération patiente entre partenaires. " * 40)[:1000]
    )
    long_parts["contacts"] = long_parts["contacts"][:500]
    sheet = ExperienceSheetFactory(site=action.site, title="Fiche longue " + "x" * 150, **long_parts)
    client.force_login(team["facilitator"])

    response = client.get(reverse("sheets:pdf", args=[action.site.slug, sheet.pk]))

    path = tmp_path / "fiche.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert response["Content-Type"] == "application/pdf"
    assert pages == 2  # every part at its longest fills the second page, never a third
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "Fiche longue" in text and "Enseignements pour d'autres territoires" in text


def test_a_site_page_is_public_once_published_and_shows_only_done_actions(client, team, action):
    site = action.site
    running = ActionFactory(site=site, title="Action en cours", status=Action.Status.RUNNING)
    client.force_login(team["facilitator"])
    refused = client.post(
        reverse("showcase:edit", args=[site.slug]),
        {"presentation": "La Villeneuve coopère.", "achievements": [action.pk, running.pk]},
    )
    assert refused.status_code == 200 and not SiteShowcase.objects.exists()  # an action not done
    client.post(
        reverse("showcase:edit", args=[site.slug]),
        {"presentation": "La Villeneuve coopère.", "achievements": [action.pk]},
    )
    showcase = SiteShowcase.objects.get(site=site)
    assert list(showcase.achievements.all()) == [action]
    assert not showcase.is_published
    client.logout()
    assert client.get(reverse("showcase:site", args=[site.slug])).status_code == 404

    client.force_login(team["network"])
    client.post(reverse("showcase:publish", args=[site.slug]))
    client.logout()
    page = _text(client.get(reverse("showcase:site", args=[site.slug])))
    assert "La Villeneuve coopère." in page and "Douze halls repeints." in page
    assert (
        f'href="{reverse("showcase:site", args=[site.slug])}"'
        in client.get(reverse("showcase:programme")).content.decode()
    )

    client.force_login(team["network"])
    client.post(reverse("showcase:unpublish", args=[site.slug]))
    client.logout()
    assert client.get(reverse("showcase:site", args=[site.slug])).status_code == 404


def test_the_public_pages_have_their_own_policy_and_may_be_indexed(client, action):
    SiteShowcaseFactory(site=action.site, is_published=True)

    response = client.get(reverse("showcase:site", args=[action.site.slug]))

    assert response.status_code == 200
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert response["Cache-Control"] == "no-cache"
    assert '<meta name="robots" content="index, follow">' in response.content.decode()
    robots = client.get(reverse("showcase:robots")).content.decode()
    assert "Allow: /vitrine/" in robots and "Disallow: /" in robots


def test_a_signed_in_reader_does_not_leave_their_name_in_the_shared_cache(client, team, action):
    SiteShowcaseFactory(site=action.site, is_published=True)
    cache.clear()
    client.force_login(team["facilitator"])
    client.get(reverse("showcase:site", args=[action.site.slug]))
    client.logout()

    page = _text(client.get(reverse("showcase:site", args=[action.site.slug])))

    assert str(team["facilitator"]) not in page


@pytest.mark.parametrize("count", [2, 12])
def test_the_lists_read_the_same_number_of_queries_whatever_their_length(
    client, national_team, action, count, django_assert_max_num_queries
):
    for n in range(count):
        ExperienceSheetFactory(site=action.site, title=f"Fiche {n}", published=True)
    SiteShowcaseFactory(site=action.site, is_published=True)
    cache.clear()

    # The version, the filters' choices (theme, priority model, network), the sheets.
    with django_assert_max_num_queries(5):
        assert client.get(reverse("showcase:sheets")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("showcase:programme")).status_code == 200
    with django_assert_max_num_queries(1):  # cached: the version only
        assert client.get(reverse("showcase:programme")).status_code == 200
    client.force_login(national_team)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("sheets:library")).status_code == 200


def test_a_sheet_whose_render_runs_out_of_memory_says_so_in_french(client, team, action, settings):
    settings.ATC_REPORT_MEMORY_MB = 40  # below what WeasyPrint needs to start
    sheet = ExperienceSheetFactory(site=action.site, title="Fiche trop lourde")
    client.force_login(team["facilitator"])

    response = client.get(reverse("sheets:pdf", args=[action.site.slug, sheet.pk]), follow=True)

    assert response.status_code == 200
    assert "La fiche n'a pas pu être mise en PDF" in _text(response)
    assert "Fiche trop lourde" in _text(response)
