"""Steps of the site team's journeys (issue 15), shared by the browser tests that walk them: record
a newcomer at 0.5 FTE and their planned departure, compose a steering committee of 8 seats, read the
site dashboard's figures — every step through the platform's pages, none through /admin/."""

import datetime
import re
from decimal import Decimal

from playwright.sync_api import expect

from tests.browser.axe import axe_violations, describe

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


def number(text: str) -> Decimal:
    """A figure as the pages print it (`1,3`, `12`) read back as a number."""
    return Decimal(text.strip().replace("\u202f", "").replace("\xa0", "").replace(",", "."))


def dashboard_figures(page) -> tuple[Decimal, Decimal]:
    """The FTE in post and the steering seats, as Marseille's site dashboard shows them."""
    browser = page.page
    page.goto("/sites/marseille/tableau-de-bord/")
    figures = browser.locator("ul.stats li")
    fte = figures.filter(has_text="ETP d'animation en poste").first.locator("strong").inner_text()
    seats = figures.filter(has_text="Membres de l'instance de pilotage").first.locator("strong").inner_text()
    return number(fte), number(seats)


def check_axe(page, name: str, found: list[str]) -> None:
    """Adds axe's serious or critical violations on the current page to `found`."""
    violations = axe_violations(page.page)
    if violations:
        found.append(describe(name, violations))


def record_newcomer_and_departure(page, found: list[str], today: datetime.date) -> datetime.date:
    """From Marseille's home: the newcomer arrives today at 0.5 FTE in a shared role; their departure,
    first typed before the arrival (refused, nothing lost), is recorded for the end of next month.
    Returns the day of the departure."""
    browser = page.page
    page.goto("/sites/marseille/")
    browser.get_by_role("navigation").get_by_role("link", name="Équipe", exact=True).click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text("Animation du site")
    check_axe(page, "team page", found)
    browser.get_by_role("link", name="Enregistrer une arrivée").click()
    check_axe(page, "arrival form", found)
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
    check_axe(page, "departure form", found)
    browser.locator("#id_end_date").fill((today - datetime.timedelta(days=400)).isoformat())
    browser.locator("#id_reason").select_option("mobility")
    browser.locator("#id_handover_note").fill("Dossiers du jardin partagé chez la directrice.")
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_text("Le départ ne peut pas précéder l'arrivée")).to_be_visible()
    expect(browser.locator("#id_handover_note")).to_have_value(
        "Dossiers du jardin partagé chez la directrice."
    )
    check_axe(page, "departure form with errors", found)
    browser.locator("#id_end_date").fill(leaving.isoformat())
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_text("Départ enregistré.")).to_be_visible()
    history = browser.get_by_role("table", name=re.compile("Arrivées, changements"))
    expect(history).to_contain_text(f"Départ le {leaving:%d/%m/%Y}")
    expect(history).to_contain_text("Arrivée le")
    page.shot("equipe-depart")
    return leaving


def compose_steering_committee(page, found: list[str], today: datetime.date) -> None:
    """From the site menu: a steering committee with the 8 seats of SEATS, held from today."""
    browser = page.page
    browser.get_by_role("navigation").get_by_role("link", name="Instances", exact=True).click()
    check_axe(page, "committee list", found)
    browser.get_by_role("link", name="Créer l'instance de pilotage").click()
    check_axe(page, "committee form", found)
    browser.locator("#id_name").fill(COMMITTEE)
    browser.get_by_role("button", name="Enregistrer").click()
    expect(browser.get_by_role("heading", level=1)).to_contain_text(COMMITTEE)
    for organisation, category, person, function in SEATS:
        browser.get_by_role("link", name="Ajouter un siège").click()
        if organisation == SEATS[0][0]:
            check_axe(page, "seat form", found)
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
    check_axe(page, "committee detail", found)
    page.shot("instance-composee")
