"""Accessibility in a real Chromium: axe-core finds no serious or critical violation on the main
pages of each role (RGAA 4.1 / WCAG 2.1 AA rules), and the meeting form works with the keyboard only.
"""

import pytest
from django.urls import reverse

from pilotage.models import Action, Meeting
from tests.atc.factories import NotificationFactory
from tests.browser.axe import axe_violations, describe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _marseille_pages():
    meeting = Meeting.objects.filter(site__slug="marseille").exclude(decisions=None).first()
    action = Action.objects.filter(site__slug="marseille").first()
    site = ("marseille",)
    return [
        reverse("home"),
        reverse("sites:site_home", args=site),
        reverse("pilotage:meeting_list", args=site),
        reverse("pilotage:meeting_create", args=site),
        reverse("pilotage:meeting_detail", args=[*site, meeting.pk]),
        reverse("pilotage:meeting_edit", args=[*site, meeting.pk]),
        reverse("pilotage:action_board", args=site),
        reverse("pilotage:action_list", args=site),
        reverse("pilotage:action_create", args=site),
        reverse("pilotage:action_detail", args=[*site, action.pk]),
        reverse("diagnostics:finding_list", args=site),
        reverse("diagnostics:finding_create", args=site),
        reverse("diagnostics:assessment_overview", args=site),
        reverse("diagnostics:assessment_entry", args=site),
        reverse("diagnostics:coverage", args=site),
        reverse("evaluation:logbook_list", args=site),
        reverse("evaluation:logbook_create", args=site),
        reverse("partners:partner_list", args=site),
        reverse("partners:partner_create", args=site),
        reverse("dashboards:site", args=site),
        reverse("dashboards:cooperation", args=site),
        reverse("dashboards:my_sites"),
        reverse("account_change_password"),
        reverse("search:results") + "?q=atelier",
        reverse("search:results") + "?q=atelier&type=reunions",
        *_notification_pages("facilitator@example.org"),
    ]


def _notification_pages(email):
    """The inbox with an unread and a read notification, and the preferences form."""
    from atc.models import User

    person = User.objects.get(email=email)
    NotificationFactory(recipient=person, url=reverse("sites:site_home", args=["marseille"]))
    NotificationFactory(recipient=person, read=True)
    return [reverse("notifications:inbox"), reverse("notifications:preferences")]


def _delegate_pages():
    site = ("tourcoing",)
    return [
        reverse("home"),
        reverse("sites:site_home", args=site),
        reverse("pilotage:meeting_list", args=site),
        reverse("pilotage:action_board", args=site),
        reverse("diagnostics:finding_list", args=site),
        reverse("dashboards:site", args=site),
        reverse("dashboards:my_sites"),
        reverse("comments:mine"),
        # The refusal page a delegate meets outside the Nord.
        reverse("sites:site_home", args=["marseille"]),
    ]


def _coordinator_pages():
    return [
        reverse("home"),
        reverse("sites:site_home", args=["aubenas"]),
        reverse("dashboards:network", args=["fcsf"]),
        reverse("definitions:index"),
    ]


def _national_pages():
    from atc.models import User

    person = User.objects.get(email="facilitator@example.org")
    return [
        reverse("home"),
        reverse("sites:site_home", args=["grenoble"]),
        reverse("people"),
        reverse("person_invite"),
        reverse("person_detail", args=[person.pk]),
        reverse("dashboards:national"),
        reverse("reports:report_list"),
        reverse("reports:report_request"),
        reverse("reports:schedule_list"),
        reverse("reports:schedule_create"),
        reverse("search:results") + "?q=stock+alimentaire",
    ]


PAGES = {
    "facilitator": _marseille_pages,
    "prefet_delegate": _delegate_pages,
    "network_coordinator": _coordinator_pages,
    "national_team": _national_pages,
}


def _audit(page, paths) -> list[str]:
    failures = []
    for path in paths:
        page.goto(path)
        violations = axe_violations(page.page)
        if violations:
            failures.append(describe(path, violations))
    return failures


def test_sign_in_and_password_reset_pages_have_no_serious_violation(page):
    failures = _audit(
        page, [reverse("account_login"), reverse("account_reset_password"), reverse("opendata:index")]
    )
    page.goto(reverse("account_login"))
    page.page.get_by_role("button", name="Se connecter").click()
    failures += _audit_current(page, "connexion refusée (champs vides)")
    assert not failures, "\n".join(failures)


def _audit_current(page, label: str) -> list[str]:
    violations = axe_violations(page.page)
    return [describe(label, violations)] if violations else []


@pytest.mark.parametrize("persona", PAGES)
def test_main_pages_of_each_role_have_no_serious_violation(page, persona):
    page.login(persona)
    failures = _audit(page, PAGES[persona]())
    assert not failures, "\n".join(failures)


def test_meeting_form_with_errors_has_no_serious_violation(page):
    page.login("facilitator")
    page.goto(reverse("pilotage:meeting_create", args=["marseille"]))
    page.page.get_by_role("button", name="Enregistrer la réunion").click()
    page.page.wait_for_selector(".invalid-feedback")
    failures = _audit_current(page, "formulaire de réunion avec erreurs")
    assert not failures, "\n".join(failures)


def test_the_audit_catches_a_field_without_label(page):
    page.goto(reverse("account_login"))
    page.page.evaluate(
        "document.querySelector('label[for=id_login]').remove();"
        "document.querySelector('#id_login').removeAttribute('placeholder');"
    )
    violations = axe_violations(page.page)
    assert "label" in {violation["id"] for violation in violations}
