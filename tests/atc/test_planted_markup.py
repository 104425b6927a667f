"""No stored text acts on a page: markup planted in every free-text field renders as text (issue 12).

Stored htmx attributes in an indicator's definition once made a facilitator who merely opened a
page create a meeting under their own name. Here every CharField and TextField of every app's
models (enumerated, so a new field is covered as soon as it exists; the exclusions below say why)
holds markup: tags, event handlers, `hx-*` and `data-hx-*` attributes that would fire on load,
`javascript:` links, attribute break-outs and template syntax. Every persona then fetches every GET
URL declared in the access rules, as a page and as an htmx fragment, and each HTML answer is parsed:
no element may carry a planted tag or attribute. The report's HTML (what WeasyPrint turns into the
PDF) and the e-mails are checked too.
"""

import datetime
import html.parser
import re

import pytest
from django.apps import apps
from django.core import mail
from django.db import models, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from atc.periods import parse_period
from evaluation.attention.services import thresholds_update
from evaluation.models import Quote, ReportLinkUse
from evaluation.reports.scopes import parse_scope
from evaluation.reports.services import render_html, report_notify
from sites.models import HostOrganisation, Site
from tests.access import MATRIX_SITES, PERSONAS, SITE_POLICIES
from tests.atc.matrix import FINGERPRINT_APPS, build_world, collect_rules, sign_in
from tests.diagnostics.factories import AssessmentFactory, DiagnosticFactory
from tests.evaluation.factories import LogbookReminderFactory
from tests.reports.factories import IndicatorValueFactory, SurveyFactory

pytestmark = pytest.mark.django_db

MARK = "zqxp"
# Shortest first: a short field holds the first pieces that fit. Each carries the mark where an
# unescaped rendering would turn it into a tag, an attribute name or an attribute value.
PIECES = (
    f"<{MARK}>",
    f'<script id="{MARK}">{MARK}()</script>',
    f'<img src="x" onerror="{MARK}()">',
    f'<div hx-post="/{MARK}" hx-trigger="load" hx-vals=\'{{"{MARK}": 1}}\'>',
    f'<b data-hx-get="/{MARK}" data-hx-trigger="load" data-hx-vals="{MARK}">',
    f'<a href="javascript:{MARK}()">{MARK}</a>',
    f'"><svg onload="{MARK}()">',
    f"'><svg onload={MARK}()>",
    f'<a hx-get="/{MARK}" hx-trigger="load" hx-target="body">',
    '{{ "' + MARK + 'tpl"|upper }}{% now "Y" %}',
)
# What a template engine would make of the last piece if stored text were ever rendered as a template.
TEMPLATE_EVALUATED = f"{MARK.upper()}TPL"

# (app label, model, field) or (app label, model, "*") → why the field holds no markup.
EXCLUDED = {
    ("atc", "User", "password"): "a password hash, never shown",
    ("atc", "User", "email"): "an address checked by EmailValidator in every form (no < > or quotes)",
    ("atc", "Heartbeat", "name"): "written by the worker's beat task only, never typed by a person",
    ("atc", "Notification", "url"): "a path the services build with reverse(), never typed by a person",
    ("atc", "Notification", "dedupe_key"): "names an event (kind and primary keys), never shown",
    ("evaluation", "Indicator", "computation"): "a key of evaluation.indicators.rules picked from a list",
    ("evaluation", "EvaluationReport", "task_id"): "a Celery task id set by the worker, never shown",
    (
        "evaluation",
        "AttentionThreshold",
        "rule",
    ): "a rule key of evaluation/figures/attention.py, never typed",
    ("evaluation", "AttentionThreshold", "parameter"): "a parameter key of a rule, never typed",
    ("evaluation", "HistoricalAttentionThreshold", "rule"): "a rule key of evaluation/figures/attention.py",
    ("evaluation", "HistoricalAttentionThreshold", "parameter"): "a parameter key of a rule",
    ("pilotage", "Attachment", "content_type"): (
        "set from the detected file type (pilotage.uploads), never from the person's input"
    ),
}
# Fields whose values a form restricts to a fixed list, and slugs (validated to [-a-zA-Z0-9_] and
# used to route), are left out by type; fields too short for the smallest markup piece are listed
# by the test, so a new one is noticed.
TOO_SHORT = {
    ("sites", "Site", "insee_code"),
    ("sites", "Site", "departement_code"),
    ("sites", "HistoricalSite", "insee_code"),
    ("sites", "HistoricalSite", "departement_code"),
}

HTMX_ATTRIBUTE = re.compile(r"^(data-)?hx-")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}
RULES = collect_rules()


def plantable_fields(model):
    """(field, reason skipped or None) for each text field of the model."""
    for field in model._meta.concrete_fields:
        if field.is_relation or not isinstance(field, models.CharField | models.TextField):
            continue
        key = (model._meta.app_label, model.__name__, field.name)
        if key in EXCLUDED:
            continue
        if field.choices or isinstance(field, models.SlugField):
            continue
        yield key, field


def planted_value(pk, max_length) -> str | None:
    """The row's primary key (for unique fields), then as many pieces as fit."""
    value = f"{pk}"
    for piece in PIECES:
        if max_length is not None and len(value) + len(piece) > max_length:
            break
        value += piece
    return value if value != f"{pk}" else None


def _rows_the_matrix_world_lacks(world):
    """A row of each model the permission matrix builds none of, so that its text is planted too."""
    SurveyFactory()
    # The quotes' speakers consent to their name being shown: the planted name is then printed,
    # escaped, on the pages (without consent the database refuses a name).
    Quote.objects.update(name_consent=True, consent_on=datetime.date(2021, 6, 1))
    thresholds_update(values={("no_steering", "months"): 4}, user=world.users["national_team"])
    for slug in MATRIX_SITES:
        site = Site.objects.get(slug=slug)
        DiagnosticFactory(site=site)
        AssessmentFactory(site=site)
        LogbookReminderFactory(site=site)
        IndicatorValueFactory(site=site, indicator=world.objects[slug]["indicator"], comment="x")
        report = world.objects[slug]["report"]
        report.requested_by = world.users["national_team"]
        report.save()
        ReportLinkUse.objects.create(report=report, recipient=f"elu-{slug}@example.org")
        site.host = HostOrganisation.objects.create(
            name=f"Structure {slug}", kind=HostOrganisation.Kind.SOCIAL_CENTRE, network=site.network, city="X"
        )
        site.save()  # a history row too


def plant_markup() -> tuple[int, set]:
    """Every row of every app's tables gets markup in its free text; (fields planted, too short)."""
    planted, too_short = set(), set()
    for label in FINGERPRINT_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = list(plantable_fields(model))
            if not fields:
                continue
            for row in model._base_manager.only("pk"):
                values = {}
                for key, field in fields:
                    value = planted_value(row.pk, field.max_length)
                    if value is None:
                        too_short.add(key)
                        continue
                    values[field.attname] = value
                    planted.add(key)
                if values:
                    model._base_manager.filter(pk=row.pk).update(**values)
    return planted, too_short


class MarkupFinder(html.parser.HTMLParser):
    """Collects every element or attribute in the document that came from planted text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        if MARK in tag:
            self.found.append(f"<{tag}> element")
        self._script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if MARK in name:
                self.found.append(f"<{tag} {name}> attribute")
            elif name.startswith("on"):
                # No page of ours has an inline handler (the CSP forbids them): any is planted.
                self.found.append(f"<{tag} {name}={value!r}>")
            elif (HTMX_ATTRIBUTE.match(name) and MARK in value) or (
                name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:")
            ):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self._script = False

    def handle_data(self, data):
        if self._script and MARK in data:
            self.found.append(f"<script> holding {data[:60]!r}")


def markup_in(text: str) -> list[str]:
    finder = MarkupFinder()
    finder.feed(text)
    finder.close()
    found = finder.found
    if TEMPLATE_EVALUATED in text:
        found.append("stored text rendered as a template")
    return found


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("planted-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        world = build_world()
        world.media_root = media_root
        _rows_the_matrix_world_lacks(world)
        world.planted, world.too_short = plant_markup()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def in_world(world, db, settings):
    settings.MEDIA_ROOT = world.media_root
    return world


def _urls(world):
    for name, rule in RULES.items():
        if "GET" not in rule.methods:
            continue
        for slug in MATRIX_SITES if rule.policy in SITE_POLICIES else ("marseille",):
            yield reverse(name, kwargs=rule.kwargs(world.objects[slug]))


def _html_answers(client, world):
    """(url, html) of every declared GET URL, as a page and as an htmx fragment."""
    for url in _urls(world):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, follow=True, headers=headers)
            if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
                yield url + (" (htmx)" if headers else ""), response.content.decode("utf-8", "replace")


def test_every_free_text_field_is_planted(in_world):
    """The exclusions are the only fields left out; a new text field is planted as it appears."""
    assert ("evaluation", "Indicator", "definition") in in_world.planted
    assert ("pilotage", "Meeting", "title") in in_world.planted
    assert in_world.too_short <= TOO_SHORT
    every = {
        key
        for label in FINGERPRINT_APPS
        for m in apps.get_app_config(label).get_models()
        for key, _f in plantable_fields(m)
    }
    assert every - in_world.planted - TOO_SHORT == set()


def test_the_national_team_reads_the_planted_markup_as_text(client, in_world):
    """The markup does reach the pages, escaped: the test would see it if it were not."""
    sign_in(client, in_world, "facilitator")
    rule = RULES["indicators:indicator_values"]
    page = client.get(
        reverse("indicators:indicator_values", kwargs=rule.kwargs(in_world.objects["marseille"]))
    )
    # The indicator's definition, shown as the field's help text (the page of the finding).
    assert f"&lt;div hx-post=&quot;/{MARK}&quot; hx-trigger=&quot;load&quot;" in page.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_renders_planted_markup(client, in_world, persona):
    sign_in(client, in_world, persona)
    problems = [
        f"{url}: {', '.join(found[:3])}"
        for url, text in _html_answers(client, in_world)
        if (found := markup_in(text))
    ]
    assert not problems, f"{persona} gets planted markup as markup on:\n" + "\n".join(problems)


def test_the_report_html_renders_planted_markup_as_text(in_world):
    today = timezone.localdate()
    period = parse_period(f"{today.year - 4}-01-01..{today.isoformat()}")
    for scope in ("national", "site:marseille", "network:fcsf"):
        text = render_html(target=parse_scope(scope), period=period)
        assert MARK in text
        assert not markup_in(text), scope


def test_report_emails_are_plain_text(in_world, django_capture_on_commit_callbacks):
    """The report's e-mail is plain text; a notification's HTML part shows planted text as text."""
    mail.outbox.clear()
    report = in_world.objects["marseille"]["report"]
    with django_capture_on_commit_callbacks(execute=True):
        report_notify(report.pk)
    assert mail.outbox
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert "\n" not in message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            assert mimetype == "text/html"
            assert not markup_in(content)


@pytest.mark.parametrize("persona", ["national_team", "facilitator"])
def test_search_results_render_planted_markup_as_text(client, in_world, persona):
    """Titles and snippets of the search (ts_headline's marks on PostgreSQL) are escaped piece by
    piece: the planted markup is found, shown, and never a tag."""
    sign_in(client, in_world, persona)
    for query in (MARK, f"{MARK} onerror", "script"):
        for kind in ("", "reunions", "decisions", "actions", "constats", "carnet", "partenaires"):
            page = client.get(reverse("search:results"), {"q": query, "type": kind}).content.decode()
            assert not markup_in(page), (query, kind, markup_in(page)[:3])
    found = client.get(reverse("search:results"), {"q": MARK}).content.decode()
    assert "<mark>" in found and "&lt;" in found
