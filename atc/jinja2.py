"""The Jinja2 engine, for the few loops rendered on every request of a busy page (the 50 rows of
the site tables, the filters' options), where the Django engine cost more than the rest of the
page (bench/fragments.py measures both on the same loop), and for what a first read of a site's
dashboard draws (its figures, and the one markup of a chart, a data table, a figure's label and
its definition link, which the Django includes call).

Autoescape is on, as in every Django template. Values print as Django templates print them:
`finalize` does what Django's `{{ value }}` does (local time, then `localize`) and `floatformat`,
`date` and `truncatewords` are Django's own filters, so there is one formatter for both engines;
only the escaping's spelling differs (`&#39;` for Django's `&#x27;`, `&#34;` for `&quot;`).
tests/dashboards/test_site_rows.py and test_site_figures_jinja.py compare both engines. Django
templates include these through `{% jinja %}` (atc/templatetags/jinja.py); the figures' names
come from evaluation (`figure_of`, `figure_keys`, `chart_key`: the engine's `globals_from`).
"""

from django.conf import settings
from django.template.defaultfilters import date, floatformat, truncatewords
from django.urls import reverse
from django.utils.formats import localize
from django.utils.module_loading import import_string
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from atc.formats import format_number, format_percent


def display(value):
    """What `{{ value }}` prints in a Django template, before escaping: the value in local time,
    localised.

    A str and an int are returned as they are (for an int, when no thousands separator is
    configured), which is all `localize` would do with them after several lookups: most cells of
    a table are one or the other.
    """
    if type(value) is str or (type(value) is int and not settings.USE_THOUSAND_SEPARATOR):
        return value
    return localize(template_localtime(value))


def url_per_row(name: str):
    """`{% url name slug %}` for every row of a table, from a single `reverse`: reversing once per
    row cost more than all the rest of the site tables' 50 rows (bench/fragments.py). For a URL
    whose one argument is a slug (letters, digits, - and _), which needs no quoting."""
    mark = "row-url-mark"
    pattern = reverse(name, args=[mark])
    return lambda slug: pattern.replace(mark, slug)


def environment(*, globals_from=(), **options) -> Environment:
    """The engine's environment. `globals_from` (the engine's OPTIONS, atc/settings.py): dotted
    names of functions returning what the apps above this one give the templates to call (the
    figures' names, from evaluation), read each time Django builds the engine: a test that changes
    DEBUG or TEMPLATES makes Django build it again."""
    env = Environment(**options, finalize=display, extensions=["jinja2.ext.i18n"])
    for name in globals_from:
        env.globals.update(import_string(name)())
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["floatformat"] = floatformat
    env.filters["date"] = date
    env.filters["truncatewords"] = truncatewords
    # The platform's one number format, as `|number` and `|percent` in Django templates.
    env.filters["number"] = lambda value, decimals=1: format_number(value, int(decimals))
    env.filters["percent"] = lambda value, decimals=0: format_percent(value, int(decimals))
    env.globals["url_per_row"] = url_per_row
    env.globals["url"] = lambda name, *args: reverse(name, args=args)
    return env
