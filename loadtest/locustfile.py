"""Load scenario of the ATC platform: the demo accounts' people, signed in through the real form.

Personas (weights say how many of the simulated people play each one):
- facilitator of Marseille (writes): reads the site's pages and, now and then, logs a meeting with a
  decision through the real form (CSRF token read from the page), then attaches its minutes as a
  small PDF, as a browser would (each POST followed by the page it redirects to);
- préfet delegate of the Nord, network coordinator, national team (read): dashboards, lists,
  detail pages of the sites they may see.

The pages come from a plan file written by `loadtest/plan.py` (LOADTEST_PLAN). Every request is
named "<kind>:<page>" with kind read, write or auth, and every answer is also appended to
LOADTEST_SAMPLES (JSON lines: start time, kind, name, milliseconds, status, error) so that the
reports split percentiles by kind and date the errors of a fault exactly.

The server runs with production settings behind what stands for the TLS proxy: requests carry
`X-Forwarded-Proto: https` (Django's SECURE_PROXY_SSL_HEADER) and the client returns the Secure
cookies over the loopback's plain HTTP.
"""

import datetime as dt
import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, constant_throughput, events, task

from loadtest.forms import PASSWORD, meeting_payload, post_form

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
SAMPLES_PATH = os.environ.get("LOADTEST_SAMPLES")
THINK_MIN = float(os.environ.get("LOADTEST_THINK_MIN", "0.1"))
THINK_MAX = float(os.environ.get("LOADTEST_THINK_MAX", "0.5"))
# Paced mode: each person sends this many requests a second whatever the latency (an offered
# load that does not grow when the server gets faster); empty = think-time mode (saturation).
RATE_PER_USER = float(os.environ.get("LOADTEST_RATE_PER_USER") or 0)
LOGIN_PATH = "/comptes/login/"

_samples: list[str] = []
_counter = itertools.count(1)

# The smallest well-formed one-page PDF: what the upload check reads is the content, not the name.
MINUTES_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n166\n%%EOF\n"
)


@events.request.add_listener
def _record(request_type, name, response_time, response, exception, start_time=None, **_kw):
    status = getattr(response, "status_code", 0) or 0
    _samples.append(
        json.dumps(
            [
                round(start_time or 0, 3),
                name.split(":", 1)[0],
                name,
                round(response_time or 0, 1),
                status,
                None if exception is None else str(exception)[:200],
            ]
        )
    )


@events.test_stop.add_listener
def _write_samples(**_kw):
    if SAMPLES_PATH:
        with open(SAMPLES_PATH, "w", encoding="utf-8") as handle:
            handle.write("\n".join(_samples) + ("\n" if _samples else ""))


class Persona(HttpUser):
    abstract = True
    persona = ""
    wait_time = constant_throughput(RATE_PER_USER) if RATE_PER_USER else between(THINK_MIN, THINK_MAX)

    def on_start(self):
        self.client.headers["X-Forwarded-Proto"] = "https"
        send = self.client.request

        def request(*args, **kwargs):
            answer = send(*args, **kwargs)
            # Production cookies are Secure; the loopback's plain HTTP stands for the TLS proxy, so
            # the client must send them back as a browser behind HTTPS would.
            for cookie in self.client.cookies:
                cookie.secure = False
            return answer

        self.client.request = request
        self.plan = PLAN["personas"][self.persona]
        self.pages = self.plan["pages"]
        self.weights = [page["weight"] for page in self.pages]
        origin = urlparse(self.host)
        self.origin = f"https://{origin.netloc}"
        self.signed_in = False
        self.sign_in()

    def _post(self, path, name, *, referer, **kwargs):
        return self.client.post(
            path,
            name=name,
            allow_redirects=False,
            catch_response=True,
            headers={"Referer": self.origin + referer},
            **kwargs,
        )

    def sign_in(self):
        page = self.client.get(LOGIN_PATH, name="auth:login_form")
        form = post_form(page.text, "login") or {"data": {}}
        data = {**form["data"], "login": self.plan["email"], "password": PASSWORD}
        with self._post(LOGIN_PATH, "auth:login", referer=LOGIN_PATH, data=data) as answer:
            if answer.status_code != 302:
                # A person refused (e.g. allauth's per-address lock timing out) tries again later.
                answer.failure(f"sign-in refused (HTTP {answer.status_code})")
                return
            landing = answer.headers.get("Location", "/")
        self.signed_in = True
        self.read(landing, "home")

    def read(self, url, name):
        with self.client.get(url, name=f"read:{name}", allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                where = answer.headers.get("Location", "")
                answer.failure(f"HTTP {answer.status_code} {where}".strip())
                if where.startswith(LOGIN_PATH):
                    self.signed_in = False
            return answer

    @task(10)
    def browse(self):
        if not self.signed_in:
            self.sign_in()
            return
        page = random.choices(self.pages, weights=self.weights)[0]
        self.read(random.choice(page["urls"]), page["name"])


class Facilitator(Persona):
    """Marseille's facilitator: reads the site's pages, logs meetings and attaches minutes."""

    persona = "facilitator"
    weight = 4

    @task(2)
    def log_meeting_with_minutes(self):
        if not self.signed_in:
            return
        create = self.plan["meeting_create"]
        page = self.read(create, "meeting_form")
        form = post_form(page.text, "title") if page.status_code == 200 else None
        if form is None:
            return
        number = next(_counter)
        day = dt.date(2021, 1, 4) + dt.timedelta(days=random.randrange(340))
        data = meeting_payload(form["data"], number, day)
        with self._post(create, "write:meeting_create", referer=create, data=data) as answer:
            location = answer.headers.get("Location", "")
            if answer.status_code != 302 or not re.search(r"/reunions/\d+/$", location):
                answer.failure(f"meeting not saved (HTTP {answer.status_code} {location})")
                return
        detail = self.read(location, "meeting_detail")
        form = None
        if detail.status_code == 200:
            form = post_form(detail.text, "csrfmiddlewaretoken", "/pieces-jointes/")
        if form is None:
            return
        files = {"file": (f"compte-rendu-{number}.pdf", MINUTES_PDF, "application/pdf")}
        with self._post(
            form["action"],
            "write:attachment_upload",
            referer=location,
            data={"csrfmiddlewaretoken": form["data"]["csrfmiddlewaretoken"]},
            files=files,
        ) as answer:
            if answer.status_code != 302:
                answer.failure(f"upload answered HTTP {answer.status_code}")
                return
            after = self.read(answer.headers["Location"], "meeting_detail")
            if after.status_code == 200 and f"compte-rendu-{number}.pdf" not in after.text:
                answer.failure("upload refused: the file is not listed on the meeting")


class Delegate(Persona):
    """The préfet delegate of the Nord: dashboards and steering of Tourcoing, Grande-Synthe,
    Roubaix."""

    persona = "delegate"
    weight = 2


class NetworkCoordinator(Persona):
    persona = "network"
    weight = 1


class NationalTeam(Persona):
    persona = "national"
    weight = 2
