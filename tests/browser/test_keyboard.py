"""The meeting form with the keyboard only: the skip link, every field reached by Tab in the
order of the page, a visible focus, and Enter to save."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from pilotage.models import Meeting

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    key: el.id || el.getAttribute('name') || el.textContent.trim(), text: el.textContent.trim(),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
  };
}"""
FIELDS_IN_ORDER = """() => Array.from(document.querySelectorAll('main form[method=post]'))
  .pop().querySelectorAll('input:not([type=hidden]), select, textarea, button')
  .values().filter(el => !el.disabled)
  .map(el => el.id || el.getAttribute('name') || el.textContent.trim()).toArray()"""


def test_meeting_form_works_with_the_keyboard_only(page):
    browser = page.page
    page.login("facilitator")
    page.goto(reverse("pilotage:meeting_create", args=["marseille"]))

    browser.keyboard.press("Tab")
    focused = browser.evaluate(FOCUSED)
    assert focused["text"] == "Aller au contenu"
    assert focused["outline"] or focused["shadow"], "the skip link's focus is invisible"
    browser.keyboard.press("Enter")
    assert browser.evaluate("document.activeElement.id") == "contenu"

    expected = browser.evaluate(FIELDS_IN_ORDER)
    reached = []
    for _ in range(len(expected) + 40):
        browser.keyboard.press("Tab")
        focused = browser.evaluate(FOCUSED)
        key = focused["key"]
        if key in expected and key not in reached:
            assert focused["outline"] or focused["shadow"], f"no visible focus on {key}"
            reached.append(key)
        if len(reached) == len(expected):
            break
    # Radio groups take one Tab stop each: a member's presence is chosen with the arrow keys.
    stops = [key for key in expected if not key.startswith("id_presence_")]
    assert [key for key in reached if not key.startswith("id_presence_")] == stops[
        : len([key for key in reached if not key.startswith("id_presence_")])
    ]
    assert set(stops) <= set(reached), set(stops) - set(reached)
    page.shot("clavier-parcouru")

    browser.locator("#id_kind").focus()
    browser.keyboard.press("ArrowDown")
    browser.locator("#id_title").focus()
    browser.keyboard.type("Atelier saisi au clavier")
    browser.keyboard.press("Enter")
    expect(browser.get_by_text("Réunion enregistrée.")).to_be_visible()
    meeting = Meeting.objects.get(title="Atelier saisi au clavier")
    # The date field starts at today's date.
    assert meeting.date == timezone.localdate()
    page.shot("enregistree-au-clavier")


def test_a_status_changed_on_the_board_moves_the_card_without_a_reload(page):
    """On the action board, a new status chosen with the keyboard moves the card to its column at
    once (htmx), the column counts follow, and the focus lands on the card's message."""
    browser = page.page
    page.login("facilitator")
    page.goto(reverse("pilotage:action_board", args=["marseille"]))
    card = browser.locator(".board-column:not(:has(#column-done)) li.action-card").first
    title = card.locator("h3").inner_text()
    done_before = int(browser.locator("#column-done .badge").inner_text())
    select = card.locator("select")
    select.focus()
    select.select_option("done")
    browser.keyboard.press("Tab")  # to the card's "Valider" button
    browser.keyboard.press("Enter")
    done_column = browser.locator("#column-done").locator("xpath=..")
    expect(done_column.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(browser.locator("#column-done .badge")).to_have_text(str(done_before + 1))
    message = f"État de « {title} » : Réalisée."
    expect(browser.get_by_text(message)).to_be_focused()
    page.shot("action-deplacee")
