"""An RFC 5545 calendar of meetings, written by hand (a few lines do not need a library).

Text values are escaped (backslash, semicolon, comma, newline) and lose the control characters
RFC 5545 forbids (a pasted escape character in a title), lines end with CRLF and are folded
at 75 octets without cutting a UTF-8 character in two. A meeting's time is its site's local time:
DTSTART carries the site's zone (TZID), and the calendar describes each zone it uses (VTIMEZONE),
so a calendar in Paris shows a Fort-de-France meeting at 18:00 Martinique time, 23:00 in Paris.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone

from pilotage.uploads import CONTROL_CHARACTERS
from sites.zones import DEFAULT_TIME_ZONE, zone

FOLD_OCTETS = 75


def escape_text(value: str) -> str:
    return (
        CONTROL_CHARACTERS.sub("", value)
        .replace("\\", "\\\\")
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


def _offset(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def vtimezone_lines(name: str) -> list[str]:
    """The VTIMEZONE of a site's zone. The overseas zones keep one offset all year; a zone with
    summer time follows the European Union's rule (last Sunday of March and of October), the only
    one among the sites' zones (`sites.zones.TimeZone`)."""
    tz = zone(name)
    winter = datetime.datetime(2021, 1, 15, tzinfo=tz).utcoffset()
    summer = datetime.datetime(2021, 7, 15, tzinfo=tz).utcoffset()
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tz.key}"]
    if winter == summer:
        lines += [
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{_offset(winter)}",
            f"TZOFFSETTO:{_offset(winter)}",
            "END:STANDARD",
        ]
    else:
        lines += [
            "BEGIN:DAYLIGHT",
            "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            f"TZOFFSETFROM:{_offset(winter)}",
            f"TZOFFSETTO:{_offset(summer)}",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            f"TZOFFSETFROM:{_offset(summer)}",
            f"TZOFFSETTO:{_offset(winter)}",
            "END:STANDARD",
        ]
    return [*lines, "END:VTIMEZONE"]


def _zone_name(meeting) -> str:
    site = meeting.site
    return zone(site.time_zone if site else DEFAULT_TIME_ZONE).key


def meeting_event_lines(meeting, *, domain: str, stamp: datetime.datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:reunion-{meeting.pk}@{domain}",
        f"DTSTAMP:{_utc(stamp)}",
    ]
    if meeting.start_time:
        tzid = _zone_name(meeting)
        start = datetime.datetime.combine(meeting.date, meeting.start_time)
        lines.append(f"DTSTART;TZID={tzid}:{start:%Y%m%dT%H%M%S}")
        if meeting.duration_minutes:
            end = start + datetime.timedelta(minutes=meeting.duration_minutes)
            lines.append(f"DTEND;TZID={tzid}:{end:%Y%m%dT%H%M%S}")
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
    """The VCALENDAR text of the given meetings (with their sites: `select_related("site")`)."""
    stamp = stamp or timezone.now()
    meetings = list(meetings)
    zones = sorted({_zone_name(m) for m in meetings if m.start_time})
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Plateforme ATC//Reunions//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for name_of_zone in zones:
        lines.extend(vtimezone_lines(name_of_zone))
    for meeting in meetings:
        lines.extend(meeting_event_lines(meeting, domain=domain, stamp=stamp))
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)
