"""The one rule for an address sent out of the platform (e-mails): `SITE_URL` and the path.

A link in an e-mail is opened later, elsewhere, often from a task with no request at hand, so it
never follows the host a request came in on; `SITE_URL` (atc/settings.py) is the public address.
"""

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """The public address of a path of the platform (`/rapports/…` → `https://…/rapports/…`)."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url expects a path starting with '/', got {path!r}")
    return settings.SITE_URL + path


def public_host() -> str:
    """The host name of the public address (`atc.example.org`): what names the platform's records
    outside it, such as the UID of a calendar event, whatever address a request came in on."""
    return urlsplit(settings.SITE_URL).hostname or "atc"
