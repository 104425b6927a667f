"""Two journeys in a real Chromium: the Les Mureaux team records an avoided cost with its
hypothesis and a document, the national team verifies it, and the dashboard and the national
report keep verified, documented and declared totals apart; a sheet written at Grenoble is
reviewed, published, read by an anonymous visitor, then unpublished (404 on the next request).
axe finds no serious or critical violation on the public pages."""

import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from atc.models import Role
from evaluation.models import ExperienceSheet
from pilotage.models import Action, AvoidedCostClaim
from sites.models import Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import DEMO_PASSWORD
from tests.evaluation.factories import SiteShowcaseFactory
from tests.pilotage.factories import PDF_BYTES, ClaimFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HYPOTHESIS = "Deux nuitées d'hôtel social par semaine évitées pendant six mois, 70 € la nuitée."


def _account(email, kind, site):
    user = UserFactory(email=email, first_name="Inès", last_name="Marchal")
    user.set_password(DEMO_PASSWORD)
    user.save()
    RoleFactory(user=user, kind=kind, sites=[site])
    return email


def _plain(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_an_avoided_cost_is_recorded_verified_and_reported_apart(page, tmp_path):
    browser = page.page
    mureaux = Site.objects.get(city="Les Mureaux")
    action = Action.objects.filter(site=mureaux).first()
    ClaimFactory(
        site=mureaux, action=action, amount=Decimal("900"), hypothesis="Hypothèse déclarée seulement."
    )
    ClaimFactory(
        site=mureaux,
        action=action,
        documented=True,
        amount=Decimal("2500"),
        hypothesis="Hypothèse documentée.",
    )
    email = _account("animation@mureaux.example.org", Role.Kind.FACILITATOR, mureaux)
    document = tmp_path / "attestation-bailleur.pdf"
    document.write_bytes(PDF_BYTES)

    page.login("facilitator", email=email)
    page.goto(reverse("pilotage:action_detail", args=[mureaux.slug, action.pk]))
    browser.get_by_role("link", name="Ajouter un coût évité ou un effet levier").click()
    browser.locator("#id_description").fill("Nuitées d'hôtel social évitées")
    browser.locator("#id_amount").fill("3640")
    browser.locator("#id_period_start").fill("2021-01-01")
    browser.locator("#id_period_end").fill("2021-06-30")
    browser.locator("#id_hypothesis").fill(HYPOTHESIS)
    browser.locator("#id_source_detail").fill("Attestation du bailleur")
    browser.locator("#id_documented").check()
    browser.locator("#id_upload").set_input_files(str(document))
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_role("status")).to_contain_text("Coût évité ou effet levier enregistré.")
    claims = browser.get_by_role("region", name="Coûts évités et effets leviers", exact=True)
    expect(claims).to_contain_text(HYPOTHESIS)
    expect(claims.get_by_role("link", name="attestation-bailleur.pdf")).to_be_visible()
    page.shot("cout-evite-documente")

    browser.context.clear_cookies()
    page.login("national_team")
    page.goto(reverse("pilotage:action_detail", args=[mureaux.slug, action.pk]))
    browser.get_by_role("button", name="Marquer comme vérifié : Nuitées d'hôtel social évitées").click()
    expect(browser.get_by_role("status")).to_contain_text("Montant marqué comme vérifié.")
    claim = AvoidedCostClaim.objects.get(description="Nuitées d'hôtel social évitées")
    assert claim.confidence == AvoidedCostClaim.Confidence.VERIFIED

    page.goto(reverse("dashboards:site", args=[mureaux.slug]))
    table = browser.get_by_role("table", name="Coûts évités et effets leviers, par niveau de confiance")
    row = table.get_by_role("row").filter(has_text="Coût évité")
    cells = [_plain(text) for text in row.get_by_role("cell").all_inner_texts()]
    assert "3 640 €" in cells[0] and "2 500 €" in cells[1] and "900 €" in cells[2]
    section = browser.get_by_role("region", name="Coûts évités et effets leviers", exact=True)
    for hypothesis in (HYPOTHESIS, "Hypothèse documentée.", "Hypothèse déclarée seulement."):
        expect(section).to_contain_text(hypothesis)
    page.shot("tableau-de-bord-couts-evites")

    output = tmp_path / "national.pdf"
    call_command("build_report", scope="national", period="2021-Q1", output=str(output))
    text = _plain(
        subprocess.run(["pdftotext", str(output), "-"], capture_output=True, check=True, text=True).stdout
    )
    chapter = text.split("Coûts évités et effets leviers, par niveau de confiance", 1)[1]
    assert "3 640 €" in chapter and "2 500 €" in chapter and "900 €" in chapter
    assert HYPOTHESIS in chapter and "Hypothèse déclarée seulement." in chapter


def test_a_grenoble_sheet_is_published_read_anonymously_then_unpublished(page, browser):
    tab = page.page
    grenoble = Site.objects.get(slug="grenoble")
    action = Action.objects.filter(site=grenoble).first()
    facilitator = _account("animation@grenoble.example.org", Role.Kind.FACILITATOR, grenoble)
    host = _account("direction@grenoble.example.org", Role.Kind.HOST_DIRECTOR, grenoble)
    SiteShowcaseFactory(site=grenoble, is_published=True).achievements.add(action)

    page.login("facilitator", email=facilitator)
    page.goto(reverse("pilotage:action_detail", args=[grenoble.slug, action.pk]))
    tab.get_by_role("link", name="Écrire une fiche d'expérience").click()
    tab.locator("#id_title").fill("Une régie qui fait coopérer bailleur et habitant·es")
    tab.locator("#id_context").fill("Des halls dégradés et des locataires qui ne se parlaient plus.")
    tab.locator("#id_lessons").fill("Inviter le bailleur à chaque atelier, même sans ordre du jour.")
    tab.get_by_role("button", name="Enregistrer").click()
    expect(tab.get_by_role("status")).to_contain_text("Fiche enregistrée")
    tab.get_by_role("button", name="Envoyer en relecture").click()
    expect(tab.get_by_role("status")).to_contain_text("Fiche envoyée en relecture")
    # The demo data hold a published Grenoble sheet of their own: this one is found by its title.
    sheet = ExperienceSheet.objects.get(title="Une régie qui fait coopérer bailleur et habitant·es")

    tab.context.clear_cookies()
    page.login("host_director", email=host)
    page.goto(reverse("sheets:detail", args=[grenoble.slug, sheet.pk]))
    tab.get_by_role("button", name="Valider la relecture").click()
    expect(tab.get_by_role("status")).to_contain_text("Fiche relue")

    tab.context.clear_cookies()
    page.login("national_team")
    page.goto(reverse("sheets:detail", args=[grenoble.slug, sheet.pk]))
    tab.get_by_role("button", name="Publier sur la vitrine").click()
    expect(tab.get_by_role("status")).to_contain_text("Fiche publiée sur la vitrine.")
    page.goto(reverse("sheets:library"))
    expect(
        tab.get_by_role("link", name="Une régie qui fait coopérer bailleur et habitant·es")
    ).to_be_visible()

    visitor = browser.new_context(base_url=page.base_url, locale="fr-FR").new_page()
    public_url = page.url(reverse("showcase:sheet", args=[sheet.pk]))
    visitor.goto(page.url(reverse("showcase:programme")))
    visitor.get_by_role("link", name="Une régie qui fait coopérer bailleur et habitant·es").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        "Une régie qui fait coopérer bailleur et habitant·es"
    )
    expect(visitor.locator("main")).to_contain_text("Inviter le bailleur à chaque atelier")
    assert visitor.url == public_url
    failures = []
    for path in (
        reverse("showcase:programme"),
        reverse("showcase:sheets"),
        reverse("showcase:sheet", args=[sheet.pk]),
        # The demo's public page, with its photo and document (sites/demo.py).
        reverse("showcase:site", args=["marseille"]),
    ):
        visitor.goto(page.url(path))
        violations = axe_violations(visitor)
        if violations:
            failures.append(describe(path, violations))
    assert not failures, "\n".join(failures)

    page.goto(reverse("sheets:detail", args=[grenoble.slug, sheet.pk]))
    tab.get_by_role("button", name="Retirer de la vitrine").click()
    expect(tab.get_by_role("status")).to_contain_text("Fiche retirée de la vitrine.")
    assert visitor.goto(public_url).status == 404
    visitor.context.close()
