"""`{% kept "name" key=value … %}…{% endkept %}`: a fragment rendered once per distinct set of
values and kept in the process's memory — the page header and the navigation, drawn the same way
on nearly every request of the same person (about 1.5 ms of every site page: two dozen URLs
reversed and labels translated).

The key is the values themselves, not a version: the fragment is rendered with those values as
its whole context (nothing else of the page's context reaches it, not even `request` or `user`),
so equal values draw equal text and a change to any of them draws the fragment anew. Nothing can
go stale, and nothing needs to be told to forget. The language, the URLconf and the script prefix
are always part of the key. A form with a CSRF token cannot be kept (the token would be empty
here: it is not among the values): it goes outside, its buttons joined to it by their `form`
attribute.

The values must be hashable (strings, numbers, booleans, tuples, frozen dataclasses); a fragment
whose values are not is rendered on every request instead. The text is the enclosed template's own
output, autoescaped, inserted as rendered, like `{% include %}`'s: nothing is marked safe here.

Each process keeps at most `MAX_ENTRIES` fragments, the least recently used dropped first: a few
kilobytes each, for the people a process serves.
"""

import threading
from collections import OrderedDict

from django import template
from django.template.base import token_kwargs
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.functional import LazyObject, empty

register = template.Library()

MAX_ENTRIES = 4096

_entries: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _get(key):
    with _lock:
        text = _entries.get(key)
        if text is not None:
            _entries.move_to_end(key)
        return text


def _put(key, text: str) -> None:
    with _lock:
        _entries[key] = text
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def forget_all() -> None:
    """Empty this process's kept fragments (tests comparing a kept rendering with a fresh one)."""
    with _lock:
        _entries.clear()


def _unwrapped(value):
    """The value a lazy object stands for (the header's unread count): a key holds the count, not
    a closure over the request's user."""
    if isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        return value._wrapped
    return value


class KeptNode(template.Node):
    def __init__(self, nodelist, name: str, values: dict):
        self.nodelist = nodelist
        self.name = name
        self.values = values

    def render(self, context) -> str:
        values = {key: _unwrapped(value.resolve(context)) for key, value in self.values.items()}
        # The URLs inside depend on the URLconf and the prefix the site is served under too.
        where = (translation.get_language(), get_urlconf(), get_script_prefix())
        key = (self.name, where, tuple(sorted(values.items())))
        try:
            hash(key)
        except TypeError:
            return self._render(context, values)
        text = _get(key)
        if text is None:
            text = self._render(context, values)
            _put(key, text)
        return text

    def _render(self, context, values: dict) -> str:
        # `new` keeps the engine and the autoescaping, and drops every other variable.
        return self.nodelist.render(context.new(values))


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError('{% kept "name" key=value … %} needs a quoted name')
    values = token_kwargs(bits[2:], parser, support_legacy=False)
    if len(values) != len(bits) - 2:
        raise template.TemplateSyntaxError("{% kept %} takes key=value pairs after its name")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, bits[1][1:-1], values)
