"""The printable sign-in sheet (« feuille d'émargement ») of a meeting: one line per member of its
committee on the meeting's day, then blank lines for the people without a seat.

A page or two of text: rendered directly in the request, as a tagged PDF/UA-1 (RGAA 13.3), with
no resource fetched at all (the template carries its own style); the reports' limited child
(evaluation.reports.pdf) is for documents of hundreds of pages."""

from collections.abc import Sequence

from django.template.loader import render_to_string

from pilotage.models import CommitteeMember, Meeting

# Lines left for the people without a seat who come all the same.
BLANK_LINES = 12
PDF_VARIANT = "pdf/ua-1"


def _no_fetch():
    # local import: weasyprint takes about a second to import; only this download needs it.
    from weasyprint.urls import URLFetcher

    class NoFetch(URLFetcher):
        """The sheet needs nothing from outside: every URL is refused."""

        def __init__(self):
            super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):
            raise ValueError(f"URL refusée : {url}")

    return NoFetch()


def sign_in_sheet_html(*, meeting: Meeting, members: Sequence[CommitteeMember]) -> str:
    site = meeting.site
    return render_to_string(
        "pilotage/sign_in_sheet.html",
        {
            "meeting": meeting,
            "site": site,
            "time_zone": site.get_time_zone_display() if site else "",
            "members": members,
            "blank_numbers": range(len(members) + 1, len(members) + BLANK_LINES + 1),
        },
    )


def sign_in_sheet_pdf(*, meeting: Meeting, members: Sequence[CommitteeMember]) -> bytes:
    """The sheet as PDF bytes."""
    # local import: weasyprint takes about a second to import; only this download needs it.
    import weasyprint

    html = sign_in_sheet_html(meeting=meeting, members=members)
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch()).write_pdf(pdf_variant=PDF_VARIANT)
