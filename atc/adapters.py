"""allauth adapter: no open sign-up (accounts are created by administrators or the national team),
the client address read behind our proxies, and sign-in attempts slowed down per account
(atc.signin) rather than the account locked."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import ngettext

from atc import signin


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request) -> str:
        ip = signin.client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def pre_authenticate(self, request, **credentials):
        # allauth's own limits first: failures per client address (ACCOUNT_RATE_LIMITS).
        super().pre_authenticate(request, **credentials)
        wait = signin.seconds_to_wait(_login(credentials), self.get_client_ip(request))
        if wait > 0:
            raise forms.ValidationError(
                ngettext(
                    "Trop de tentatives pour ce compte : réessayez dans %(seconds)d seconde.",
                    "Trop de tentatives pour ce compte : réessayez dans %(seconds)d secondes.",
                    wait,
                )
                % {"seconds": wait},
                code="signin_throttled",
            )

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            signin.record_success(_login(credentials), self.get_client_ip(request))
        return user

    def authentication_failed(self, request, **credentials):
        signin.record_failure(_login(credentials), self.get_client_ip(request))


def _login(credentials) -> str:
    return credentials.get("email") or credentials.get("username") or ""
