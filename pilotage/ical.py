"""An RFC 5545 calendar of a site's meetings, written by hand (a few lines do not need a library).

Text values are escaped (backslash, semicolon, comma, newline), lines end with CRLF and are folded
at 75 octets without cutting a UTF-8 character in two.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone

FOLD_OCTETS = 75


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets; continuations start with a space."""
    chunks: list[str] = []
    current = ""
    current_octets = 0
    limit = FOLD_OCTETS
    for char in line:
        size = len(char.encode("utf-8"))
        if current_octets + size > limit:
            chunks.append(current)
            current, current_octets = char, size
            # The leading space of a continuation line counts in its 75 octets.
            limit = FOLD_OCTETS - 1
        else:
            current += char
            current_octets += size
    chunks.append(current)
    return "\r\n ".join(chunks)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_event_lines(meeting, *, domain: str, stamp: datetime.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:reunion-{meeting.pk}@{domain}",
        f"DTSTAMP:{_utc(stamp)}",
    ]
    if meeting.start_time:
        start = timezone.make_aware(
            datetime.datetime.combine(meeting.date, meeting.start_time),
            timezone.get_default_timezone(),
        )
        lines.append(f"DTSTART:{_utc(start)}")
        if meeting.duration_minutes:
            end = start + datetime.timedelta(minutes=meeting.duration_minutes)
            lines.append(f"DTEND:{_utc(end)}")
    else:
        next_day = meeting.date + datetime.timedelta(days=1)
        lines.append(f"DTSTART;VALUE=DATE:{meeting.date:%Y%m%d}")
        lines.append(f"DTEND;VALUE=DATE:{next_day:%Y%m%d}")
    lines.append(f"SUMMARY:{escape_text(meeting.title)}")
    if meeting.location:
        lines.append(f"LOCATION:{escape_text(meeting.location)}")
    description = meeting.get_kind_display()
    if meeting.agenda:
        description = f"{description}\n\n{meeting.agenda}"
    lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append("END:VEVENT")
    return lines


def meetings_calendar(
    meetings: Iterable, *, name: str, domain: str, stamp: datetime.datetime | None = None
) -> str:
    """The VCALENDAR text of the given meetings."""
    stamp = stamp or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Plateforme ATC//Reunions//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for meeting in meetings:
        lines.extend(meeting_event_lines(meeting, domain=domain, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
