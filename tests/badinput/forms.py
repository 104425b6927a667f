"""Submit a page's form as a browser would: the fields it shows, with their current values."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class _Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = _Form(action=a.get("action") or "")
            self.forms.append(self._form)
        if self._form is None or "name" not in a and tag in ("input", "select", "textarea"):
            return
        if tag == "input":
            self._form.names.add(a["name"])
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.fields.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "reset"):
                self._form.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
            self._form.names.add(a["name"])
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self._form.fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""
            self._form.names.add(a["name"])

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._form.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._form.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def page_form(html: str) -> tuple[dict, set[str]]:
    """The data the page's main form (the post form with the most fields) would send, and the
    names of all its fields."""
    parser = _FormParser()
    parser.feed(html)
    form = max(parser.forms, key=lambda f: len(f.names))
    data: dict[str, list[str]] = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    return data, form.names
