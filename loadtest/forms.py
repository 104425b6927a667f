"""Reading the platform's HTML forms as a browser submits them (shared by the locust personas and
the fault script)."""

import os
from html.parser import HTMLParser

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo-atc-2021!")


class FormParser(HTMLParser):
    """The forms of a page with the values a browser would submit without touching anything."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attrs.get("action") or "", "method": attrs.get("method", "get"), "fields": []}
            )
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            fields.append([name, attrs.get("value", "on" if kind in {"checkbox", "radio"} else "")])
        elif tag == "select" and name:
            self._select = {"name": name, "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"] = value
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            chosen = self._select["chosen"]
            value = chosen if chosen is not None else self._select["first"]
            if value is not None and self.forms:
                self.forms[-1]["fields"].append([self._select["name"], value])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self.forms:
                self.forms[-1]["fields"].append([self._textarea[0], self._textarea[1].lstrip("\n")])
            self._textarea = None


def post_form(html: str, field: str, action_contains: str = "") -> dict | None:
    """The first POST form of the page holding the named field (and posting to an address that
    contains `action_contains`), as {"action": ..., "data": {name: value}}."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        names = {name for name, _value in form["fields"]}
        if form["method"].lower() == "post" and field in names and action_contains in form["action"]:
            return {"action": form["action"], "data": dict(form["fields"])}
    return None


def meeting_payload(form_data: dict, number: int, day) -> dict:
    """What the load test's facilitator types in the meeting form (a partners' workshop with its
    minutes and one decision), over the blank form's own values: the load test and `make bench`
    post the same meeting."""
    return {
        **form_data,
        "kind": "partners_workshop",
        "date": day.isoformat(),
        "format": "in_person",
        "committee": "",
        "title": f"Atelier partenarial de charge n° {number}",
        "start_time": "14:00",
        "duration_minutes": "90",
        "location": "Salle polyvalente du centre social",
        "agenda": "Point d'étape sur les actions en cours.\nCalendrier du trimestre.",
        "minutes": "Les partenaires ont fait le point sur le stock alimentaire partagé.",
        "minutes_status": "draft",
        "decisions-0-text": "Réunir le groupe de travail « jeunesse » avant l'été.",
    }
