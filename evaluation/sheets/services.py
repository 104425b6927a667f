"""Experience sheets' life: drafted by the site team from one or more actions, sent for review,
reviewed by the host director, published (and unpublished) by the network or national team. A
change to a sheet after its review sends it back to draft, offline: what is public is what was
reviewed and published."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import ExperienceSheet
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
