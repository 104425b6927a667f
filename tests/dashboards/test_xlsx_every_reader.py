"""« Télécharger tous les tableaux (XLSX) » on the demo data: every reader of a site dashboard gets a
workbook that a spreadsheet opens, with the labels of every table (an independent reader: openpyxl)."""

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from atc.models import User
from sites.demo import ACCOUNTS
from sites.models import Site

pytestmark = pytest.mark.django_db

READERS = [email for email, *_rest in ACCOUNTS if not email.startswith("admin")]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("email", READERS)
def test_every_reader_downloads_every_site_workbook(demo, client, email):
    user = User.objects.get(email=email)
    client.force_login(user)
    sites = list(Site.objects.for_user(user))
    assert sites, "each persona reads at least one site dashboard"
    for site in sites:
        response = client.get(reverse("dashboards:site_export", args=[site.slug, "tout", "xlsx"]))
        assert response.status_code == 200, site.slug
        workbook = load_workbook(io.BytesIO(response.content))
        status = workbook["Actions par état"]
        assert status["A1"].value == "État"
        assert status.max_row > 1, f"{site.slug}: the demo has actions on every site"
        states = {row[0] for row in status.iter_rows(min_row=2, values_only=True)}
        assert all(isinstance(s, str) and s for s in states)
        assert workbook["Animation"]["A1"].value == "Personne"
