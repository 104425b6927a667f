"""No page, list, search result, export or PDF shows another area's data.

Grenoble's rows (every model with a site, and the rows hanging from them) get a unique marker in
every free-text field, and its reports' PDFs. The Marseille facilitator, the Nord préfet delegate
and the FCSF network coordinator (Grenoble is CNLRQ's) then fetch every GET
URL declared in the access rules (so new pages are covered as soon as they declare a rule), for
each matrix site, with and without a search query; the marker must appear nowhere.
"""

import io
import re
import zipfile

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.test import override_settings
from django.urls import reverse
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from evaluation.models import EvaluationReport
from evaluation.opendata import services
from sites.models import Site
from tests.access import MATRIX_SITES, PUBLIC, SITE_POLICIES
from tests.atc.matrix import FINGERPRINT_APPS, build_world, collect_rules, sign_in
from tests.reports.access_rules import editable_stand_in

pytestmark = pytest.mark.django_db

MARKER = "Zqxleakgrenoble"
# A search for the marker's stem must not echo the full marker back.
QUERY = MARKER[:7]
RULES = collect_rules()


def _site_path(model):
    """The lookup from the model to its site: `site`, or `<fk>__site` one step further."""
    for field in model._meta.concrete_fields:
        if field.is_relation and field.many_to_one and field.related_model is Site:
            return field.name
    for field in model._meta.concrete_fields:
        if field.is_relation and field.many_to_one and field.related_model not in (None, Site):
            inner = next(
                (
                    f
                    for f in field.related_model._meta.concrete_fields
                    if f.is_relation and f.many_to_one and f.related_model is Site
                ),
                None,
            )
            if inner is not None:
                return f"{field.name}__{inner.name}"
    return None


def _text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not field.is_relation
    ]


def seed_marker(site) -> int:
    """Prefix every free-text value of the site's rows with the marker; returns rows touched."""
    touched = 0
    for label in FINGERPRINT_APPS:
        for model in apps.get_app_config(label).get_models():
            path = _site_path(model)
            fields = _text_fields(model)
            if model is Site or path is None or not fields:
                continue
            for row in model._base_manager.filter(**{path: site}):
                values = {}
                for field in fields:
                    value = f"{MARKER} {getattr(row, field.attname) or ''}".strip()
                    values[field.attname] = value[: field.max_length] if field.max_length else value
                try:
                    with transaction.atomic():
                        model._base_manager.filter(pk=row.pk).update(**values)
                except IntegrityError:
                    # A constraint ties an empty field to another (a quote's speaker name needs
                    # a recorded consent): mark the fields that hold something.
                    kept = {name: value for name, value in values.items() if getattr(row, name)}
                    model._base_manager.filter(pk=row.pk).update(**kept)
                touched += 1
    return touched


def seed_report_files(site) -> None:
    """Put the marker inside the site's finished reports' PDFs and editable versions too: a
    download must not leak it."""
    for report in EvaluationReport.objects.filter(site=site).exclude(file=""):
        report.file.save(report.file.name.rsplit("/", 1)[-1], ContentFile(f"%PDF-1.7\n% {MARKER}\n".encode()))
        for stored in (report.odt_file, report.docx_file):
            if stored:
                stored.save(stored.name.rsplit("/", 1)[-1], ContentFile(editable_stand_in(MARKER)))


def readable_text(response) -> str:
    """What a person could read in the answer: HTML or text, a spreadsheet's cells, a PDF's text."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    texts = [body.decode("utf-8", "replace")]
    if body[:5] == b"%PDF-":
        try:
            reader = PdfReader(io.BytesIO(body))
            texts.extend(page.extract_text() or "" for page in reader.pages)
        except PdfReadError:
            pass  # not a well-formed PDF (an uploaded file): its raw bytes were searched above
    elif body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            texts.extend(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return "\n".join(texts)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("leak-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        world = build_world()
        world.media_root = media_root
        world.seeded_rows = seed_marker(Site.objects.get(slug="grenoble"))
        seed_report_files(Site.objects.get(slug="grenoble"))
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def in_world(world, db, settings):
    settings.MEDIA_ROOT = world.media_root
    return world


def _get_urls():
    for name, rule in RULES.items():
        if "GET" not in rule.methods:
            continue
        sites = MATRIX_SITES if rule.policy in SITE_POLICIES else ("marseille",)
        for slug in sites:
            yield name, rule, slug


def _fetch_all(client, world):
    """(url, text) of every declared GET URL, plain and with a search query."""
    for name, rule, slug in _get_urls():
        url = reverse(name, kwargs=rule.kwargs(world.objects[slug]))
        for query in ({}, {"q": QUERY, "recherche": QUERY}):
            response = client.get(url, query, follow=True)
            yield f"{url}?{query}" if query else url, readable_text(response)


def test_the_marker_is_seeded_and_visible_to_the_national_team(client, in_world):
    assert in_world.seeded_rows > 0
    sign_in(client, in_world, "national_team")
    assert any(MARKER in text for _, text in _fetch_all(client, in_world))


@pytest.mark.parametrize("persona", ["facilitator", "prefet_delegate", "network_coordinator"])
def test_no_page_shows_another_areas_data(client, in_world, persona):
    sign_in(client, in_world, persona)
    leaks = [url for url, text in _fetch_all(client, in_world) if MARKER in text]
    assert not leaks, f"{persona} sees Grenoble's data on:\n" + "\n".join(leaks)


# --- Search and open data ------------------------------------------------------------------------


def _search_text(client, query: str) -> str:
    return readable_text(client.get(reverse("search:results"), {"q": query}))


def test_search_finds_the_marker_for_the_national_team_only(client, in_world):
    """The whole marker (echoed back as the query: the count tells) and its stem."""
    sign_in(client, in_world, "national_team")
    assert not re.search(r"\b0 résultats? pour", _search_text(client, MARKER))
    assert MARKER in _search_text(client, MARKER)
    for persona in ("facilitator", "host_director", "prefet_delegate", "network_coordinator", "outsider"):
        sign_in(client, in_world, persona)
        for query in (MARKER, MARKER.lower(), f'"{MARKER}" | {QUERY}:*'):
            assert re.search(r"\b0 résultats? pour", _search_text(client, query)), (persona, query)
        assert MARKER not in _search_text(client, QUERY), persona


def test_the_open_data_hold_no_marker(client, in_world):
    """Built from the marked world, fetched without an account: no file and not the page shows it."""
    services.build_open_data()
    sign_in(client, in_world, "anonymous")
    texts = [readable_text(client.get(reverse("opendata:index")))]
    for name in services.FILES:
        response = client.get(reverse("opendata:file", kwargs={"name": name}))
        assert response.status_code == 200
        texts.append(readable_text(response))
    assert len(texts) == len(services.FILES) + 1
    assert not [text for text in texts if MARKER in text]


# --- The public showcase -------------------------------------------------------------------------


def _public_urls(world):
    for name, rule in RULES.items():
        if rule.policy == PUBLIC and "GET" in rule.methods and name.startswith("showcase:"):
            yield reverse(name, kwargs=rule.kwargs(world.objects["marseille"]))


def test_no_public_page_shows_an_unpublished_record(client, in_world):
    """Grenoble's sheet and public page are unpublished (tests/evaluation/access_rules_showcase.py)
    and carry the marker: without an account, no showcase page, filtered or not, shows it; the
    map and lists show Marseille's published ones."""
    sign_in(client, in_world, "anonymous")
    texts = {}
    for url in _public_urls(in_world):
        for query in ({}, {"network": "cnlrq"}, {"q": QUERY}):
            response = client.get(url, query)
            assert response.status_code == 200, url
            texts[f"{url}?{query}"] = readable_text(response)
    assert any("Marseille" in text for text in texts.values())
    assert not [url for url, text in texts.items() if MARKER in text]
    grenoble_sheet = in_world.objects["grenoble"]["sheet"]
    assert client.get(reverse("showcase:sheet", args=[grenoble_sheet.pk])).status_code == 404
    assert client.get(reverse("showcase:site", args=["grenoble"])).status_code == 404


def test_an_unpublished_attachment_answers_404_without_an_account(client, in_world):
    """A file chosen on Grenoble's unpublished page, an attachment Marseille's published page did
    not choose, a file asked for under another site's address: 404, file unread."""
    sign_in(client, in_world, "anonymous")
    marseille, grenoble = in_world.objects["marseille"], in_world.objects["grenoble"]
    chosen = reverse("showcase:file", args=["marseille", marseille["showcase_file"].attachment_id])
    assert client.get(chosen).status_code == 200
    for slug, pk in (
        ("grenoble", grenoble["showcase_file"].attachment_id),
        ("marseille", marseille["photo"].pk),
        ("grenoble", marseille["showcase_file"].attachment_id),
        ("marseille", grenoble["showcase_file"].attachment_id),
    ):
        response = client.get(reverse("showcase:file", args=[slug, pk]))
        assert response.status_code == 404, (slug, pk)
        assert MARKER not in readable_text(response)
