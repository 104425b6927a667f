"""The public showcase (« vitrine »): what is public, the check before it is, and the one version
every public page's cache key names. Publishing and unpublishing bump the version inside their
transaction: the next request misses the cache and reads the database, so what was unpublished is
gone at once."""

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps

from evaluation.models import ExperienceSheet, ShowcaseFile, ShowcaseVersion, SiteShowcase
from evaluation.showcase.privacy import names_found
from pilotage.models import Action, Attachment
from sites.models import Site

# The public pages' cache lifetime; a publication or unpublication makes entries unreachable
# before that (their key names the version).
CACHE_SECONDS = 600


def current_version() -> int:
    row = ShowcaseVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return row or 0


def version_bump() -> None:
    """A new version for every public page; called inside the publishing transaction."""
    updated = ShowcaseVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        ShowcaseVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def check_names(*, site: Site, texts: list[str], consent: bool, consent_note: str) -> None:
    """Refuse a publication naming people known on the site, unless their agreement is recorded."""
    found = names_found(site, texts)
    if found and not (consent and consent_note.strip()):
        raise ValidationError(
            ngettext(
                "Le texte nomme %(names)s : retirez ce nom, ou enregistrez l'accord de la personne "
                "(case « les personnes nommées ont donné leur accord » et qui, quand, comment).",
                "Le texte nomme %(names)s : retirez ces noms, ou enregistrez l'accord des personnes "
                "(case « les personnes nommées ont donné leur accord » et qui, quand, comment).",
                len(found),
            )
            % {"names": ", ".join(found)}
        )


def _showcase_texts(showcase: SiteShowcase) -> list[str]:
    texts = [showcase.presentation]
    for action in showcase.achievements.all():
        texts.extend([action.title, action.outcomes, action.description])
    texts.extend(showcase.files.values_list("description", flat=True))
    return texts


@transaction.atomic
def showcase_save(
    *, site: Site, presentation: str, achievements: list[Action], name_consent: bool, note: str
):
    """The site team's public page: saved offline; a published page goes offline until published again."""
    showcase, _created = SiteShowcase.objects.get_or_create(
        site=site, defaults={"presentation": presentation}
    )
    was_published = showcase.is_published
    showcase.presentation = presentation
    showcase.name_consent = name_consent
    showcase.name_consent_note = note
    showcase.is_published = False
    showcase.full_clean()
    showcase.save()
    showcase.achievements.set(
        [a for a in achievements if a.site_id == site.pk and a.status == Action.Status.DONE]
    )
    if was_published:
        version_bump()
    return showcase


@transaction.atomic
def showcase_publish(*, showcase: SiteShowcase, user) -> None:
    check_names(
        site=showcase.site,
        texts=_showcase_texts(showcase),
        consent=showcase.name_consent,
        consent_note=showcase.name_consent_note,
    )
    showcase.is_published, showcase.published_by, showcase.published_at = True, user, timezone.now()
    showcase.save()
    version_bump()


@transaction.atomic
def showcase_unpublish(*, showcase: SiteShowcase) -> None:
    showcase.is_published = False
    showcase.save()
    version_bump()


# --- Photos and documents shown on a site's public page ---------------------------------------------

# What the public copy of an image keeps from the original's information: only what draws it.
KEPT_IMAGE_INFO = ("transparency", "dpi")


def eligible_attachments(site: Site):
    """The files the team may show: images and PDFs attached to the site's done actions."""
    return (
        Attachment.objects.filter(
            site=site, action__status=Action.Status.DONE, content_type__in=ShowcaseFile.ACCEPTED_TYPES
        )
        .select_related("action")
        .order_by("action__title", "original_name", "pk")
    )


def _stripped_image(data: bytes, content_type: str) -> bytes:
    """The picture alone: drawn again without its metadata (GPS position, camera, author's name,
    comments), turned the way its EXIF orientation said."""
    expected = "JPEG" if content_type == "image/jpeg" else "PNG"
    refused = ValidationError(
        _("L'image ne peut pas être lue : enregistrez-la de nouveau en JPEG ou PNG, puis déposez-la."),
        "unreadable",
    )
    try:
        with Image.open(io.BytesIO(data)) as original:
            if original.format != expected:
                raise refused
            image = ImageOps.exif_transpose(original)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        raise refused from exc
    image.info = {key: value for key, value in image.info.items() if key in KEPT_IMAGE_INFO}
    out = io.BytesIO()
    if expected == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=90)
    else:
        image.save(
            out,
            "PNG",
            **({"transparency": image.info["transparency"]} if "transparency" in image.info else {}),
        )
    return out.getvalue()


def _public_copy(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        data = handle.read()
    if attachment.content_type in ShowcaseFile.IMAGE_TYPES:
        return _stripped_image(data, attachment.content_type)
    return data


@transaction.atomic
def showcase_file_add(
    *, showcase: SiteShowcase, attachment: Attachment, description: str, people_consent: bool, user
) -> ShowcaseFile:
    """Put a copy of an attachment on the site's public page (an image without its metadata). Like
    any change by the team, it takes a published page offline until it is published again."""
    if not eligible_attachments(showcase.site).filter(pk=attachment.pk).exists():
        raise ValidationError(
            {
                "attachment": _(
                    "Choisissez une image (JPEG, PNG) ou un PDF joint à une action réalisée du site."
                )
            }
        )
    if not description.strip():
        raise ValidationError(
            {"description": _("Décrivez ce que montre la photo ou ce que contient le document.")}
        )
    is_image = attachment.content_type in ShowcaseFile.IMAGE_TYPES
    if is_image and not people_consent:
        raise ValidationError(
            {
                "people_consent": _(
                    "Cochez la case si les personnes reconnaissables sur la photo ont donné leur "
                    "accord ; sinon, choisissez une autre photo."
                )
            }
        )
    if showcase.files.filter(attachment=attachment).exists():
        raise ValidationError({"attachment": _("Ce fichier est déjà sur la page publique.")})
    try:
        data = _public_copy(attachment)
    except FileNotFoundError as exc:
        raise ValidationError(
            {"attachment": _("Le fichier est introuvable : déposez-le de nouveau.")}
        ) from exc
    chosen = ShowcaseFile(
        showcase=showcase,
        attachment=attachment,
        description=description.strip(),
        people_consent=people_consent and is_image,
        content_type=attachment.content_type,
        chosen_by=user,
    )
    extension = {"image/jpeg": "jpg", "image/png": "png"}.get(attachment.content_type, "pdf")
    chosen.public_file.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    try:
        chosen.full_clean(exclude=["public_file"])
        chosen.save()
    except Exception:
        chosen.public_file.delete(save=False)
        raise
    _take_offline(showcase)
    return chosen


def _take_offline(showcase: SiteShowcase) -> None:
    if showcase.is_published:
        showcase.is_published = False
        showcase.save(update_fields=["is_published", "updated_at"])
        version_bump()


@transaction.atomic
def showcase_file_remove(*, showcase_file: ShowcaseFile) -> None:
    """Withdraw a file from the public page at once; its public copy is deleted after the commit.
    The page stays as it is: removing something needs no new publication."""
    storage, name = showcase_file.public_file.storage, showcase_file.public_file.name
    published = showcase_file.showcase.is_published
    showcase_file.delete()
    if published:
        version_bump()
    transaction.on_commit(lambda: storage.delete(name))


# --- What the public pages read --------------------------------------------------------------------


def published_sites():
    return (
        Site.objects.filter(showcase__is_published=True)
        .select_related("network", "showcase")
        .order_by("name")
    )


def published_sheets():
    return ExperienceSheet.objects.published().select_related("site", "site__network", "theme")


@dataclass(frozen=True)
class Programme:
    sites: list
    sheets: list
    achievements: int


def programme() -> Programme:
    sites = list(published_sites())
    achievements = SiteShowcase.achievements.through.objects.filter(siteshowcase__is_published=True).count()
    return Programme(sites=sites, sheets=list(published_sheets()[:6]), achievements=achievements)
