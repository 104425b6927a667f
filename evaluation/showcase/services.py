"""The public showcase (« vitrine »): what is public, the check before it is, and the one version
every public page's cache key names. Publishing and unpublishing bump the version inside their
transaction: the next request misses the cache and reads the database, so what was unpublished is
gone at once."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from evaluation.models import ExperienceSheet, ShowcaseVersion, SiteShowcase
from evaluation.showcase.privacy import names_found
from pilotage.models import Action
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
