"""Real-browser harness: Debian's Chromium driven by Playwright against pytest-django's live server.

- `live_site`: the live server (transactional database) filled with the demo data (`load_demo`);
- `browser`: one Chromium per test module; each test gets a fresh context (no shared cookies);
- `page`: a `WatchedPage` that fails the test on any CSP violation, page error, console error or
  failed sub-resource (a stylesheet or script answered 4xx/5xx), and saves screenshots under
  test-artifacts/screenshots/<test>/.

The CSP is the production one (atc.middleware.SecurityHeadersMiddleware), so a page that needs an
inline script or style breaks its test here.

Test modules mark themselves with
`pytest.mark.django_db(transaction=True, serialized_rollback=True)`: the live server runs in another
thread with its own connection, so the data must be committed; the serialized rollback brings back
the reference data (the 15 sites, themes, assessment items) that the flush of the previous
transactional test removed.
"""

import io
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import ConsoleMessage, Page, Response, sync_playwright
from pytest_django.plugin import blocking_manager_key

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# The password given to the demo accounts for the browser tests (passes the validators).
DEMO_PASSWORD = "parcours-navigateur-2021"
EMAILS = {
    "facilitator": "facilitator@example.org",
    "host_director": "host@example.org",
    "prefet_delegate": "delegate@example.org",
    "network_coordinator": "network@example.org",
    "national_team": "national@example.org",
}

# Reports CSP violations through the console, where the page wrapper collects them. Playwright
# injects init scripts through the DevTools protocol, which the page's CSP does not govern.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
    + ` at ${event.sourceFile || ''}:${event.lineNumber || ''}`);
});
"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a browser test's flush, put the reference data back, so a test that runs later in the
    same process (pytest-xdist does not always run transactional tests last) still finds it."""
    result = yield
    marker = item.get_closest_marker("django_db")
    # After the last test the session's test database is already destroyed: nothing to restore.
    if nextitem is not None and marker and marker.kwargs.get("serialized_rollback"):
        connection = connections["default"]
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            with item.config.stash[blocking_manager_key].unblock():
                connection.creation.deserialize_db_from_string(contents)
                connection.close()
    return result


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """One Chromium for the test module.

    Playwright's sync API keeps an idle asyncio loop registered in this thread while it lives.
    Django takes that for an async context: its async-safety check refuses ORM calls, and its
    connection handler hands out new connection objects (thread-critical locals turn into context
    variables), which lack the serialized reference data kept for `serialized_rollback`. The tests
    stay synchronous, so the check is lifted while Playwright runs and the serialized data is
    handed over to the connection the tests now see. Module scope, not session: the tests that
    run after the browser tests in the same process get a plain thread back (and subprocesses
    they start do not inherit DJANGO_ALLOW_ASYNC_UNSAFE, which `check --deploy` rejects)."""
    serialized = getattr(connections["default"], "_test_serialized_contents", None)
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        if serialized is not None:
            connections["default"]._test_serialized_contents = serialized
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        connections["default"].close()


@pytest.fixture
def live_site(live_server):
    """The live server with the demo data (6 demo accounts, the 15 sites filled)."""
    call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
    return live_server


@dataclass
class WatchedPage:
    """A Playwright page that remembers everything that went wrong while the test drove it."""

    page: Page
    base_url: str
    shots_dir: Path
    problems: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    _shots: int = 0

    def __post_init__(self):
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("response", self._on_response)
        self.page.on("requestfailed", self._on_request_failed)

    def _on_console(self, message: ConsoleMessage) -> None:
        text = f"{message.type}: {message.text}"
        self.console.append(text)
        # A refused sub-resource is reported by `_on_response`; a refused document (the 404 page
        # of the journey) is the test's own business.
        if message.text.startswith("Failed to load resource"):
            return
        if message.type == "error" or "Refused to" in message.text:
            self.problems.append(f"console {text}")

    def _on_response(self, response: Response) -> None:
        # Documents may be refusals on purpose (the 404 journey); sub-resources never.
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} on {response.url}")

    def _on_request_failed(self, request) -> None:
        # ERR_ABORTED: the page moved on before a request ended (the favicon, typically).
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> Response | None:
        return self.page.goto(self.url(path))

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot, numbered in the order of the journey."""
        self._shots += 1
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        path = self.shots_dir / f"{self._shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def login(self, persona: str, email: str | None = None) -> None:
        """Sign in through the real allauth form, as a person would (`email`: an account the test
        made, with the demo password)."""
        self.goto("/comptes/login/")
        self.page.get_by_label("Courriel").fill(email or EMAILS[persona])
        self.page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_url(self.url("/"))


def _test_dir_name(request) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid.split("::", 1)[-1]).strip("-")


@pytest.fixture
def page(browser, live_site, request):
    context = browser.new_context(
        base_url=live_site.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    context.add_init_script(CSP_LISTENER)
    watched = WatchedPage(
        page=context.new_page(),
        base_url=live_site.url,
        shots_dir=SCREENSHOTS / _test_dir_name(request),
    )
    yield watched
    context.close()
    if watched.problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(watched.problems))


@pytest.fixture
def celery_worker(live_site, settings):
    """A real Celery worker process on the test database and this test process's queue, with
    the web side publishing to the broker instead of running tasks inline."""
    from atc.celery import app
    from tests.atc.test_celery_worker import _database_url

    env = {
        **os.environ,
        "DJANGO_ENV": "test",
        # The test database (SQLite file or PostgreSQL) and the broker (REDIS_URL or embedded).
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "atc",
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield process
    app.conf.task_always_eager = eager
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    # Shown by pytest with the report of a failing test.
    print("Celery worker output:\n" + output)
