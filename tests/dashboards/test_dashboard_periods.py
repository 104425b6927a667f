"""Every dashboard counts the period in its URL, and so do its exports: a meeting outside the
range is not counted; a period that cannot be read gets a French message, never a 500."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.dashboards.displayed import displayed_rows
from tests.dashboards.factories import MeetingFactory, PartnerOrganisationFactory

D = datetime.date
YEAR_2021 = {"periode": "annee", "annee": "2021"}


@pytest.fixture
def meetings_2021_and_2023(marseille):
    """Marseille: a steering committee and a workshop in 2021 with two partners, one in 2023."""
    partners = [PartnerOrganisationFactory(site=marseille), PartnerOrganisationFactory(site=marseille)]
    for meeting in (
        MeetingFactory(site=marseille, steering=True, date=D(2021, 3, 4)),
        MeetingFactory(site=marseille, date=D(2021, 5, 6)),
        MeetingFactory(site=marseille, steering=True, date=D(2023, 9, 1)),
    ):
        meeting.organisations.set(partners)
    return marseille


def _stat(html: str, key: str) -> str:
    """The number a dashboard shows beside a figure's label."""
    match = re.search(rf'<strong>([^<]*)</strong>\s*<span[^>]*data-figure="{key}"', html)
    assert match, key
    return match[1].strip()


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))


def test_the_site_dashboard_counts_only_the_period_in_its_url(client, national_team, meetings_2021_and_2023):
    client.force_login(national_team)
    url = reverse("dashboards:site", args=["marseille"])
    html = client.get(url, YEAR_2021).content.decode()
    assert "Période affichée : 2021." in html
    assert _stat(html, "steering_meetings_period") == "1"
    assert _stat(html, "steering_meetings_total") == "2"  # « depuis le début »: every one
    assert "T3 2023" not in html.split('id="steering-title"')[1]
    whole = client.get(url).content.decode()
    assert "Période affichée : T3 2019 – " in whole
    assert _stat(whole, "steering_meetings_period") == "2"
    later = client.get(url, {"du": "2023-T1", "au": "2023-T4"}).content.decode()
    assert _stat(later, "steering_meetings_period") == "1"
    assert "T1 2021" not in later.split('id="steering-title"')[1]


def test_the_site_exports_follow_the_period_of_the_page(client, national_team, meetings_2021_and_2023):
    client.force_login(national_team)
    page = client.get(reverse("dashboards:site", args=["marseille"]), YEAR_2021).content.decode()
    attendance = reverse("dashboards:site_export", args=["marseille", "steering-attendance", "csv"])
    assert f'href="{attendance}?periode=annee&amp;annee=2021"' in page
    export = reverse("dashboards:site_export", args=["marseille", "meetings", "csv"])
    rows = _csv(client.get(export, YEAR_2021))
    assert [row[0] for row in rows[1:]] == ["T1 2021", "T2 2021", "T3 2021", "T4 2021"]
    assert [row[-1] for row in rows[1:]] == ["1", "1", "0", "0"]
    workbook = load_workbook(
        io.BytesIO(client.get(export.replace("meetings.csv", "tout.xlsx"), YEAR_2021).content)
    )
    quarters = [
        row[0] for row in workbook["Carnet de bord par trimestre"].iter_rows(min_row=2, values_only=True)
    ]
    assert quarters == ["T1 2021", "T2 2021", "T3 2021", "T4 2021"]


def test_the_cooperation_map_counts_the_pairs_of_the_period(client, national_team, meetings_2021_and_2023):
    client.force_login(national_team)
    url = reverse("dashboards:cooperation", args=["marseille"])
    assert _stat(client.get(url, YEAR_2021).content.decode(), "partner_pairs") == "1"
    assert _stat(client.get(url, {"annee": "2022"}).content.decode(), "partner_pairs") == "0"
    export = reverse("dashboards:cooperation_export", args=["marseille", "csv"])
    assert _csv(client.get(export, YEAR_2021))[1][-1] == "2"  # together at 2021's two meetings
    assert len(_csv(client.get(export, {"annee": "2022"}))) == 1  # the headers only


OVERVIEWS = {
    "national": lambda: reverse("dashboards:national"),
    "network": lambda: reverse("dashboards:network", args=["fcsf"]),
    "my_sites": lambda: reverse("dashboards:my_sites"),
}


def _marseille_row(response):
    return displayed_rows(response)["marseille"]


@pytest.mark.parametrize("name", OVERVIEWS)
def test_the_site_tables_count_only_the_period_in_their_url(
    client, national_team, meetings_2021_and_2023, name
):
    client.force_login(national_team)
    url = OVERVIEWS[name]()
    assert _marseille_row(client.get(url)).meetings_count == 3
    response = client.get(url, YEAR_2021)
    assert _marseille_row(response).meetings_count == 2
    assert "Période affichée : 2021." in response.content.decode()
    assert _marseille_row(client.get(url, {"periode": "4-derniers-trimestres"})).meetings_count == 0
    export = reverse(f"dashboards:{name}_export", args=[*(["fcsf"] if name == "network" else []), "csv"])
    assert f"{export}?periode=annee&amp;annee=2021" in response.content.decode()
    rows = _csv(client.get(export, YEAR_2021))
    assert rows[0][4] == "Réunions"
    assert next(row for row in rows if row[0].startswith("Marseille"))[4] == "2"


HOSTILE = [
    ({"du": "9999-T9"}, "Période illisible"),
    ({"du": "2024-T3", "au": "2020-T1"}, "suit celui de fin"),
    ({"du": "2000-T1", "au": "2100-T4"}, "comprise dans l&#x27;expérimentation"),
    ({"annee": "1" * 400}, "Année illisible"),
    ({"periode": "<b>x</b>"}, "Période inconnue"),
]


@pytest.mark.parametrize(("params", "said"), HOSTILE)
@pytest.mark.parametrize(
    "url",
    [
        lambda: reverse("dashboards:site", args=["marseille"]),
        lambda: reverse("dashboards:cooperation", args=["marseille"]),
        lambda: reverse("dashboards:national"),
    ],
)
def test_a_period_that_cannot_be_read_is_said_in_french_and_the_experiment_shown(
    client, national_team, marseille, url, params, said
):
    client.force_login(national_team)
    response = client.get(url(), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert said in html
    assert "L&#x27;expérimentation entière est affichée." in html
    assert "Période affichée : T3 2019 – " in html
    assert "<b>x</b>" not in html


@pytest.mark.parametrize(("params", "said"), HOSTILE)
def test_an_export_of_a_period_that_cannot_be_read_says_why_instead_of_a_file(
    client, national_team, marseille, params, said
):
    client.force_login(national_team)
    for export in (
        reverse("dashboards:national_export", args=["xlsx"]),
        reverse("dashboards:site_export", args=["marseille", "tout", "xlsx"]),
        reverse("dashboards:cooperation_export", args=["marseille", "csv"]),
    ):
        response = client.get(export, params)
        assert response.status_code == 400
        assert said.replace("&#x27;", "'") in response.content.decode()
