"""Hypothesis profile of the bad-input tests: few examples, no deadline (each one is a request)."""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "badinput",
    max_examples=25,
    deadline=None,
    derandomize=True,
    # One database per test, shared by its examples: each example counts rows before and after.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
