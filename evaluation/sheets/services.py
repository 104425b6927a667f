"""Experience sheets' life: drafted by the site team from one or more actions, sent for review,
reviewed by the host director, published (and unpublished) by the network or national team. A
change to a sheet after its review sends it back to draft, offline: what is public is what was
reviewed and published.

The two-page PDF is rendered in the web request (`sheet_pdf`), not through the reports' Celery
path, by choice: the reports' rule is that WeasyPrint never loads in a web process, and it does
not here — `run_limited` forks a child that imports WeasyPrint, renders under the memory and time
ceilings, and exits; the web process keeps none of it. What the person waits for was measured on
the development machine (2 shared cores, a full sheet: every part at its maximum length, 2 pages):
1.06 to 1.26 s per download, 2.3 s for the first one after start, most of it the child's import
of WeasyPrint. A queued render would add a stored file, a waiting page and its clean-up for a
document that costs about a second; the meeting's sign-in sheet (`pilotage/signin.py`) makes the
same choice. A sheet is bounded (every part has a max_length), so the render cannot grow with the
data; the test `test_a_full_sheet_prints_on_two_pages` checks the two pages with pdfinfo.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import ExperienceSheet
from evaluation.reports.pdf import render_pdf_bytes, run_limited
from evaluation.showcase.services import check_names, version_bump
from pilotage.models import Action
from sites.models import Site

Status = ExperienceSheet.Status
EDITABLE = (
    *ExperienceSheet.PUBLIC_TEXT_FIELDS,
    "theme",
    "name_consent",
    "name_consent_note",
)


def draft_from_action(action: Action) -> dict:
    """What a new sheet starts from: the action's title, theme, description, partners, outcomes
    and avoided costs, for the team to rewrite."""
    partners = "\n".join(f"{p.name} ({p.get_category_display()})" for p in action.partners.all())
    costs = "\n".join(
        f"{c.description} : {c.hypothesis} ({c.get_confidence_display()})" for c in action.claims.all()
    )
    return {
        "title": action.title,
        "theme": action.theme_id,
        "context": action.description,
        "partners_roles": partners,
        "what_worked": action.outcomes,
        "costs": costs,
    }


@transaction.atomic
def sheet_save(*, site: Site, user, data: dict, actions: list[Action], sheet: ExperienceSheet | None = None):
    """Create or change a sheet. A change after the review (or publication) sends it back to draft."""
    sheet = sheet or ExperienceSheet(site=site, created_by=user)
    was_published = sheet.status == Status.PUBLISHED
    for name in EDITABLE:
        if name in data:
            setattr(sheet, name, data[name])
    if sheet.pk and sheet.status != Status.DRAFT:
        sheet.status, sheet.reviewed_by, sheet.reviewed_at = Status.DRAFT, None, None
        sheet.published_by, sheet.published_at = None, None
    sheet.full_clean()
    sheet.save()
    sheet.actions.set([action for action in actions if action.site_id == site.pk])
    if was_published:
        version_bump()
    return sheet


def _require(sheet: ExperienceSheet, *statuses, message: str) -> None:
    if sheet.status not in statuses:
        raise ValidationError(message)


@transaction.atomic
def sheet_submit(*, sheet: ExperienceSheet) -> None:
    _require(sheet, Status.DRAFT, message=_("Seule une fiche en brouillon peut être envoyée en relecture."))
    sheet.status = Status.IN_REVIEW
    sheet.save(update_fields=["status", "updated_at"])


@transaction.atomic
def sheet_review(*, sheet: ExperienceSheet, user) -> None:
    _require(sheet, Status.IN_REVIEW, message=_("Cette fiche n'est pas en relecture : rien à valider."))
    sheet.status, sheet.reviewed_by, sheet.reviewed_at = Status.REVIEWED, user, timezone.now()
    sheet.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])


@transaction.atomic
def sheet_publish(*, sheet: ExperienceSheet, user) -> None:
    """Make the sheet public, once reviewed and free of names without recorded consent."""
    _require(
        sheet,
        Status.REVIEWED,
        message=_("Une fiche est publiée après sa relecture par la direction de la structure porteuse."),
    )
    check_names(
        site=sheet.site,
        texts=[getattr(sheet, name) for name in ExperienceSheet.PUBLIC_TEXT_FIELDS],
        consent=sheet.name_consent,
        consent_note=sheet.name_consent_note,
    )
    sheet.status, sheet.published_by, sheet.published_at = Status.PUBLISHED, user, timezone.now()
    sheet.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    version_bump()


@transaction.atomic
def sheet_unpublish(*, sheet: ExperienceSheet) -> None:
    """Take the sheet offline at once; it stays reviewed and can be published again."""
    _require(sheet, Status.PUBLISHED, message=_("Cette fiche n'est pas publiée."))
    sheet.status, sheet.published_by, sheet.published_at = Status.REVIEWED, None, None
    sheet.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    version_bump()


def sheet_pdf(*, sheet: ExperienceSheet) -> bytes:
    """The sheet on two A4 pages, rendered in a limited child (see the module's docstring); raises
    RenderError when the child runs out of time or memory."""
    html = render_to_string("sheets/pdf.html", {"sheet": sheet})
    return run_limited(lambda: render_pdf_bytes(html)[0], step=_("La fiche en PDF"))
