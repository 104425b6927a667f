"""Who may open the experience sheets' pages and the public showcase (see tests/access.py).

Only Marseille's sheet and public page are published: the leak tests plant their marker in
Grenoble's (unpublished) ones, which no public page may show."""

from pilotage.models import Action
from tests.access import (
    MINUTES_VALIDATE,
    PUBLIC,
    ROLE_HOLDER,
    SITE_PUBLISH,
    SITE_READ,
    SITE_WRITE,
    Rule,
)
from tests.evaluation.factories import ExperienceSheetFactory, ShowcaseFileFactory, SiteShowcaseFactory
from tests.pilotage.factories import ActionFactory, AttachmentFactory


def _site(o):
    return {"slug": o["site"].slug}


def _sheet(o):
    return {"slug": o["site"].slug, "pk": o["sheet"].pk}


def _sheet_post(o):
    return {"title": "Une fiche de la matrice", "context": "Le quartier et son besoin."}


RULES = {
    "sheets:library": Rule(ROLE_HOLDER),
    "sheets:create": Rule(
        SITE_WRITE,
        lambda o: {"slug": o["site"].slug, "pk": o["sheet_action"].pk},
        ("GET", "POST"),
        _sheet_post,
    ),
    "sheets:detail": Rule(SITE_READ, _sheet),
    "sheets:edit": Rule(SITE_WRITE, _sheet, ("GET", "POST"), _sheet_post),
    "sheets:pdf": Rule(SITE_READ, _sheet),
    "sheets:submit": Rule(SITE_WRITE, _sheet, ("POST",), lambda o: {}),
    # The site's host directors review what the site team wrote.
    "sheets:review": Rule(MINUTES_VALIDATE, _sheet, ("POST",), lambda o: {}),
    "sheets:publish": Rule(SITE_PUBLISH, _sheet, ("POST",), lambda o: {}),
    "sheets:unpublish": Rule(SITE_PUBLISH, _sheet, ("POST",), lambda o: {}),
    "showcase:manage": Rule(SITE_READ, _site),
    "showcase:edit": Rule(
        SITE_WRITE, _site, ("GET", "POST"), lambda o: {"presentation": "Le quartier, pour le public."}
    ),
    "showcase:file_add": Rule(
        SITE_WRITE,
        _site,
        ("GET", "POST"),
        lambda o: {"attachment": o["photo"].pk, "description": "Le chantier", "people_consent": "on"},
    ),
    "showcase:file_remove": Rule(
        SITE_WRITE, lambda o: {"slug": o["site"].slug, "pk": o["showcase_file"].pk}, ("POST",), lambda o: {}
    ),
    "showcase:publish": Rule(SITE_PUBLISH, _site, ("POST",), lambda o: {}),
    "showcase:unpublish": Rule(SITE_PUBLISH, _site, ("POST",), lambda o: {}),
    # The public pages (no account); the matrix fills their addresses with Marseille's objects.
    "showcase:programme": Rule(PUBLIC),
    "showcase:site": Rule(PUBLIC, lambda o: {"slug": o["site"].slug}),
    "showcase:sheets": Rule(PUBLIC),
    "showcase:sheet": Rule(PUBLIC, lambda o: {"pk": o["sheet"].pk}),
    "showcase:file": Rule(PUBLIC, lambda o: {"slug": o["site"].slug, "pk": o["showcase_file"].attachment_id}),
    "showcase:robots": Rule(PUBLIC),
}


def build(site, user):
    """A sheet from a done action and the site's public page: published on Marseille only."""
    published = site.slug == "marseille"
    action = ActionFactory(site=site, status=Action.Status.DONE)
    sheet = ExperienceSheetFactory(site=site, published=published, created_by=user)
    sheet.actions.add(action)
    showcase = SiteShowcaseFactory(site=site, is_published=published)
    showcase.achievements.add(action)
    chosen = ShowcaseFileFactory(
        showcase=showcase, attachment=AttachmentFactory(site=site, meeting=None, action=action)
    )
    # A second attachment of the same action, still to be chosen (file_add's POST).
    photo = AttachmentFactory(site=site, meeting=None, action=action, original_name="photo.pdf")
    return {
        "sheet_action": action,
        "sheet": sheet,
        "showcase": showcase,
        "showcase_file": chosen,
        "photo": photo,
    }
