"""The production password hash (issue 20): Argon2id with the parameters of atc/hashers.py; the
PBKDF2 hashes made before it still sign in and are re-made with Argon2id. The suite itself hashes
with MD5 for speed (settings), so these tests switch to the production list."""

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from tests.atc.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS


def test_a_new_password_is_hashed_with_argon2id_at_19_mib_2_passes_1_lane(production_hashers):
    encoded = make_password("une phrase de passe assez longue")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_pbkdf2_password_still_signs_in_and_is_rehashed_with_argon2id(
    production_hashers, client, facilitator
):
    facilitator.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    facilitator.save(update_fields=["password"])
    assert facilitator.password.startswith("pbkdf2_sha256$")
    response = client.post(reverse("account_login"), {"login": facilitator.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    facilitator.refresh_from_db()
    assert facilitator.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_wrong_password_is_refused_with_argon2id(production_hashers, client, facilitator):
    facilitator.set_password(TEST_PASSWORD)
    facilitator.save(update_fields=["password"])
    response = client.post(
        reverse("account_login"), {"login": facilitator.email, "password": "pas le bon mot"}
    )
    assert response.status_code == 200
    assert "le mot de passe sont incorrects" in response.content.decode()
