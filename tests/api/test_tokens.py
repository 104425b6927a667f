"""Personal API tokens: created and named in « Mon compte », the secret shown once and stored only
as a hash, the last use recorded, an optional expiry, revoked at once (401 on the next call)."""

import datetime
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from atc.models import ApiToken
from atc.personal_data import personal_data_erase, personal_data_export
from atc.tokens.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db

TOKENS_URL = "/compte/jetons-api/"


def _create_on_the_page(client, name="Tableur DDETS", expires_on=""):
    return client.post(reverse("tokens:token_list"), {"name": name, "expires_on": expires_on})


def _shown_secret(page: str) -> str:
    return re.search(r'id="new-secret"[^>]*value="([^"]+)"', page, re.S)[1]


def test_the_account_pages_link_to_the_tokens_page(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("account_change_password")).content.decode()
    assert f'href="{TOKENS_URL}"' in page
    assert reverse("tokens:token_list") == TOKENS_URL


def test_a_new_token_is_shown_once_and_stored_as_a_hash(client, facilitator):
    client.force_login(facilitator)
    page = _create_on_the_page(client).content.decode()
    token = ApiToken.objects.get(user=facilitator)
    secret = _shown_secret(page)
    assert secret.startswith("atc_") and len(secret) >= 40
    assert token.prefix == secret[:12]
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.key_hash}
    assert "Copiez-le maintenant" in page
    again = client.get(reverse("tokens:token_list")).content.decode()
    assert "Tableur DDETS" in again
    assert token.prefix in again
    assert secret not in again


def test_the_shown_secret_opens_the_api_and_records_the_last_use(client, facilitator):
    client.force_login(facilitator)
    page = _create_on_the_page(client).content.decode()
    secret = _shown_secret(page)
    client.logout()
    response = client.get(reverse("api:site-list"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["marseille"]
    assert ApiToken.objects.get(user=facilitator).last_used_at is not None
    client.force_login(facilitator)
    assert "Jamais" not in client.get(reverse("tokens:token_list")).content.decode()


def test_a_revoked_token_answers_401_at_once(client, api_client, facilitator):
    api = api_client(facilitator)
    url = reverse("api:site-list")
    assert api.get(url).status_code == 200  # the scope is now in the cache
    client.force_login(facilitator)
    response = client.post(reverse("tokens:token_revoke", args=[api.token.pk]), follow=True)
    assert "est révoqué" in response.content.decode()
    refused = api.get(url)
    assert refused.status_code == 401
    assert refused["Content-Type"].startswith("application/json")
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert "révoqué" in refused.json()["detail"]


def test_an_expired_token_answers_401(api_client, facilitator):
    api = api_client(facilitator, expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api.get(reverse("api:site-list")).status_code == 401


def test_a_token_of_a_deactivated_account_answers_401(api_client, facilitator):
    api = api_client(facilitator)
    facilitator.is_active = False
    facilitator.save()
    assert api.get(reverse("api:site-list")).status_code == 401


def test_the_expiry_chosen_on_the_page_ends_after_that_day(client, facilitator):
    client.force_login(facilitator)
    day = timezone.localdate() + datetime.timedelta(days=30)
    _create_on_the_page(client, expires_on=day.isoformat())
    token = ApiToken.objects.get(user=facilitator)
    assert timezone.localtime(token.expires_at).date() == day + datetime.timedelta(days=1)
    assert token.is_usable(timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59))))
    assert not token.is_usable(token.expires_at)


@pytest.mark.parametrize(
    ("name", "expires_on", "message"),
    [
        ("", "", "Ce champ est obligatoire."),
        ("\x00", "", "Le caractère nul n’est pas autorisé."),
        ("Script\x07\x08", "", "sans caractère de contrôle"),
        ("x" * 81, "", "au plus 80 caractères"),
        ("Script", "2020-01-01", "une date à venir"),
        ("Script", "2099-01-01", "au plus un an"),
        ("Script", "9999-12-31", "Indiquez une date entre"),
        ("Script", "31/02/2027", "Saisissez une date valide."),
    ],
)
def test_a_bad_token_form_creates_nothing_and_says_why(client, facilitator, name, expires_on, message):
    client.force_login(facilitator)
    response = _create_on_the_page(client, name=name, expires_on=expires_on)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_name_with_markup_is_escaped(client, facilitator):
    client.force_login(facilitator)
    _create_on_the_page(client, name="<script>alert(1)</script>")
    page = client.get(reverse("tokens:token_list")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_nobody_revokes_another_persons_token(client, facilitator, national_team):
    token = api_token_create(user=facilitator, name="Script").token
    client.force_login(national_team)
    assert client.post(reverse("tokens:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_persons_tokens_are_not_listed(client, facilitator, host_director):
    api_token_create(user=facilitator, name="Script de Marseille")
    client.force_login(host_director)
    assert "Script de Marseille" not in client.get(reverse("tokens:token_list")).content.decode()


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer atc_inconnu",
        "Bearer " + "atc_" + "x" * 5000,
        "Bearer atc_\u00e9t\u00e9",
    ],
)
def test_a_bad_authorization_header_answers_401_in_json(client, header, db):
    response = client.get(reverse("api:site-list"), HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert response.status_code == 401
    assert response.json()["detail"]


def test_an_anonymous_call_answers_401_not_the_sign_in_page(client, db):
    response = client.get(reverse("api:meeting-list"))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Location" not in response


def test_the_session_of_a_signed_in_person_opens_the_api_too(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("api:site-list")).json()["count"] == 1


def test_the_authentication_looks_a_secret_up_by_its_prefix_and_hash(facilitator):
    created = api_token_create(user=facilitator, name="Script")
    assert api_token_authenticate(secret=created.secret) == created.token
    forged = created.secret[:12] + "A" * (len(created.secret) - 12)
    assert api_token_authenticate(secret=forged) is None


def test_the_rgpd_export_lists_tokens_without_their_secret_and_erasure_deletes_them(facilitator):
    created = api_token_create(user=facilitator, name="Tableur DDETS")
    exported = personal_data_export(user=facilitator)
    assert exported["api_tokens"][0]["name"] == "Tableur DDETS"
    assert exported["api_tokens"][0]["prefix"] == created.token.prefix
    assert created.secret not in str(exported)
    assert created.token.key_hash not in str(exported)
    report = personal_data_erase(user=facilitator)
    assert report.api_tokens == 1
    assert not ApiToken.objects.exists()
    assert api_token_authenticate(secret=created.secret) is None


def test_api_answers_are_not_kept_by_caches(api_client, facilitator):
    response = api_client(facilitator).get(reverse("api:site-list"))
    assert "no-store" in response["Cache-Control"]


def test_the_new_secret_page_is_not_kept_by_caches(client, facilitator):
    client.force_login(facilitator)
    assert "no-store" in _create_on_the_page(client)["Cache-Control"]
