"""Journey of Marseille's host director (issue 15, items 1 and 2), without any page of /admin/:
record a new facilitator at 0.5 FTE and a departure, create a steering committee with 8 seats; the
team page, the committee's composition and the site dashboard then show the new FTE, configuration
and composition. axe runs on every new page (0 serious or critical violations)."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations, describe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NEWCOMER = "Inès Moreau-Lefebvre"
COMMITTEE = "Comité de pilotage élargi — parcours navigateur"
# (organisation typed, category, person, function)
SEATS = [
    ("Préfecture des Bouches-du-Rhône", "state", "Claire Martin", "Déléguée du préfet"),
    ("Ville de Marseille — mairie des 13/14", "local_authority", "Hugo Ferrand", "Élu"),
    ("Métropole Aix-Marseille-Provence", "local_authority", "", "Chargée de mission"),
    ("13 Habitat", "landlord", "Nadia Saïdi", "Responsable d'agence"),
    ("Association Sport Frais Vallon", "association", "Yacine B.", "Président"),
    ("Épicerie solidaire du quartier", "association", "", "Coordinatrice"),
    ("Conseil citoyen des 13/14", "citizens_council", "", "Membre"),
    ("Collectif des habitant·es de la tour B", "residents", "", "Porte-parole"),
]


def _number(text: str) -> Decimal:
    """A figure as the dashboard prints it (`1,3`, `12`) read back as a number."""
    return Decimal(text.strip().replace("\u202f", "").replace("\xa0", "").replace(",", "."))


def _dashboard_figures(browser, watched):
    """The FTE in post and the steering seats, as the site dashboard shows them."""
    watched.goto("/sites/marseille/tableau-de-bord/")
    figures = browser.locator("ul.stats li")
    fte = figures.filter(has_text="ETP d'animation en poste").first.locator("strong").inner_text()
    seats = figures.filter(has_text="Membres de l'instance de pilotage").first.locator("strong").inner_text()
    return _number(fte), _number(seats)


def _axe(browser, name: str, found: list[str]) -> None:
    violations = axe_violations(browser)
    if violations:
        found.append(describe(name, violations))


def test_host_director_records_the_team_and_composes_a_steering_committee(page):
    browser = page.page
    found: list[str] = []
    today = datetime.date.today()
    page.login("host_director")
    fte_before, seats_before = _dashboard_figures(browser, page)

    # The team page, from the site menu.
    page.goto("/sites/marseille/")
    browser.get_by_role("navigation").get_by_role("link", name="Équipe", exact=True).click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text("Animation du site")
    _axe(browser, "team page", found)
    browser.get_by_role("link", name="Enregistrer une arrivée").click()
    _axe(browser, "arrival form", found)
    browser.locator("#id_person_name").fill(NEWCOMER)
    browser.locator("#id_position").select_option("shared")
    browser.locator("#id_fte").fill("0.5")
    browser.locator("#id_contract_type").select_option("cdd")
    browser.locator("#id_start_date").fill(today.isoformat())
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_text("Arrivée enregistrée.")).to_be_visible()
    tenures = browser.get_by_role("table", name=re.compile("Animateur·rices et appuis du site"))
    row = tenures.get_by_role("row").filter(has_text=NEWCOMER)
    expect(row).to_contain_text("Fonction partagée")
    expect(row).to_contain_text("0,50")
    expect(browser.get_by_text("Fonction partagée entre plusieurs professionnel·les").first).to_be_visible()
    page.shot("equipe-arrivee")

    # A departure planned for the end of next month: the person stays in post today.
    leaving = (today.replace(day=1) + datetime.timedelta(days=62)).replace(day=1) - datetime.timedelta(days=1)
    browser.get_by_role("link", name=f"Enregistrer le départ de {NEWCOMER}").click()
    _axe(browser, "departure form", found)
    # Before the arrival: refused in French, nothing lost.
    browser.locator("#id_end_date").fill((today - datetime.timedelta(days=400)).isoformat())
    browser.locator("#id_reason").select_option("mobility")
    browser.locator("#id_handover_note").fill("Dossiers du jardin partagé chez la directrice.")
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_text("Le départ ne peut pas précéder l'arrivée")).to_be_visible()
    expect(browser.locator("#id_handover_note")).to_have_value(
        "Dossiers du jardin partagé chez la directrice."
    )
    _axe(browser, "departure form with errors", found)
    browser.locator("#id_end_date").fill(leaving.isoformat())
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_text("Départ enregistré.")).to_be_visible()
    history = browser.get_by_role("table", name=re.compile("Arrivées, changements"))
    expect(history).to_contain_text(f"Départ le {leaving:%d/%m/%Y}")
    expect(history).to_contain_text("Arrivée le")
    page.shot("equipe-depart")

    # The committees, from the site menu.
    browser.get_by_role("navigation").get_by_role("link", name="Instances", exact=True).click()
    _axe(browser, "committee list", found)
    browser.get_by_role("link", name="Créer l'instance de pilotage").click()
    _axe(browser, "committee form", found)
    browser.locator("#id_name").fill(COMMITTEE)
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text(COMMITTEE)
    for organisation, category, person, function in SEATS:
        browser.get_by_role("link", name="Ajouter un siège").click()
        if organisation == SEATS[0][0]:
            _axe(browser, "seat form", found)
        browser.locator("#id_new_organisation").fill(organisation)
        browser.locator("#id_category").select_option(category)
        browser.locator("#id_person_name").fill(person)
        browser.locator("#id_title").fill(function)
        browser.locator("#id_start_date").fill(today.isoformat())
        browser.get_by_role("button", name="Enregistrer").click()
        expect(browser.get_by_text("Siège enregistré.")).to_be_visible()
    held = browser.get_by_role("table", name="Sièges occupés aujourd'hui")
    expect(held.locator("tbody tr")).to_have_count(8)
    composition = browser.get_by_role("table", name=re.compile("Sièges occupés à la fin de chaque trimestre"))
    today_row = composition.get_by_role("row").filter(has_text="aujourd'hui")
    expect(today_row.locator("td").last).to_have_text("8")
    expect(composition.get_by_role("columnheader", name="Collectivité territoriale")).to_be_visible()
    _axe(browser, "committee detail", found)
    page.shot("instance-composee")

    fte_after, seats_after = _dashboard_figures(browser, page)
    assert fte_after == fte_before + Decimal("0.5")
    assert seats_after == seats_before + 8
    expect(browser.get_by_text("Conseil citoyen").first).to_be_visible()
    page.shot("tableau-de-bord")
    assert "/admin/" not in browser.url
    assert not found, "\n".join(found)
