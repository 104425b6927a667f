"""The answer pages' rate limit: the project's limiter (DRF's cache-counted throttling, as for the
API), per client address (`atc.signin.client_ip`), whether the link is valid or not, so that
guessing links costs time."""

from django.conf import settings
from rest_framework import throttling

from atc.signin import client_ip


class AnswerRateThrottle(throttling.SimpleRateThrottle):
    scope = "survey-answer"

    def get_rate(self):
        return settings.ATC_SURVEY_ANSWER_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


def answer_allowed(request) -> bool:
    return AnswerRateThrottle().allow_request(request, None)
