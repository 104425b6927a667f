"""The figures' names reach the Jinja2 templates whenever Django builds the engine: a test that
changes DEBUG (or TEMPLATES) makes Django build it again, and every later page must still draw."""

from django.template import engines
from markupsafe import escape

from evaluation.figures import registry


def test_a_rebuilt_jinja2_engine_still_names_the_figures(settings):
    figure = registry.FIGURES[0]
    template = "{{ figure_of(key).label }} {{ chart_key(none, key) }}"
    before = engines["jinja2"].from_string(template).render({"key": figure.key})
    assert before == str(escape(f"{figure.label} {figure.key}"))
    settings.DEBUG = not settings.DEBUG  # Django's setting_changed drops every engine
    assert engines["jinja2"].from_string(template).render({"key": figure.key}) == before
