"""allauth adapter: no open sign-up (accounts are created by administrators or the national team),
the client address read behind our proxies, sign-in attempts slowed down per account
(atc.signin) rather than the account locked, and every e-mailed link on the public address
(`SITE_URL`, atc/links.py), never on the host a request came in on."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from atc import mail as atc_mail
from atc import signin
from atc.links import absolute_url


@dataclass(frozen=True)
class PublicSite:
    """What allauth's mail templates read as `current_site`: the platform's name and public host."""

    name: str
    domain: str


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

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's key is "<uidb36>-<token>"; its own URL is built on the request's host.
        uidb36, _, token = key.partition("-")
        return absolute_url(
            reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": token})
        )

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers=headers)
        # The same message, as the platform's class that folds its subject (atc/mail.py).
        if isinstance(message, mail.EmailMultiAlternatives):
            message.__class__ = atc_mail.EmailMultiAlternatives
        else:
            message.__class__ = atc_mail.EmailMessage
        return message

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The mails' signature names the site: the public address, not the request's host.
        site = PublicSite(name=gettext("Plateforme ATC"), domain=urlsplit(settings.SITE_URL).netloc)
        super().send_mail(template_prefix, email, {**context, "current_site": site})


def _login(credentials) -> str:
    return credentials.get("email") or credentials.get("username") or ""
