"""The printable sign-in sheet: read back with pdftotext and pdfinfo (poppler), as a person opening
the file would see it."""

import datetime
import re
import subprocess

import pytest
from django.urls import reverse

from pilotage.models import Meeting
from pilotage.signin import BLANK_LINES, sign_in_sheet_pdf
from sites.models import Site
from tests.pilotage.factories import CommitteeFactory, CommitteeMemberFactory, MeetingFactory
from tests.sites.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def _read(tmp_path, data: bytes) -> tuple[str, str]:
    path = tmp_path / "emargement.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return text.stdout, info.stdout


def test_the_sheet_lists_the_current_members_then_blank_lines(client, facilitator, marseille, tmp_path):
    committee = CommitteeFactory(site=marseille, name="COPIL Frais Vallon")
    mairie = PartnerOrganisationFactory(site=marseille, local_authority=True, name="Ville de Marseille")
    CommitteeMemberFactory(committee=committee, organisation=mairie, person_name="Hélène Martin")
    CommitteeMemberFactory(committee=committee, organisation=mairie, person_name="", title="Cheffe de projet")
    CommitteeMemberFactory(committee=committee, person_name="<b>Zoé</b> & Cie\x0b")
    CommitteeMemberFactory(
        committee=committee, person_name="Ancien Membre", end_date=datetime.date(2020, 1, 1)
    )
    meeting = MeetingFactory(
        site=marseille,
        kind=Meeting.Kind.STEERING,
        committee=committee,
        title="COPIL <i>de printemps</i>",
        date=datetime.date(2021, 4, 6),
        start_time=datetime.time(14, 30),
        location="Centre social Frais Vallon",
    )
    client.force_login(facilitator)
    response = client.get(reverse("pilotage:meeting_sign_in_sheet", args=["marseille", meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="emargement-2021-04-06-copil-ide-printempsi.pdf"' in response["Content-Disposition"]
    text, info = _read(tmp_path, response.content)

    assert "Feuille d'émargement" in text
    assert "COPIL <i>de printemps</i> — COPIL Frais Vallon" in text
    assert "mardi 6 avril 2021" in text and "14:30" in text and "Centre social Frais Vallon" in text
    assert "Hélène Martin" in text and "Ville de Marseille" in text and "Collectivité territoriale" in text
    assert "Cheffe de projet" in text
    assert "<b>Zoé</b> & Cie" in text
    assert "Ancien Membre" not in text
    # Numbered lines: the 3 members, then the blank ones (a number alone on its line).
    blank = [int(n) for n in re.findall(r"^\s*(\d+)\s*$", text, flags=re.MULTILINE)]
    assert blank == list(range(4, 4 + BLANK_LINES))
    assert re.search(r"^Tagged:\s+yes$", info, flags=re.MULTILINE)
    assert re.search(r"^Title:\s+Feuille d'émargement — COPIL <i>de printemps</i>$", info, flags=re.MULTILINE)


def test_the_time_is_the_sites_local_time(tmp_path):
    fort_de_france = Site.objects.get(slug="fort-de-france")
    meeting = MeetingFactory(
        site=fort_de_france,
        kind=Meeting.Kind.STEERING,
        committee=CommitteeFactory(site=fort_de_france),
        start_time=datetime.time(18, 0),
    )
    text, _info = _read(tmp_path, sign_in_sheet_pdf(meeting=meeting, members=[]))
    assert "18:00 (heure locale : Martinique)" in text
    # No member yet: only blank lines.
    assert [int(n) for n in re.findall(r"^\s*(\d+)\s*$", text, flags=re.MULTILINE)] == list(
        range(1, 1 + BLANK_LINES)
    )


def test_the_meeting_page_offers_the_sheet_to_the_team_only(
    client, facilitator, network_coordinator, marseille
):
    meeting = MeetingFactory(site=marseille, steering=True)
    url = reverse("pilotage:meeting_detail", args=["marseille", meeting.pk])
    sheet = reverse("pilotage:meeting_sign_in_sheet", args=["marseille", meeting.pk])
    client.force_login(facilitator)
    assert sheet in client.get(url).content.decode()
    client.force_login(network_coordinator)
    assert sheet not in client.get(url).content.decode()
    assert client.get(sheet).status_code == 403
