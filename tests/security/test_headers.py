"""Deploy configuration as a browser receives it: HSTS, a nonce-based CSP, nosniff, referrer policy,
no framing, secure cookies, private pages not cached, error pages without internals.

`tests/atc/test_settings.py` runs `check --deploy` on the production settings; here the production
values are read from a process started with DJANGO_ENV=production, then applied to this process to
look at real responses."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.atc.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEYS = (
    "DEBUG",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
)
# What production must say, written out by hand.
EXPECTED_PRODUCTION = {
    "DEBUG": False,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "CSRF_COOKIE_SECURE": True,
    "CSRF_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_SAMESITE": "Lax",
    "SECURE_CONTENT_TYPE_NOSNIFF": True,
    "SECURE_REFERRER_POLICY": "same-origin",
    "X_FRAME_OPTIONS": "DENY",
}


@pytest.fixture(scope="module")
def production_values():
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {PRODUCTION_KEYS!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_HSTS_SECONDS"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "atc.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "atc.example.org",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(settings, production_values):
    """This process configured with the production values (HTTPS is the proxy's header)."""
    for key, value in production_values.items():
        setattr(settings, key, tuple(value) if isinstance(value, list) else value)
    settings.ALLOWED_HOSTS = ["atc.example.org"]
    return settings


@pytest.fixture
def https_client(client):
    client.defaults.update(HTTP_HOST="atc.example.org", HTTP_X_FORWARDED_PROTO="https")
    return client


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (item.strip().split() for item in policy.split(";") if item.strip())
    return {words[0]: words[1:] for words in parts}


def test_production_settings_hold_every_protection(production_values):
    assert production_values == EXPECTED_PRODUCTION


def test_plain_http_is_sent_to_https_in_production(production, client):
    response = client.get(reverse("account_login"), HTTP_HOST="atc.example.org")
    assert response.status_code == 301
    assert response["Location"].startswith("https://atc.example.org/")


def test_pages_carry_hsts_csp_nosniff_referrer_policy_and_refuse_framing(production, https_client):
    response = https_client.get(reverse("account_login"))
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    policy = _directives(response["Content-Security-Policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    nonces = [source for source in policy["script-src"] if source.startswith("'nonce-")]
    assert len(nonces) == 1


def test_each_response_has_its_own_nonce_and_every_script_is_allowed_by_the_policy(
    production, https_client, facilitator
):
    https_client.force_login(facilitator)
    seen = set()
    for _ in range(2):
        response = https_client.get(reverse("pilotage:meeting_create", args=["marseille"]))
        policy = _directives(response["Content-Security-Policy"])
        nonce = next(s for s in policy["script-src"] if s.startswith("'nonce-"))[7:-1]
        seen.add(nonce)
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag or f'nonce="{nonce}"' in tag, tag
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"
        assert "style=" not in html
    assert len(seen) == 2


def test_cookies_are_secure_httponly_and_samesite_after_signing_in(production, https_client, facilitator):
    response = https_client.get(reverse("account_login"))
    csrf = response.cookies["csrftoken"]
    response = https_client.post(
        reverse("account_login"),
        {"login": facilitator.email, "password": TEST_PASSWORD, "csrfmiddlewaretoken": csrf.value},
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"


def test_signed_in_pages_are_never_cached(production, https_client, facilitator):
    https_client.force_login(facilitator)
    for path in (reverse("home"), reverse("sites:site_home", args=["marseille"])):
        response = https_client.get(path)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_the_404_page_says_what_to_do_and_shows_no_internals(production, https_client, facilitator):
    https_client.force_login(facilitator)
    response = https_client.get("/sites/grenoble/reunions/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    for leak in ("Traceback", "Http404", "Site introuvable", "urlpatterns", "DEBUG"):
        assert leak not in html


@pytest.mark.urls("tests.security.urls")
def test_the_500_page_shows_no_stack_trace(production, https_client, facilitator):
    https_client.raise_request_exception = False
    https_client.force_login(facilitator)
    response = https_client.get("/test-erreur/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur du serveur" in html
    for leak in ("Traceback", "RuntimeError", "secret-internal-detail", "failing_view", str(ROOT)):
        assert leak not in html
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
