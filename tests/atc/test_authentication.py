"""Signing in, out and back: rate limits, password reset without enumeration, sessions, two-factor
enrolment of national accounts, and the admin's sign-in going through allauth."""

import datetime
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from atc import signin
from tests.atc.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "account_login"


# The address of the proxy (nginx) in front of the app, as the app server sees every request.
PROXY_ADDRESS = "172.18.0.2"
ADDRESS_LIMIT_MESSAGE = "Trop de tentatives de connexion échouées."


def _sign_in(client, email, password=TEST_PASSWORD, forwarded_for=None):
    extra = {"REMOTE_ADDR": PROXY_ADDRESS}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse(LOGIN), {"login": email, "password": password}, **extra)


def test_sign_in_page_is_french_and_offers_no_sign_up(client):
    page = client.get(reverse(LOGIN)).content.decode()
    assert "<h1>Connexion</h1>" in page
    assert "Mot de passe oublié" in page
    assert reverse("account_signup") not in page
    assert 'lang="fr"' in page


def test_sign_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "x" * 16, "password2": "x" * 16},
    )
    assert "Inscription fermée" in response.content.decode()
    assert not UserFactory._meta.model.objects.filter(email="new@example.org").exists()


def test_signing_in_with_email_and_password_reaches_home(client, facilitator):
    response = _sign_in(client, facilitator.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_sixth_attempt_from_the_same_address_waits_then_the_right_password_works(
    client, facilitator, monkeypatch
):
    clock = [1_000_000.0]
    monkeypatch.setattr(signin, "_now", lambda: clock[0])
    for _ in range(5):
        response = _sign_in(client, facilitator.email, "not-the-password-at-all")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = _sign_in(client, facilitator.email)
    assert "Trop de tentatives pour ce compte : réessayez dans 30 secondes." in response.content.decode()
    assert "_auth_user_id" not in client.session
    clock[0] += 30
    assert _sign_in(client, facilitator.email).status_code == 302


def test_the_right_password_works_after_five_wrong_ones_from_someone_else(client, facilitator, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        _sign_in(client, facilitator.email, "not-the-password-at-all", forwarded_for="203.0.113.5")
    # The guesser, still at it, is made to wait; the owner, elsewhere, is not.
    assert (
        "Trop de tentatives"
        in _sign_in(client, facilitator.email, forwarded_for="203.0.113.5").content.decode()
    )
    assert _sign_in(client, facilitator.email, forwarded_for="198.51.100.7").status_code == 302


def test_twenty_attempts_hammering_one_account_from_one_address_do_not_slow_its_owner(
    client, facilitator, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(20):
        _sign_in(client, facilitator.email, "not-the-password-at-all", forwarded_for="203.0.113.5")
    assert _sign_in(client, facilitator.email, forwarded_for="198.51.100.7").status_code == 302


def test_twenty_failures_from_one_client_behind_the_proxy_do_not_lock_out_another(
    client, facilitator, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(20):
        # Each request comes from the proxy's address; the client's is the entry it appended.
        response = _sign_in(
            client, f"nobody-{number}@example.org", "not-the-password-at-all", forwarded_for="203.0.113.5"
        )
        assert response.status_code == 200
    refused = _sign_in(client, facilitator.email, forwarded_for="203.0.113.5")
    assert ADDRESS_LIMIT_MESSAGE in refused.content.decode()
    assert _sign_in(client, facilitator.email, forwarded_for="198.51.100.7").status_code == 302


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(client, facilitator, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(20):
        _sign_in(client, f"nobody-{number}@example.org", "wrong-password", forwarded_for=f"192.0.2.{number}")
    refused = _sign_in(client, facilitator.email, forwarded_for="198.51.100.7")
    assert ADDRESS_LIMIT_MESSAGE in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_only_the_entry_our_proxy_appended_is_read(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.5", REMOTE_ADDR=PROXY_ADDRESS)
    assert signin.client_ip(request) == "203.0.113.5"
    request = rf.get("/", HTTP_X_FORWARDED_FOR="not-an-address", REMOTE_ADDR=PROXY_ADDRESS)
    assert signin.client_ip(request) == PROXY_ADDRESS
    settings.TRUSTED_PROXY_COUNT = 2
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR=PROXY_ADDRESS)
    assert signin.client_ip(request) == PROXY_ADDRESS


def test_the_rate_limit_is_per_account(client, facilitator, host_director):
    for _ in range(5):
        _sign_in(client, facilitator.email, "not-the-password-at-all")
    assert _sign_in(client, host_director.email).status_code == 302


def test_a_password_shorter_than_12_characters_is_refused(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "Court-9x", "password2": "Court-9x"},
    )
    assert "au minimum 12 caractères" in response.content.decode()


def test_a_common_password_is_refused(client, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": "password1234", "password2": "password1234"},
    )
    assert "couramment utilisé" in response.content.decode()


def test_password_reset_does_not_reveal_whether_an_email_exists(client, facilitator):
    known = client.post(reverse("account_reset_password"), {"email": facilitator.email})
    assert len(mail.outbox) == 1
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert len(mail.outbox) == 1, "no email is sent to an unknown address"
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content


def test_the_reset_link_lets_the_person_choose_a_new_password(client, facilitator):
    client.post(reverse("account_reset_password"), {"email": facilitator.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/comptes/password/reset/key/" in line)
    form_url = client.get(link.strip())["Location"]
    response = client.post(
        form_url, {"password1": "Un-nouveau-mot-2-passe", "password2": "Un-nouveau-mot-2-passe"}
    )
    assert response.status_code == 302
    assert _sign_in(client, facilitator.email, "Un-nouveau-mot-2-passe").status_code == 302


def test_signing_in_gives_a_new_session_key(client, facilitator):
    client.get(reverse(LOGIN))
    client.session["anything"] = "before"
    session = client.session
    session["visited"] = True
    session.save()
    before = session.session_key
    _sign_in(client, facilitator.email)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_out_ends_the_session_for_good(client, facilitator):
    _sign_in(client, facilitator.email)
    old_key = client.session.session_key
    assert client.post(reverse("account_logout")).status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))


def test_signing_out_needs_a_post(client, facilitator):
    _sign_in(client, facilitator.email)
    client.get(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 200


def test_a_deactivated_person_is_out_on_their_next_request(client, facilitator):
    _sign_in(client, facilitator.email)
    assert client.get(reverse("home")).status_code == 200
    facilitator.is_active = False
    facilitator.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))


def test_an_idle_session_expires(client, facilitator, settings):
    _sign_in(client, facilitator.email)
    client.get(reverse("home"))
    session = Session.objects.get(session_key=client.session.session_key)
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert session.expire_date > timezone.now() + idle - datetime.timedelta(minutes=1)

    # Idle for real, on a short timeout, rather than by editing the stored expiry.
    settings.SESSION_COOKIE_AGE = 2
    client.logout()
    _sign_in(client, facilitator.email)
    assert client.get(reverse("home")).status_code == 200
    time.sleep(2.5)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(LOGIN))


def test_activity_pushes_the_idle_expiry_forward_at_most_once_a_minute(client, facilitator):
    from atc.middleware import TOUCH_KEY

    _sign_in(client, facilitator.email)
    client.get(reverse("home"))
    key = client.session.session_key
    soon = timezone.now() + datetime.timedelta(minutes=5)
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get(reverse("home"))  # touched less than a minute ago: no write
    assert Session.objects.get(pk=key).expire_date == soon

    session = client.session
    session[TOUCH_KEY] -= settings.SESSION_TOUCH_SECONDS + 1  # a minute later…
    session.save()
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get(reverse("home"))
    expiry = Session.objects.get(pk=key).expire_date
    assert expiry > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def _totp_code(secret, steps_ago=0):
    return f"{hotp_value(secret, int(timezone.now().timestamp()) // 30 - steps_ago):06d}"


def test_national_accounts_must_set_up_two_factor_when_required(client, settings, national_team):
    settings.ATC_REQUIRE_MFA = True
    _sign_in(client, national_team.email)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")

    # Adding an authenticator asks for the password again (allauth's re-authentication).
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": TEST_PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Activer" in page.content.decode()
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=national_team, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("home")).status_code == 200


def test_staff_accounts_must_set_up_two_factor_too(client, settings):
    settings.ATC_REQUIRE_MFA = True
    staff = UserFactory(is_staff=True)
    _sign_in(client, staff.email)
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_activate_totp")


def test_site_accounts_are_not_asked_for_two_factor(client, settings, facilitator):
    settings.ATC_REQUIRE_MFA = True
    _sign_in(client, facilitator.email)
    assert client.get(reverse("home")).status_code == 200


def test_two_factor_is_not_required_when_the_setting_is_off(client, settings, national_team):
    settings.ATC_REQUIRE_MFA = False
    _sign_in(client, national_team.email)
    assert client.get(reverse("home")).status_code == 200


def test_an_enrolled_account_gives_its_code_at_sign_in(client, national_team):
    secret = generate_totp_secret()
    TOTP.activate(national_team, secret)
    response = _sign_in(client, national_team.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert "Authentification à deux facteurs" in page
    response = client.post(reverse("mfa_authenticate"), {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(("steps_ago", "accepted"), [(1, True), (3, False)])
def test_a_code_of_the_previous_step_is_accepted_an_older_one_is_not(
    client, national_team, steps_ago, accepted
):
    secret = generate_totp_secret()
    TOTP.activate(national_team, secret)
    _sign_in(client, national_team.email)
    response = client.post(reverse("mfa_authenticate"), {"code": _totp_code(secret, steps_ago)})
    assert (response.status_code == 302) is accepted
    assert ("_auth_user_id" in client.session) is accepted


def test_the_admin_sign_in_goes_through_allauth(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse(LOGIN) + "?next=/admin/"


def test_the_admin_sign_in_ignores_an_outside_next(client):
    response = client.get(reverse("admin:login") + "?next=https://evil.example.com/")
    assert response["Location"] == reverse(LOGIN) + "?next=/admin/"


def test_staff_reach_the_admin_after_signing_in_with_allauth(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        reverse(LOGIN) + "?next=/admin/", {"login": staff.email, "password": TEST_PASSWORD}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_person_without_staff_status_is_refused_the_admin(client, national_team):
    client.force_login(national_team)
    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


ANONYMOUS_PAGES = {
    "account_login": "Connexion",
    "account_reset_password": "Réinitialisation du mot de passe",
    "account_reset_password_done": "Réinitialisation du mot de passe",
    "account_reset_password_from_key_done": "mot de passe",
    "account_email_verification_sent": "Vérifiez votre adresse e-mail",
    "account_signup": "Inscription fermée",
}
SIGNED_IN_PAGES = {
    "account_change_password": "Modifier le mot de passe",
    "account_logout": "Se déconnecter",
    "account_reauthenticate": "Confirmer",
    "mfa_index": "Authentification à deux facteurs",
    "mfa_activate_totp": "Activer",
}


def _assert_in_our_layout(response, heading):
    page = response.content.decode()
    assert response.status_code == 200
    assert "INVALID_TEMPLATE_VARIABLE" not in page
    assert 'class="site-header"' in page
    assert heading in page
    assert "<script>" not in page and 'style="' not in page


@pytest.mark.parametrize(("name", "heading"), ANONYMOUS_PAGES.items())
def test_allauth_pages_for_anonymous_people_are_french_in_our_layout(client, name, heading):
    _assert_in_our_layout(client.get(reverse(name)), heading)


@pytest.mark.parametrize(("name", "heading"), SIGNED_IN_PAGES.items())
def test_allauth_pages_for_signed_in_people_are_french_in_our_layout(client, facilitator, name, heading):
    _sign_in(client, facilitator.email)
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    _assert_in_our_layout(client.get(reverse(name)), heading)


def test_the_reset_from_key_page_is_french_in_our_layout(client, facilitator):
    client.post(reverse("account_reset_password"), {"email": facilitator.email})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line)
    response = client.get(link.strip(), follow=True)
    _assert_in_our_layout(response, "Modifier le mot de passe")


def test_the_two_factor_step_is_french_in_our_layout(client, national_team):
    TOTP.activate(national_team, generate_totp_secret())
    _sign_in(client, national_team.email)
    _assert_in_our_layout(client.get(reverse("mfa_authenticate")), "Authentification à deux facteurs")


def test_recovery_codes_pages_are_french_in_our_layout(client, national_team):
    secret = generate_totp_secret()
    TOTP.activate(national_team, secret)
    _sign_in(client, national_team.email)
    client.post(reverse("mfa_authenticate"), {"code": _totp_code(secret)})
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    _assert_in_our_layout(client.get(reverse("mfa_generate_recovery_codes")), "récupération")
    _assert_in_our_layout(client.get(reverse("mfa_deactivate_totp")), "Désactiver")
