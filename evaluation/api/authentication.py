"""How the API knows who is calling: a personal token (`Authorization: Bearer atc_…`), or the
session of a signed-in person (the documentation pages, a browser). Either way the request runs
with that person's access, through the same rules as the pages (atc.permissions)."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from atc.tokens.services import api_token_authenticate

KEYWORD = "Bearer"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A personal token, looked up in the database on every request: revoked or expired, it is
    refused at once (401), without waiting for any cache."""

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("En-tête mal formé : écrivez « Authorization: Bearer <jeton> ».")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(
                _("Jeton illisible : il ne contient que des lettres, chiffres, - et _.")
            ) from exc
        token = api_token_authenticate(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Jeton inconnu, révoqué ou expiré : créez-en un dans « Mon compte » › « Jetons d'API ».")
            )
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to an unauthenticated call, with this challenge.
        return f'{KEYWORD} realm="api"'


class ReadOnlySessionAuthentication(authentication.SessionAuthentication):
    """The signed-in person's session. The API only reads (GET), so DRF's CSRF check on unsafe
    methods never has anything to protect; it is kept as it is."""


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token as the OpenAPI schema describes it (a bearer token)."""

    target_class = ApiTokenAuthentication
    name = "jeton"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                gettext_lazy("Jeton personnel créé dans « Mon compte » › « Jetons d'API » (atc_…).")
            ),
        }


class SessionScheme(OpenApiAuthenticationExtension):
    """The session cookie of a signed-in person (the documentation pages)."""

    target_class = ReadOnlySessionAuthentication
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
