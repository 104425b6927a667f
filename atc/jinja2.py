"""The Jinja2 engine, for the few loops rendered on every request of a busy page (the 50 rows of
the site tables, the filters' options), where the Django engine cost more than the rest of the
page (bench/fragments.py measures both on the same loop).

Autoescape is on, as in every Django template. Values print exactly as Django templates print
them: `finalize` does what Django's `{{ value }}` does (local time, `localize`, Django's escaping,
whose entities differ from Jinja2's own) and `floatformat` is Django's own filter, so there is one
formatter for both engines (tests/dashboards/test_site_rows.py compares them). Django templates
include these through `{% jinja %}` (atc/templatetags/jinja.py).
"""

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def display(value):
    """What `{{ value }}` prints in a Django template: the value in local time, localised, escaped.

    An int is returned as is when no thousands separator is configured, which is all `localize`
    would do with it after several lookups: most cells of a table are ints.
    """
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return value
    return conditional_escape(localize(template_localtime(value)))


def url(name: str, *args) -> str:
    """`{% url name arg… %}`."""
    return reverse(name, args=args)


def environment(**options) -> Environment:
    env = Environment(**options, finalize=display, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["floatformat"] = floatformat
    env.globals["url"] = url
    return env
