"""What the permission matrix and the leak test share: every app's declared rules, the walk of
the project's URL patterns, one world of objects on the matrix sites, and a database fingerprint.
"""

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from atc.models import Role
from sites.models import Network, Site
from tests.access import MATRIX_SITES, PERSONAS
from tests.atc.factories import RoleFactory, UserFactory

TESTS_DIR = Path(__file__).resolve().parent.parent
# Built first so that the other apps' objects can lean on them; the rest follow by name.
BUILD_ORDER = ("sites", "pilotage", "diagnostics", "evaluation")
# The apps whose rows a refused POST must leave untouched.
FINGERPRINT_APPS = ("atc", "sites", "pilotage", "diagnostics", "evaluation")
NORD = ("tourcoing", "grande-synthe", "roubaix")


def rule_modules():
    """Every `tests.<app>.access_rules*` module (an app may split its rules by feature, e.g.
    access_rules_partners.py), imported by name; apps without one are skipped."""
    names = sorted(
        path.name for path in TESTS_DIR.iterdir() if path.is_dir() and (path / "__init__.py").exists()
    )
    names.sort(key=lambda name: (BUILD_ORDER.index(name) if name in BUILD_ORDER else 99, name))
    modules = []
    for name in names:
        for path in sorted((TESTS_DIR / name).glob("access_rules*.py")):
            modules.append(importlib.import_module(f"tests.{name}.{path.stem}"))
    return modules


def collect_rules():
    """URL name → Rule, from every app's RULES; a name declared twice is an error."""
    rules = {}
    for module in rule_modules():
        for name, rule in getattr(module, "RULES", {}).items():
            if name in rules:
                raise AssertionError(f"{name} is declared twice ({module.__name__})")
            rules[name] = rule
    return rules


def collect_prefix_rules():
    """Third-party URL families declared by prefix of their name (admin:, allauth's…)."""
    prefixes = {}
    for module in rule_modules():
        prefixes.update(getattr(module, "PREFIX_RULES", {}))
    return prefixes


def walk_patterns(resolver=None, namespace="", route=""):
    """(qualified name or None, full route) of every URL pattern, namespaces included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk_patterns(pattern, inner, route + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, route + str(pattern.pattern)


def pattern_key(name, route):
    return name or route


@dataclass
class World:
    """The personas, the matrix sites with every app's objects, and a signed-in session each."""

    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    media_root: object = None


def _person(email, kind=None, sites=(), network=None):
    user = UserFactory(email=email)
    if kind:
        RoleFactory(user=user, kind=kind, sites=list(sites), network=network)
    return user


def build_personas():
    """The personas of tests/conftest.py, with the same scopes."""
    marseille = Site.objects.get(slug="marseille")
    return {
        "facilitator": _person("facilitator@example.org", Role.Kind.FACILITATOR, [marseille]),
        "host_director": _person("host@example.org", Role.Kind.HOST_DIRECTOR, [marseille]),
        "prefet_delegate": _person(
            "delegate@example.org", Role.Kind.PREFET_DELEGATE, Site.objects.filter(slug__in=NORD)
        ),
        "network_coordinator": _person(
            "network@example.org",
            Role.Kind.NETWORK_COORDINATOR,
            network=Network.objects.get(code="fcsf"),
        ),
        "national_team": _person("national@example.org", Role.Kind.NATIONAL_TEAM),
        "outsider": _person("outsider@example.org"),
    }


def build_objects(site, user):
    """Every app's `build(site, user)` merged, plus the site itself."""
    objects = {"site": site}
    for module in rule_modules():
        build = getattr(module, "build", None)
        if build is not None:
            objects.update(build(site, user) or {})
    return objects


def build_world() -> World:
    world = World(users=build_personas())
    for slug in MATRIX_SITES:
        world.objects[slug] = build_objects(Site.objects.get(slug=slug), world.users["facilitator"])
    for persona in PERSONAS:
        if persona == "anonymous":
            continue
        client = Client()
        client.force_login(world.users[persona])
        world.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return world


def sign_in(client, world: World, persona: str) -> None:
    """Reuse the persona's session built with the world (saves a login per request)."""
    client.cookies.clear()
    if persona != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]


def fingerprint() -> dict:
    """Every row of the apps' tables (many-to-many tables included), in primary-key order."""
    rows = {}
    for label in FINGERPRINT_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return rows


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))
