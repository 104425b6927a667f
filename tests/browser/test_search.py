"""The header's search field in a real browser, keyboard only: the facilitator types words, presses
Enter, reads Marseille's results grouped by kind, and follows one."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_facilitator_searches_from_the_header_with_the_keyboard(page):
    page.login("facilitator")
    page.goto("/")
    field = page.page.get_by_role("search", name="Rechercher sur la plateforme").get_by_label("Recherche")
    field.focus()
    page.page.keyboard.type("aide alimentaire")
    page.page.keyboard.press("Enter")
    page.page.wait_for_url("**/recherche/?q=*")
    assert page.page.get_by_role("heading", level=1).inner_text() == "Recherche"
    status = page.page.get_by_role("status").first.inner_text()
    assert "pour « aide alimentaire »" in status and not status.startswith("0 ")
    results = page.page.locator(".search-result")
    assert results.count() >= 1
    assert all("Marseille" in results.nth(n).inner_text() for n in range(results.count()))
    first = results.first.get_by_role("link")
    first.focus()
    with page.page.expect_navigation():
        page.page.keyboard.press("Enter")
    assert "/sites/marseille/" in page.page.url
