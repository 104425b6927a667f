"""No address, query string or form body makes the platform answer 500.

Every URL pattern of the project (walked from the URLconf, as the permission matrix does) is
requested by a person allowed to open it, with its path arguments, the query parameters the views
read (found in the source) plus random ones, and — where the page holds a form — a fuzzed POST of
that form. A refusal (400, 404, a form error) is fine; a server error is not.
"""

import re
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLResolver
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from atc.models import User
from tests.access import SITE_POLICIES
from tests.access import allowed as is_allowed
from tests.atc.matrix import build_world, collect_rules, walk_patterns
from tests.badinput.forms import page_form

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("atc", "sites", "pilotage", "diagnostics", "evaluation")
RULES = collect_rules()
PREFERENCE = ("facilitator", "national_team", "host_director", "prefet_delegate", "network_coordinator")
# Signing out would end the persona's shared session for the following examples.
NO_POST = {"account_logout"}

# Values people (or their browsers, or someone probing) put in addresses and forms.
NASTY = [
    "",
    "0",
    "-1",
    "abc",
    "9999",
    "0000",
    "9999-Q4",
    "0000-T1",
    "2021-Q5",
    "2021-H3",
    "99999999999999999999",
    "2147483648",
    "-9223372036854775809",
    "1e308",
    "nan",
    "9999-12-31",
    "0001-01-01",
    "2021-02-31",
    "0001-01-01..9999-12-31",
    "31/12/9999",
    "\x00",
    "\x1b[0m",
    "é" * 300,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "2021-T1",
    "2021",
]
nasty = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
# Sent in every parameter at once to every page, whatever hypothesis draws.
SWEEP = ["abc", "9999", "0000", "9999-Q4", "99999999999999999999", "-1", "0001-01-01", "\x00"]


def _read_parameters() -> list[str]:
    """The query parameters the views read: `request.GET.get("x")` and the GET filter forms'
    `data.get("x")`, found in the source so that a new one is fuzzed without editing this test."""
    names = set()
    pattern = re.compile(r"(?:GET|data)\.get\(\"([a-z_]+)\"")
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            names.update(pattern.findall(path.read_text()))
    return sorted(names | {"date_from", "date_to", "kind", "minutes_status", "o", "p", "q", "e"})


PARAMETERS = _read_parameters()
query = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETERS), st.text(min_size=1, max_size=8)), nasty, max_size=4
)

_CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _path_args(route: str) -> list[str]:
    return [m["name"] or m["rname"] for m in _CONVERTER.finditer(route)]


def _build(route: str, values: dict) -> str:
    def replace(match):
        return quote(str(values[match["name"] or match["rname"]]), safe="")

    path = _CONVERTER.sub(replace, route).replace("^", "").replace("$", "")
    return "/" + path


def _persona(name):
    rule = RULES.get(name)
    if name and name.startswith("admin:") or rule is None and name is None:
        return "superuser"
    if rule is None:
        return "facilitator"
    slug = "marseille" if rule.policy in SITE_POLICIES else None
    return next((p for p in PREFERENCE if is_allowed(rule.policy, p, slug)), "anonymous")


def _cases():
    for name, route in walk_patterns():
        yield pytest.param(name, route, id=name or route)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("fuzz-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        world = build_world()
        admin = User.objects.create_superuser(email="admin@example.org", password="x-Unused-1")
        client = Client()
        client.force_login(admin)
        world.sessions["superuser"] = client.cookies[settings.SESSION_COOKIE_NAME].value
        world.media_root = media_root
        yield world
        transaction.set_rollback(True)


def _known_args(name, route, world) -> dict:
    rule = RULES.get(name)
    known = rule.kwargs(world.objects["marseille"]) if rule else {}
    return {arg: known.get(arg, "1") for arg in _path_args(route)}


def _client(world, persona) -> Client:
    client = Client(raise_request_exception=False)
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    return client


def _no_server_error(response, what):
    exc = getattr(response, "exc_info", None)
    detail = f"{exc[0].__name__}: {exc[1]}" if exc else ""
    assert response.status_code < 500, f"{what} answered {response.status_code} {detail}"


def _reads_query(name, route) -> bool:
    """Whether the view's module reads the query string (those get the full sweep)."""
    if name is None:
        return False
    view = resolve_view(name, route)
    source = Path(sys.modules[view.__module__].__file__).read_text()
    return "request.GET" in source


def resolve_view(name, route):
    from django.urls import get_resolver

    for pattern_name, pattern in _flat(get_resolver()):
        if pattern_name == name:
            return pattern.callback
    raise LookupError(name)


def _flat(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _flat(pattern, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern


@pytest.mark.parametrize(("name", "route"), [c for c in _cases() if c.values[0] in RULES])
def test_no_parameter_makes_a_page_of_ours_fail(world, db, settings, name, route):
    settings.MEDIA_ROOT = world.media_root
    persona = _persona(name)
    known = _known_args(name, route, world)
    client = _client(world, persona)
    page = client.get(_build(route, known))
    _no_server_error(page, f"GET {_build(route, known)} as {persona}")
    if _reads_query(name, route):
        for value in SWEEP:
            target = _build(route, known) + "?" + urlencode(dict.fromkeys(PARAMETERS, value))
            _no_server_error(client.get(target), f"GET {target} as {persona}")
    form = None
    if name not in NO_POST and "html" in page.get("Content-Type", "") and b'method="post"' in page.content:
        form, _names = page_form(page.content.decode())
    post_rule = RULES[name].post_data

    args = st.fixed_dictionaries({arg: st.one_of(st.just(value), nasty) for arg, value in known.items()})
    body = st.dictionaries(
        st.one_of(st.sampled_from(sorted(form)) if form else st.nothing(), st.text(min_size=1, max_size=8)),
        nasty,
        max_size=4,
    )

    @hypothesis_settings(max_examples=4, deadline=None, derandomize=True, database=None)
    @given(args=args, params=query, fields=body, htmx=st.booleans())
    def fuzz(args, params, fields, htmx):
        url = _build(route, args)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        target = url + ("?" + urlencode(params) if params else "")
        _no_server_error(client.get(target, **headers), f"GET {target} as {persona}")
        if form is not None or post_rule is not None:
            data = dict(form or {})
            if post_rule:
                data.update(post_rule(world.objects["marseille"]))
            data.update(fields)
            _no_server_error(client.post(url, data, **headers), f"POST {url} {fields} as {persona}")

    fuzz()


THIRD_PARTY = [c for c in _cases() if c.values[0] not in RULES]
# The admin's own query parameters (sorting, paging, search, date drill-down, popups).
ADMIN_PARAMETERS = [
    "o",
    "p",
    "q",
    "e",
    "all",
    "_popup",
    "_to_field",
    "date__year",
    "date__month",
    "date__day",
]


@pytest.mark.parametrize(("index", "name", "route"), [(i, *c.values) for i, c in enumerate(THIRD_PARTY)])
def test_no_parameter_makes_an_admin_or_account_page_fail(world, db, settings, index, name, route):
    """Django's admin and allauth: two nasty values (rotating over the patterns) in every path
    argument and in the parameters they read, for the person they serve."""
    settings.MEDIA_ROOT = world.media_root
    persona = _persona(name)
    known = _known_args(name, route, world)
    client = _client(world, persona)
    _no_server_error(client.get(_build(route, known)), f"GET {_build(route, known)} as {persona}")
    for value in (NASTY[index % len(NASTY)], SWEEP[index % len(SWEEP)]):
        args = dict.fromkeys(known, value)
        target = _build(route, args) + "?" + urlencode(dict.fromkeys(ADMIN_PARAMETERS, value))
        _no_server_error(client.get(target), f"GET {target} as {persona}")
