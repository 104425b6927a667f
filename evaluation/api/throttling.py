"""Rate limits of the API, counted in the cache (DRF throttling): per person for calls with a
token or a session, per address for anonymous ones. Rates from the settings, read per request."""

from django.conf import settings
from rest_framework import throttling

from atc.signin import client_ip


class PersonRateThrottle(throttling.UserRateThrottle):
    """`ATC_API_RATE` requests per person, whichever of their tokens (or session) they use."""

    scope = "api"

    def get_rate(self):
        return settings.ATC_API_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonymousRateThrottle(throttling.AnonRateThrottle):
    """`ATC_API_ANON_RATE` requests per address for what answers without a person: the schema,
    the documentation, the 401s."""

    scope = "api-anon"

    def get_rate(self):
        return settings.ATC_API_ANON_RATE

    def get_ident(self, request):
        # The one reading of a client's address (trusted proxies only), not DRF's, which believes
        # any X-Forwarded-For a client sends.
        return client_ip(request)
