import pytest


@pytest.fixture(autouse=True)
def _answer_rate(settings):
    """The answer pages' limit out of the way (its own test sets a low one)."""
    settings.ATC_SURVEY_ANSWER_RATE = "10000/minute"
