"""Text rules every app shares."""

import re

# Control characters (all but tab, line feed and carriage return): they never occur in a CSV and
# betray a binary file (pilotage/uploads.py), RFC 5545 forbids them in a calendar's text
# (pilotage/ical.py), HTML forbids them in a page, and no filter or search asks for one
# (atc.middleware.QueryControlCharactersMiddleware).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
