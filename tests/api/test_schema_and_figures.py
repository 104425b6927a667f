"""The OpenAPI schema validates, its documentation is served from our own files, and a client
written from the schema alone reads the national figures for 2021 equal to the national table's."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from jsonschema.exceptions import ValidationError as JsonSchemaError
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from evaluation.figures.multisite import FIGURES
from sites.models import Site
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.sites.factories import FacilitatorAssignmentFactory, PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_the_openapi_schema_validates(schema):
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in (
        "/api/v1/sites/",
        "/api/v1/networks/",
        "/api/v1/qpv/",
        "/api/v1/meetings/",
        "/api/v1/actions/",
        "/api/v1/findings/",
        "/api/v1/readings/",
        "/api/v1/indicators/",
        "/api/v1/indicator-values/",
        "/api/v1/figures/",
        "/api/v1/reports/",
        "/api/v1/reports/{id}/download/",
    ):
        assert path in paths, path
    assert {"jeton", "session"} <= set(schema["components"]["securitySchemes"])
    # Read only: no operation other than GET.
    assert {method for item in schema["paths"].values() for method in item} <= {"get", "parameters"}


def test_the_documentation_is_served_from_our_own_static_files(client, db):
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "http://" not in html and "https://" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # The page's own script comes from our address too ('self'), not an inline block.
    assert "<script>" not in html
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert reverse("api:schema") in script.content.decode()
    assert "style-src 'self' 'unsafe-inline'" in page["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in page["Content-Security-Policy"]


def test_other_pages_keep_the_strict_style_policy(client, facilitator):
    client.force_login(facilitator)
    policy = client.get(reverse("tokens:token_list"))["Content-Security-Policy"]
    assert "style-src 'self';" in policy


def _seed_2020_to_2022():
    """Meetings, actions, partners and facilitators on four sites across three years."""
    sites = list(Site.objects.filter(slug__in=["marseille", "roubaix", "grenoble", "tourcoing"]))
    for index, site in enumerate(sites):
        FacilitatorAssignmentFactory(site=site, fte=Decimal("0.5") + Decimal(index) / 10)
        for year in (2020, 2021, 2022):
            for month in (2, 5, 11):
                MeetingFactory(
                    site=site,
                    date=datetime.date(year, month, 10),
                    attendees_state=index + 1,
                    attendees_residents=month,
                    attendees_association=year - 2019,
                )
            MeetingFactory(
                site=site, steering=True, date=datetime.date(year, 6, 1), attendees_residents=index
            )
            ActionFactory(
                site=site,
                start_date=datetime.date(year, 3, 1),
                end_date=datetime.date(year, 9, 1),
                residents_reached=10 * (index + 1),
                partners=[PartnerOrganisationFactory(site=site)],
            )


def _operation(schema, path):
    return schema["paths"][path]["get"]


def _response_schema(schema, operation):
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_a_client_written_from_the_schema_reads_the_national_figures_of_2021(
    client, api_client, schema, national_team
):
    _seed_2020_to_2022()
    # The client knows only the schema: the figures' path, its `period` parameter, its answer.
    path = next(p for p, item in schema["paths"].items() if item["get"]["operationId"] == "figures_retrieve")
    operation = _operation(schema, path)
    assert "period" in {param["name"] for param in operation["parameters"]}
    api = api_client(national_team)
    answer = api.get(path, {"period": "2021"})
    assert answer.status_code == 200
    body = answer.json()
    validator = OAS30Validator({"components": schema["components"], **_response_schema(schema, operation)})
    validator.validate(body)
    # The validator reads the components: a count that is not a number would be caught.
    wrong = {**body, "sites": [{**body["sites"][0], "meetings_count": "quatre"}]}
    with pytest.raises(JsonSchemaError):
        validator.validate(wrong)
    assert body["period"] == {"label": "2021", "first_quarter": "2021-01-01", "last_quarter": "2021-10-01"}
    served = {row["name"]: row for row in body["sites"]}

    client.force_login(national_team)
    table = client.get(reverse("dashboards:national"), {"du": "2021-T1", "au": "2021-T4"}).context["table"]
    assert len(served) == table.total == 15
    for row in table.rows:
        figures = served[row.name]
        assert Decimal(figures["fte"]) == row.fte
        for name in FIGURES:
            expected = getattr(row, name)
            assert figures[name] == (None if expected is None else pytest.approx(expected)), (row.name, name)
    marseille = next(row for row in body["sites"] if row["site"] == "marseille")
    assert marseille["meetings_count"] == 4
    assert marseille["steering"] == 1
    assert marseille["actions_count"] == 1

    # And the national table's CSV export, as a person downloads it, reads the same counts.
    exported = client.get(
        reverse("dashboards:national_export", args=["csv"]), {"du": "2021-T1", "au": "2021-T4"}
    ).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(exported), delimiter=";"))[1:]
    for line in lines:
        figures = served[line[0]]
        assert int(line[4]) == figures["meetings_count"]
        assert int(line[5]) == figures["steering"]
        assert int(line[8]) == figures["actions_count"]
        assert int(line[10]) == figures["reached"]


def test_figures_of_2021_differ_from_all_time(api_client, national_team):
    _seed_2020_to_2022()
    api = api_client(national_team)
    year = {row["site"]: row for row in api.get(reverse("api:figures"), {"period": "2021"}).json()["sites"]}
    always = {row["site"]: row for row in api.get(reverse("api:figures")).json()["sites"]}
    assert year["marseille"]["meetings_count"] == 4
    assert always["marseille"]["meetings_count"] > year["marseille"]["meetings_count"]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2021-02-01..2021-03-15", "Les chiffres sont trimestriels"),
        ("hier", "Période illisible"),
        ("9999", "entre"),
        ("2021\x00", "Valeur illisible"),
        ("x" * 5000, "Valeur illisible"),
    ],
)
def test_a_bad_period_answers_400_in_french(api_client, national_team, period, message):
    response = api_client(national_team).get(reverse("api:figures"), {"period": period})
    assert response.status_code == 400
    assert message in response.json()["period"][0]
