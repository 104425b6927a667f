import datetime

import pytest
from django.urls import reverse

from pilotage.ical import escape_text, fold
from tests.pilotage.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_calendar_export_is_rfc5545(client, network_coordinator, marseille, grenoble):
    MeetingFactory(
        site=marseille,
        title="Copil ; bilan, perspectives",
        date=datetime.date(2021, 3, 15),
        start_time=datetime.time(14, 30),
        duration_minutes=90,
        location="Salle « Les Lilas »",
        agenda="Point 1\nPoint 2 " + "très long " * 20,
    )
    MeetingFactory(site=marseille, title="Atelier sans heure", date=datetime.date(2021, 4, 2))
    MeetingFactory(site=grenoble, title="Réunion de Grenoble")
    client.force_login(network_coordinator)
    response = client.get(reverse("pilotage:meeting_ical", args=["marseille"]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    lines = unfold(body)
    assert lines.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Copil \\; bilan\\, perspectives" in lines
    # A local time of the site's zone, which the calendar describes.
    assert "DTSTART;TZID=Europe/Paris:20210315T143000" in lines
    assert "DTEND;TZID=Europe/Paris:20210315T160000" in lines
    assert lines.count("BEGIN:VTIMEZONE") == 1 and "TZID:Europe/Paris" in lines
    assert "DTSTART;VALUE=DATE:20210402" in lines
    assert any(line.startswith("UID:reunion-") for line in lines)
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert any("Point 1\\nPoint 2" in line for line in lines)
    assert "Grenoble" not in body


def test_escaping_and_folding_keep_utf8_characters_whole():
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "SUMMARY:" + "é" * 100
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_outsider_gets_a_404(client, outsider, marseille):
    client.force_login(outsider)
    assert client.get(reverse("pilotage:meeting_ical", args=["marseille"])).status_code == 404
