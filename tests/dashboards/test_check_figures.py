"""`manage.py check_figures` compares the cached figures too: the site dashboards' rendered
figures and the overview distributions (their documented lag tolerated only with --allow-lag)."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from evaluation.figures import aggregates
from pilotage.models import Meeting
from sites.models import FacilitatorAssignment
from tests.sites.factories import FacilitatorAssignmentFactory

pytestmark = pytest.mark.django_db


def _check(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("check_figures", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit_status:
        return exit_status.code, out.getvalue()
    return 0, out.getvalue()


def test_a_cached_site_dashboard_missing_a_write_is_listed_with_its_section(client, national_team, marseille):
    assignment = FacilitatorAssignmentFactory(site=marseille, fte=Decimal("0.8"), end_date=None)
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    assert "0,80" in client.get(reverse("dashboards:site", args=["marseille"])).content.decode()
    assert _check() == (0, "Aucune différence : chaque chiffre correspond aux données.\n")

    # A write the mechanism misses (its triggers dropped): the cached figures go stale.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER figures_sites_facilitatorassignment_upd ON sites_facilitatorassignment"
            )
        else:
            cursor.execute("DROP TRIGGER figures_sites_facilitatorassignment_upd")
    FacilitatorAssignment.objects.filter(pk=assignment.pk).update(fte=Decimal("0.5"))

    status, out = _check()
    assert status == 1
    assert f"{marseille.name}, tableau de bord, « Animation » : servi « 0,80 »" in out
    assert "recalculé « 0,50 »" in out


def test_a_lagging_overview_figure_is_listed_unless_the_lag_is_allowed(client, national_team, marseille):
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    client.get(reverse("dashboards:national"))  # distributions and charts cached
    Meeting.objects.create(site=marseille, kind=Meeting.Kind.STEERING, date="2021-03-04", title="COPIL")
    aggregates.refresh_all_stale()

    status, out = _check()
    assert status == 1
    assert "national, distribution steering : servi" in out and "décalage documenté" in out
    assert _check("--allow-lag")[0] == 0


def test_a_served_page_of_the_site_table_missing_a_write_is_listed(client, national_team, marseille):
    FacilitatorAssignmentFactory(site=marseille, fte=Decimal("0.8"), end_date=None)
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    page = client.get(reverse("dashboards:national")).content.decode()
    assert "0,8" in page  # the page of the table is now kept under the data version
    assert _check()[0] == 0

    # A write the mechanism misses: the kept page still shows the old FTE, and the check says so.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER figures_sites_facilitatorassignment_upd ON sites_facilitatorassignment"
            )
        else:
            cursor.execute("DROP TRIGGER figures_sites_facilitatorassignment_upd")
    FacilitatorAssignment.objects.filter(site=marseille).update(fte=Decimal("0.5"))

    status, out = _check()
    assert status == 1
    # The row kept for Marseille, shared by the national and the network tables.
    for table in ("national", f"réseau {marseille.network.code}"):
        assert f"{table}, tableau des sites, {marseille.name} : servi « 0,80 », recalculé « 0,50 »" in out
