"""On a phone 320 px wide: the page never scrolls sideways (wide tables and charts scroll inside
their own box), chart text stays at least 12 px on screen, and axe finds no serious violation."""

import pytest
from django.urls import reverse

from tests.browser.axe import axe_violations, describe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 320, "height": 640}

# The page's width as laid out, and the smallest chart text as drawn on screen: the height of its
# box, which for a 12 px font is about 14 px.
MEASURE = """() => ({
  width: document.documentElement.scrollWidth,
  texts: [...document.querySelectorAll('figure.chart svg text')]
    .map(t => t.getBoundingClientRect().height)
    .filter(h => h > 0),
  // Key figures (a number, a date) broken over two lines in their card.
  broken: [...document.querySelectorAll('.stats strong')]
    .filter(e => e.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(e).fontSize))
    .map(e => e.textContent.trim()),
  // What sticks out, outside the boxes that scroll on their own (to name it in the failure).
  wide: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .filter(e => !(e.parentElement && e.parentElement.closest('.table-wrap, .scroll-x')))
    .slice(0, 8)
    .map(e => `${e.tagName.toLowerCase()}.${e.className}`),
})"""


def _check_phone_page(page, path: str) -> list[str]:
    page.goto(path)
    measured = page.page.evaluate(MEASURE)
    problems = []
    if measured["width"] > PHONE["width"]:
        problems.append(f"{path}: la page fait {measured['width']} px de large ({measured['wide']})")
    if measured["texts"] and min(measured["texts"]) < 12:
        problems.append(f"{path}: texte de graphique de {min(measured['texts']):.1f} px de haut")
    if measured["broken"]:
        problems.append(f"{path}: chiffres clés coupés sur deux lignes : {measured['broken']}")
    violations = axe_violations(page.page)
    if violations:
        problems.append(describe(path, violations))
    return problems


def test_the_facilitators_pages_fit_a_320_px_phone(page):
    page.login("facilitator")
    page.page.set_viewport_size(PHONE)
    problems = []
    for path in (
        reverse("dashboards:site", args=["marseille"]),
        reverse("pilotage:meeting_list", args=["marseille"]),
        reverse("pilotage:meeting_create", args=["marseille"]),
        reverse("dashboards:cooperation", args=["marseille"]),
    ):
        problems += _check_phone_page(page, path)
    assert not problems, "\n".join(problems)
    page.goto(reverse("dashboards:site", args=["marseille"]))
    assert page.page.get_by_role("group", name="Période").is_visible()
    page.shot("320px-tableau-de-bord-site")
    page.goto(reverse("pilotage:meeting_create", args=["marseille"]))
    page.shot("320px-formulaire-reunion")
    page.goto(reverse("dashboards:cooperation", args=["marseille"]))
    page.shot("320px-cooperation")


def test_the_national_table_fits_a_320_px_phone(page):
    page.login("national_team")
    page.page.set_viewport_size(PHONE)
    problems = _check_phone_page(page, reverse("dashboards:national"))
    assert not problems, "\n".join(problems)
    # The period chosen on the phone, without any script: the year picker and the button.
    page.page.get_by_label("Une année civile").check()
    page.page.get_by_label("Année", exact=True).select_option("2020")
    page.page.get_by_role("button", name="Filtrer").click()
    page.page.wait_for_url("**annee=2020**")
    assert page.page.get_by_text("Période affichée : 2020.").is_visible()
    assert page.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
