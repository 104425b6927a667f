"""Photos and documents on a site's public page: the Marseille team picks, among the attachments
of its done actions, a photo (its people's consent recorded) and a PDF, each described; anyone
fetches them while the page is published, without the photo's metadata, and gets 404 at once after
the page or the file is withdrawn."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, PngImagePlugin

from atc.models import Role
from evaluation.models import ShowcaseFile, SiteShowcase
from evaluation.showcase import services
from pilotage.models import Action
from pilotage.services import attachment_create, attachment_delete
from sites.models import Network, Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.evaluation.factories import SiteShowcaseFactory
from tests.pilotage.factories import ActionFactory

pytestmark = pytest.mark.django_db

PERSON = "Jeanne Martin-Zqx"


def _text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def _photo_bytes(kind="JPEG") -> bytes:
    """A photo as a phone takes it: the place (GPS), the camera, the author's name."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = PERSON
    exif[ExifTags.Base.Make] = "PhoneMakerZqx"
    exif[ExifTags.Base.ImageDescription] = f"Photo de {PERSON}"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: the copy is turned upright
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (43.0, 17.0, 45.0)}
    )
    out = io.BytesIO()
    if kind == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", PERSON)
        image.save(out, "PNG", pnginfo=info, exif=exif)
    else:
        image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def marseille():
    return Site.objects.get(slug="marseille")


@pytest.fixture
def people(marseille):
    facilitator = UserFactory(email="anim@marseille.example.org")
    RoleFactory(user=facilitator, kind=Role.Kind.FACILITATOR, sites=[marseille])
    coordinator = UserFactory(email="reseau@example.org")
    RoleFactory(
        user=coordinator,
        kind=Role.Kind.NETWORK_COORDINATOR,
        network=Network.objects.get(pk=marseille.network_id),
    )
    return {"facilitator": facilitator, "publisher": coordinator}


@pytest.fixture
def done_action(marseille):
    return ActionFactory(site=marseille, title="Fête de quartier", status=Action.Status.DONE)


def _attach(action, name, data, user):
    return attachment_create(
        site=action.site, user=user, uploaded=SimpleUploadedFile(name, data), action=action
    )


@pytest.fixture
def showcase(marseille):
    return SiteShowcaseFactory(site=marseille, presentation="L'ATC au cœur du quartier.")


def _add(client, site, attachment, description, consent=True):
    data = {"attachment": attachment.pk, "description": description}
    if consent:
        data["people_consent"] = "on"
    return client.post(reverse("showcase:file_add", args=[site.slug]), data)


def test_a_chosen_photo_is_public_without_its_metadata_until_the_page_is_withdrawn(
    client, settings, tmp_path, people, done_action, showcase
):
    settings.MEDIA_ROOT = tmp_path
    site = done_action.site
    photo = _attach(done_action, "fete.jpg", _photo_bytes(), people["facilitator"])
    client.force_login(people["facilitator"])
    form = _text(client.get(reverse("showcase:file_add", args=[site.slug])))
    assert "fete.jpg — action « Fête de quartier »" in form
    response = _add(client, site, photo, "Des enfants dansent devant le centre social")
    assert response.status_code == 302
    manage = _text(client.get(reverse("showcase:manage", args=[site.slug])))
    assert "Des enfants dansent devant le centre social" in manage

    client.force_login(people["publisher"])
    client.post(reverse("showcase:publish", args=[site.slug]))
    client.logout()

    page = _text(client.get(reverse("showcase:site", args=[site.slug])))
    url = reverse("showcase:file", args=[site.slug, photo.pk])
    assert f'src="{url}"' in page and 'alt="Des enfants dansent devant le centre social"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    body = b"".join(response.streaming_content)
    for leak in (PERSON.encode(), b"PhoneMakerZqx", b"Exif"):
        assert leak not in body
    with Image.open(io.BytesIO(body)) as served:
        assert served.format == "JPEG"
        assert served.size == (48, 64)  # turned upright as the orientation tag said
        assert not served.getexif()
    assert PERSON.encode() in photo.file.open("rb").read()  # the team's own file is untouched

    services.showcase_unpublish(showcase=SiteShowcase.objects.get(site=site))
    assert client.get(url).status_code == 404


def test_a_png_loses_its_text_chunks_and_a_pdf_is_served_as_a_download(
    client, settings, tmp_path, people, done_action, showcase
):
    settings.MEDIA_ROOT = tmp_path
    site = done_action.site
    png = _attach(done_action, "affiche.png", _photo_bytes("PNG"), people["facilitator"])
    pdf = _attach(
        done_action, "bilan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", people["facilitator"]
    )
    client.force_login(people["facilitator"])
    assert _add(client, site, png, "L'affiche de la fête").status_code == 302
    # A document needs no consent box.
    assert _add(client, site, pdf, "Le bilan de la fête", consent=False).status_code == 302
    services.showcase_publish(showcase=SiteShowcase.objects.get(site=site), user=people["publisher"])
    client.logout()

    body = b"".join(client.get(reverse("showcase:file", args=[site.slug, png.pk])).streaming_content)
    assert PERSON.encode() not in body and b"PhoneMakerZqx" not in body
    with Image.open(io.BytesIO(body)) as served:
        assert served.format == "PNG" and not served.text and not served.getexif()
    response = client.get(reverse("showcase:file", args=[site.slug, pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="bilan.pdf"')
    page = _text(client.get(reverse("showcase:site", args=[site.slug])))
    assert "Le bilan de la fête" in page


def test_a_photo_without_consent_or_description_is_refused_in_french_and_nothing_is_saved(
    client, settings, tmp_path, people, done_action, showcase
):
    settings.MEDIA_ROOT = tmp_path
    site = done_action.site
    photo = _attach(done_action, "fete.jpg", _photo_bytes(), people["facilitator"])
    client.force_login(people["facilitator"])
    response = _add(client, site, photo, "Des enfants dansent", consent=False)
    assert response.status_code == 200
    assert "les personnes reconnaissables sur la photo ont donné leur accord" in _text(response)
    response = _add(client, site, photo, "   ")
    assert "Décrivez ce que montre la photo" in _text(response)
    assert not ShowcaseFile.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file() and "showcase" in path.parts]


def test_only_images_and_pdfs_of_the_sites_done_actions_can_be_chosen(
    client, settings, tmp_path, people, done_action, showcase
):
    settings.MEDIA_ROOT = tmp_path
    site = done_action.site
    running = ActionFactory(site=site, status=Action.Status.RUNNING)
    elsewhere = ActionFactory(site=Site.objects.get(slug="grenoble"), status=Action.Status.DONE)
    candidates = [
        _attach(running, "en-cours.jpg", _photo_bytes(), people["facilitator"]),
        _attach(elsewhere, "grenoble.jpg", _photo_bytes(), people["facilitator"]),
        _attach(done_action, "liste.csv", b"nom;role\nA;B\n", people["facilitator"]),
    ]
    client.force_login(people["facilitator"])
    for attachment in candidates:
        response = _add(client, site, attachment, "Une photo")
        assert response.status_code == 200
        assert "Choisissez un fichier dans la liste." in _text(response)
    assert not ShowcaseFile.objects.exists()


def test_a_new_file_takes_the_page_offline_and_a_withdrawn_file_is_gone_at_once(
    client, settings, tmp_path, people, done_action, showcase
):
    settings.MEDIA_ROOT = tmp_path
    site = done_action.site
    first = _attach(done_action, "un.jpg", _photo_bytes(), people["facilitator"])
    second = _attach(done_action, "deux.jpg", _photo_bytes(), people["facilitator"])
    chosen = services.showcase_file_add(
        showcase=showcase, attachment=first, description="Le repas", people_consent=True, user=None
    )
    services.showcase_publish(showcase=showcase, user=people["publisher"])
    first_url = reverse("showcase:file", args=[site.slug, first.pk])
    assert client.get(first_url).status_code == 200

    client.force_login(people["facilitator"])
    _add(client, site, second, "Le bal")
    showcase.refresh_from_db()
    assert not showcase.is_published  # the publisher sees the new photo before it goes public
    services.showcase_publish(showcase=showcase, user=people["publisher"])
    client.post(reverse("showcase:file_remove", args=[site.slug, chosen.pk]))
    showcase.refresh_from_db()
    assert showcase.is_published
    client.logout()
    assert client.get(first_url).status_code == 404
    assert client.get(reverse("showcase:file", args=[site.slug, second.pk])).status_code == 200
    page = _text(client.get(reverse("showcase:site", args=[site.slug])))
    assert "Le bal" in page and "Le repas" not in page


def test_a_description_naming_someone_blocks_publication_and_markup_stays_text(
    client, settings, tmp_path, people, done_action, showcase
):
    settings.MEDIA_ROOT = tmp_path
    site = done_action.site
    pdf = _attach(
        done_action, "bilan.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", people["facilitator"]
    )
    services.showcase_file_add(
        showcase=showcase,
        attachment=pdf,
        description=f"<img src=x onerror=alert(1)> bilan par {people['facilitator'].get_full_name()}",
        people_consent=False,
        user=None,
    )
    client.force_login(people["publisher"])
    response = client.post(reverse("showcase:publish", args=[site.slug]), follow=True)
    assert "Le texte nomme" in _text(response)
    showcase.refresh_from_db()
    assert not showcase.is_published
    ShowcaseFile.objects.update(description="<img src=x onerror=alert(1)> bilan\x07")
    services.showcase_publish(showcase=showcase, user=people["publisher"])
    client.logout()
    raw = client.get(reverse("showcase:site", args=[site.slug])).content.decode()
    assert "<img src=x" not in raw and "&lt;img src=x onerror=alert(1)&gt;" in raw


def test_deleting_the_attachment_removes_the_public_copy(
    client, settings, tmp_path, people, done_action, showcase, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    photo = _attach(done_action, "fete.jpg", _photo_bytes(), people["facilitator"])
    chosen = services.showcase_file_add(
        showcase=showcase, attachment=photo, description="La fête", people_consent=True, user=None
    )
    copy_name = chosen.public_file.name
    storage = chosen.public_file.storage
    assert storage.exists(copy_name)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(attachment=photo)
    assert not storage.exists(copy_name)
    assert not ShowcaseFile.objects.exists()
