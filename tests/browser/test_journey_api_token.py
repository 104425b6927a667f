"""Journey of a script's token: the préfet delegate of the Nord creates a token in « Mon compte »,
copies the secret shown once, a script reads their three sites with it, the delegate revokes it and
the script is refused at once; the API's documentation (Swagger UI from our static files) works
under the platform's Content-Security-Policy."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.axe import axe_violations, describe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NORD = {"tourcoing", "grande-synthe", "roubaix"}


def test_delegate_creates_uses_and_revokes_a_token_and_reads_the_documentation(page):
    browser = page.page
    page.login("prefet_delegate")
    browser.get_by_role("link", name="Mon compte").click()
    browser.get_by_role("link", name="Jetons d'API").click()
    expect(browser.get_by_role("heading", level=1)).to_have_text("Jetons d'API")
    assert not axe_violations(browser), describe("jetons", axe_violations(browser))

    browser.get_by_label("Nom du jeton").fill("Tableau de suivi DDETS")
    browser.get_by_role("button", name="Créer le jeton").click()
    secret = browser.get_by_label("Jeton « Tableau de suivi DDETS »").input_value()
    assert secret.startswith("atc_")
    assert not axe_violations(browser), describe("jeton créé", axe_violations(browser))
    page.shot("jeton-cree")

    # The script: no session, only the token.
    script = browser.context.browser.new_context(base_url=page.base_url)
    headers = {"Authorization": f"Bearer {secret}"}
    answer = script.request.get("/api/v1/sites/", headers=headers)
    assert answer.status == 200
    assert {row["slug"] for row in answer.json()["results"]} == NORD

    # Back on the page later: the secret is not shown again (it is kept nowhere).
    page.goto(reverse("tokens:token_list"))
    expect(browser.get_by_role("rowheader", name="Tableau de suivi DDETS")).to_be_visible()
    expect(browser.locator("#new-secret")).to_have_count(0)
    assert secret not in browser.content()
    expect(browser.get_by_label("Jeton « Tableau de suivi DDETS »")).to_have_count(0)
    browser.get_by_role("button", name="Révoquer Tableau de suivi DDETS").click()
    expect(browser.get_by_text("est révoqué")).to_be_visible()
    assert script.request.get("/api/v1/sites/", headers=headers).status == 401
    script.close()

    page.goto(reverse("api:docs"))
    expect(browser.locator(".swagger-ui .info .title")).to_contain_text("API de la plateforme ATC")
    expect(browser.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    page.shot("documentation")
