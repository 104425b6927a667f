"""Journey of the préfet delegate of the Nord: the dashboards of their three sites, the table that
compares them, a review comment, and a refusal outside their area."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from sites.models import ReviewComment, Site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NORD = ("tourcoing", "grande-synthe", "roubaix")
COMMENT = "Très bonne dynamique du comité ; à suivre : la place des habitant·es <b>au COPIL</b>."


def test_prefet_delegate_reviews_the_three_nord_dashboards_comments_and_is_kept_out_of_marseille(page):
    browser = page.page
    page.login("prefet_delegate")
    sites = {site.slug: site for site in Site.objects.filter(slug__in=NORD)}
    home_sites = browser.get_by_role("list", name="Vos sites").get_by_role("heading", level=3)
    expect(home_sites).to_have_count(3)
    for site in sites.values():
        expect(browser.get_by_role("link", name=site.name)).to_be_visible()
    page.shot("accueil")

    for slug in NORD:
        page.goto(reverse("dashboards:site", args=[slug]))
        expect(browser.get_by_role("heading", level=1)).to_have_text(f"Tableau de bord — {sites[slug].name}")
        expect(browser.get_by_role("heading", name="Pilotage")).to_be_visible()
        page.shot(f"tableau-de-bord-{slug}")

    page.goto(reverse("dashboards:my_sites"))
    table = browser.locator("table").filter(
        has=browser.get_by_role("columnheader", name="Réunions de la période")
    )
    expect(table.first).to_be_visible()
    rows = table.first.locator("tbody tr")
    expect(rows).to_have_count(3)
    for site in sites.values():
        expect(table.first).to_contain_text(site.name)
    expect(table.first).not_to_contain_text("Marseille")
    headers = [text.strip() for text in table.first.locator("thead th").all_inner_texts()]
    # The header is the registry's label, followed by its « ? » link to the definition.
    meetings_column = next(i for i, text in enumerate(headers) if text.startswith("Réunions de la période"))
    for site in sites.values():
        cells = rows.filter(has_text=site.name).locator("th, td")
        expect(cells.nth(meetings_column)).to_have_text(str(site.meetings.count()))
    page.shot("comparaison")

    page.goto(reverse("dashboards:site", args=["roubaix"]))
    comments = browser.get_by_role("region", name="Commentaires de suivi")
    comments.get_by_role("textbox").fill(COMMENT)
    comments.get_by_role("button", name="Enregistrer le commentaire").click()
    comments = browser.get_by_role("region", name="Commentaires de suivi")
    # The text is shown as typed: the markup is escaped, not interpreted.
    expect(comments.get_by_text(COMMENT)).to_be_visible()
    expect(comments.locator("b")).to_have_count(0)
    page.shot("commentaire")
    comment = ReviewComment.objects.get(body=COMMENT)
    assert comment.site.slug == "roubaix"
    assert comment.author.email == "delegate@example.org"

    for path in (
        reverse("dashboards:site", args=["marseille"]),
        reverse("sites:site_home", args=["marseille"]),
    ):
        response = page.goto(path)
        assert response.status == 404
        expect(browser.get_by_role("heading", level=1)).to_have_text(re.compile("introuvable", re.I))
    page.shot("hors-perimetre-404")
    assert not ReviewComment.objects.filter(site__slug="marseille", body=COMMENT).exists()

    # Signing out from a site's page: the button in the kept header posts the form (and its
    # token) drawn outside it; the next page asks to sign in again.
    page.goto(reverse("dashboards:site", args=["roubaix"]))
    browser.get_by_role("button", name="Se déconnecter").click()
    browser.wait_for_url(re.compile(r"/$|/comptes/login/"))
    page.goto(reverse("dashboards:site", args=["roubaix"]))
    assert "/comptes/login/" in browser.url
    expect(browser.get_by_role("button", name="Se connecter")).to_be_visible()
