"""The seed-004 flash survey's shape: 30 institutional recipients on 14 territories (14 préfet
delegates, 9 city and 7 intercommunality referents), as a recipients' file; 17 of them answer, on
10 territories."""

import io

from openpyxl import Workbook

from sites.models import Site

FUNCTIONS = [
    ("Délégué·e du préfet", 14),
    ("Référent·e politique de la ville (commune)", 9),
    ("intercommunalité", 7),
]


def recipients_rows(sites: list[Site]) -> list[list[str]]:
    """Header, then one row per recipient: the delegates of the 14 territories, the city referents
    of the first 9, the intercommunality referents of the first 7."""
    rows = [["Nom", "E-mail", "Fonction", "Territoire"]]
    for function, count in FUNCTIONS:
        for site in sites[:count]:
            slug = function.split()[0].lower().replace("é", "e").replace("·", "")
            rows.append(
                [f"{function.split()[0]} {site.city}", f"{slug}.{site.slug}@example.org", function, site.city]
            )
    return rows


def xlsx_file(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def flash_sites() -> list[Site]:
    return list(Site.objects.order_by("city")[:14])


def respondents(emails: list[str], sites: list[Site]) -> list[str]:
    """The 17 who answer: the delegates of the first 10 territories and the city referents of the
    first 7 (10 territories in all)."""
    first10 = {s.slug for s in sites[:10]}
    first7 = {s.slug for s in sites[:7]}
    chosen = []
    for email in emails:
        kind, rest = email.split(".", 1)
        slug = rest.split("@")[0]
        if (kind.startswith("delegue") and slug in first10) or (
            kind.startswith("referent") and slug in first7
        ):
            chosen.append(email)
    return chosen
