"""The avoided-costs ledger: the Les Mureaux team records claims with their hypothesis and a
document, the national team verifies them; dashboards, exports and reports keep the verified,
documented and declared totals apart, each with its hypotheses."""

import csv
import datetime
import html
import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from atc.models import Role
from pilotage.models import AvoidedCostClaim
from sites.models import Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.pilotage.factories import PDF_BYTES, ActionFactory, ClaimFactory

HYPOTHESIS = "Trois expulsions évitées ; coût moyen d'une expulsion estimé à 4 500 € par la préfecture."


def _plain(text: str) -> str:
    return " ".join(html.unescape(text).replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture
def mureaux(db):
    return Site.objects.get(city="Les Mureaux")


@pytest.fixture
def mureaux_team(mureaux):
    user = UserFactory(email="animation@mureaux.example.org")
    RoleFactory(user=user, kind=Role.Kind.FACILITATOR, sites=[mureaux])
    return user


@pytest.fixture
def action(mureaux):
    return ActionFactory(site=mureaux, title="Médiation locative partagée")


def _post(action, **changes):
    data = {
        "kind": "avoided",
        "description": "Expulsions locatives évitées",
        "amount": "13500",
        "quantity": "3",
        "unit": "expulsions",
        "period_start": "2021-01-01",
        "period_end": "2021-06-30",
        "hypothesis": HYPOTHESIS,
        "source": "team",
        "source_detail": "Courrier du bailleur",
        "documented": "on",
        "upload": SimpleUploadedFile("courrier-bailleur.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _create_url(action):
    return reverse("ledger:claim_create", args=[action.site.slug, action.pk])


def test_the_team_records_a_documented_claim_and_the_national_team_verifies_it(
    client, mureaux_team, national_team, action
):
    client.force_login(mureaux_team)
    response = client.post(_create_url(action), _post(action))

    assert response.status_code == 302
    claim = AvoidedCostClaim.objects.get()
    assert claim.confidence == AvoidedCostClaim.Confidence.DOCUMENTED
    assert claim.document.original_name == "courrier-bailleur.pdf"
    assert claim.document.action == action  # kept with the action's attachments
    page = _plain(client.get(response["Location"]).content.decode())
    assert HYPOTHESIS in page and "13 500 €" in page and "Documenté" in page
    assert "Marquer comme vérifié" not in page  # the team does not verify its own claim

    client.force_login(national_team)
    client.post(reverse("ledger:claim_verify", args=[action.site.slug, claim.pk]))

    claim.refresh_from_db()
    assert claim.confidence == AvoidedCostClaim.Confidence.VERIFIED
    assert claim.verified_by == national_team and claim.verified_at is not None
    page = _plain(
        client.get(reverse("pilotage:action_detail", args=[action.site.slug, action.pk])).content.decode()
    )
    assert f"Vérifié par {national_team} le {claim.verified_at:%d/%m/%Y}" in page


def test_a_declared_claim_cannot_be_verified(client, national_team, action):
    claim = ClaimFactory(site=action.site, action=action)
    client.force_login(national_team)

    response = client.post(reverse("ledger:claim_verify", args=[action.site.slug, claim.pk]), follow=True)

    claim.refresh_from_db()
    assert claim.confidence == AvoidedCostClaim.Confidence.DECLARED
    assert "Seul un montant documenté" in response.content.decode()


def test_changing_a_verified_claim_withdraws_the_verification(client, mureaux_team, national_team, action):
    claim = ClaimFactory(site=action.site, action=action, documented=True)
    claim.confidence, claim.verified_by = AvoidedCostClaim.Confidence.VERIFIED, national_team
    claim.save()
    client.force_login(mureaux_team)

    client.post(
        reverse("ledger:claim_edit", args=[action.site.slug, claim.pk]),
        _post(action, upload=None, source="partner", amount="2000"),
    )

    claim.refresh_from_db()
    assert claim.amount == Decimal("2000")
    assert claim.confidence == AvoidedCostClaim.Confidence.DOCUMENTED and claim.verified_by is None


def test_totals_keep_the_confidence_levels_apart_with_their_hypotheses(
    client, mureaux_team, action, tmp_path
):
    ClaimFactory(
        site=action.site, action=action, documented=True, amount=Decimal("1000"), hypothesis="H-documentée"
    )
    ClaimFactory(site=action.site, action=action, amount=Decimal("250"), hypothesis="H-déclarée")
    verified = ClaimFactory(
        site=action.site, action=action, documented=True, amount=Decimal("4000"), hypothesis="H-vérifiée"
    )
    AvoidedCostClaim.objects.filter(pk=verified.pk).update(confidence=AvoidedCostClaim.Confidence.VERIFIED)
    ClaimFactory(
        site=action.site,
        action=action,
        kind=AvoidedCostClaim.Kind.LEVERAGE,
        amount=Decimal("20000"),
        hypothesis="H-levier",
    )
    client.force_login(mureaux_team)

    page = client.get(reverse("dashboards:site", args=[action.site.slug])).content.decode()

    section = _plain(page.split('id="couts-evites"', 1)[1].split("</section>", 1)[0])
    row = section.split("Coût évité", 1)[1].split("</tr>", 1)[0]
    cells = [_plain(cell.split("</td>")[0]) for cell in row.split("<td>")[1:]]
    assert ["4 000 €" in cells[0], "1 000 €" in cells[1], "250 €" in cells[2]] == [True, True, True]
    assert "5 250" not in section  # never a sum across levels
    for hypothesis in ("H-documentée", "H-déclarée", "H-vérifiée", "H-levier"):
        assert hypothesis in section

    output = tmp_path / "national.pdf"
    call_command("build_report", scope="national", period="2021-Q1", output=str(output))
    text = _plain(
        subprocess.run(["pdftotext", str(output), "-"], capture_output=True, check=True, text=True).stdout
    )
    chapter = text.split("Coûts évités et effets leviers, par niveau de confiance", 1)[1]
    assert "Vérifié" in chapter and "Documenté" in chapter and "Déclaré" in chapter
    assert "4 000 €" in chapter and "1 000 €" in chapter and "250 €" in chapter and "20 000 €" in chapter
    for hypothesis in ("H-documentée", "H-déclarée", "H-vérifiée", "H-levier"):
        assert hypothesis in chapter


def test_the_export_gives_one_row_per_claim_with_its_level(client, national_team, action):
    ClaimFactory(site=action.site, action=action, documented=True, description='=HYPERLINK("x")')
    client.force_login(national_team)

    response = client.get(reverse("exports:export_download", args=["couts-evites", "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][12] == "Niveau de confiance"
    assert rows[1][0] == action.site.name and rows[1][12] == "Documenté"
    assert rows[1][3].startswith("'=")  # a formula stays text

    response = client.get(reverse("exports:export_download", args=["couts-evites", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert values[9] == ClaimFactory._meta.model.objects.get().hypothesis


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-50"}, "amount", "Indiquez un montant entre 0 et 1 000 000 000 €."),
        ({"amount": "99999999999999"}, "amount", "Indiquez un montant entre 0 et 1 000 000 000 €."),
        ({"amount": "", "quantity": ""}, "amount", "Indiquez un montant en euros, une quantité"),
        ({"quantity": "5", "unit": ""}, "unit", "Indiquez l'unité de la quantité"),
        ({"period_start": "9999-12-31"}, "period_start", "Indiquez une date entre le"),
        ({"period_end": "2020-01-01"}, "period_end", "La fin de la période doit suivre son début."),
        ({"hypothesis": ""}, "hypothesis", "Expliquez l'hypothèse et le calcul"),
        ({"upload": None, "source_detail": ""}, "documented", "Pour le niveau « documenté »"),
    ],
)
def test_bad_input_saves_nothing_and_says_what_to_do(client, mureaux_team, action, changes, field, message):
    client.force_login(mureaux_team)

    response = client.post(_create_url(action), _post(action, **changes))

    assert response.status_code == 200
    assert not AvoidedCostClaim.objects.exists()
    assert not action.attachments.exists()
    page = html.unescape(response.content.decode())
    assert message in page
    assert f'id="error_1_id_{field}"' in page  # the message sits beside its field


def test_markup_in_a_claim_is_shown_as_text(client, mureaux_team, action):
    client.force_login(mureaux_team)
    client.post(
        _create_url(action), _post(action, description="<script>alert(1)</script>", hypothesis="<b>x</b>\x07")
    )

    page = client.get(reverse("pilotage:action_detail", args=[action.site.slug, action.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>x</b>" not in page


def test_claims_of_a_period_are_those_that_meet_it(action):
    ClaimFactory(site=action.site, action=action, period_start=datetime.date(2020, 1, 1), period_end=None)
    inside = ClaimFactory(site=action.site, action=action)

    found = AvoidedCostClaim.objects.in_period(
        start=datetime.date(2021, 3, 1), end=datetime.date(2021, 3, 31)
    )
    assert list(found) == [inside]
