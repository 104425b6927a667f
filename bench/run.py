"""`make bench`: every page of the load mix, server time and CPU beside a floor page, at three sizes.

    .venv/bin/python -m bench.run                 # demo (15 sites) and medium (1,600 × ~100)
    BENCH_LARGE=1 .venv/bin/python -m bench.run   # also large (1,600 × ~1,500 meetings)
    BENCH_SIZES=medium BENCH_REQUESTS=50 .venv/bin/python -m bench.run

With DATABASE_URL pointing to PostgreSQL (database `<name>`), each size gets its own database next
to it (`<name>_bench_demo`, `<name>_bench_medium`, `<name>_bench_large`; `atc_bench_…` when
`<name>` is the server's `postgres`), created when missing;
otherwise a SQLite file per size in var/bench/. A generated database is kept and reused by the next
run (delete it, or set BENCH_REGENERATE=1, to start over). Each size runs in its own process;
requests go through Django's test Client (every middleware, session and template included), in the
same process as the floor page: the base layout plus a 50-row table built in memory, no query.
Results are printed and written to bench/RESULTS.md.
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from loadtest.forms import meeting_payload, post_form  # noqa: E402  (the load test's own write)
from loadtest.plan import EMAILS, READS  # noqa: E402  (the load test's mix: one list of pages)

SIZES = {"demo": 0, "medium": 100, "large": 1500}
# Issue 20's targets, on the median CPU per request relative to the floor page's: every page of the
# load mix ≤ 2×, the many-site tables ≤ 3×. Pages not listed are shown without a target.
TABLES = {"national", "national_sorted", "network", "network_sorted", "my_sites", "my_sites_national"}
# Measured for the record, outside the load mix's reads: no CPU target (the search's own is in its
# issue; the meeting's creation is a write, whose target is the load test's p95).
UNTARGETED = {"floor", "site_cold", "search", "search_every_meeting", "meeting_create"}
CPU_TARGET, TABLE_CPU_TARGET = 2, 3
# Pages with a target of their own: the public showcase costs no more than the floor (issue 18).
OWN_TARGETS = {"showcase": 1}


def database_url(size: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parsed = urlparse(url)
        # Named after the given database, so that people sharing one server never share (or race
        # to generate) the benchmark data: h_figtpl -> h_figtpl_bench_medium; the server's own
        # `postgres` database (CI, README) -> atc_bench_medium.
        prefix = parsed.path.lstrip("/")
        if prefix in {"", "postgres"}:
            prefix = "atc"
        return urlunparse(parsed._replace(path=f"/{prefix}_bench_{size}"))
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'bench-{size}.sqlite3'}"


def ensure_postgres_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    conn = psycopg2.connect(urlunparse(parsed._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _persona(persona: str, email: str, site):
    """The load test's persona on `site`: the demo account where the demo data are loaded, else
    one made here with the same role (the 1,600-site data hold no demo account)."""
    from atc.models import Role, User

    user, created = User.objects.get_or_create(email=email)
    if created:
        kind = {
            "facilitator": Role.Kind.FACILITATOR,
            "delegate": Role.Kind.PREFET_DELEGATE,
            "network": Role.Kind.NETWORK_COORDINATOR,
        }[persona]
        role = Role.objects.create(
            user=user,
            kind=kind,
            network=site.network if kind == Role.Kind.NETWORK_COORDINATOR else None,
            start_date=datetime.date(2019, 1, 1),
        )
        if kind != Role.Kind.NETWORK_COORDINATOR:
            role.sites.add(site)
    return user


def load_mix_pages(site, personas: set[str]) -> list[tuple[str, str, str]]:
    """Every page the load test visits, once, on `site`, with the first persona that visits it;
    then the meeting form the facilitator fills in."""
    from django.urls import reverse

    from evaluation.models import LogbookEntry
    from pilotage.models import Action, Meeting

    objects = {
        "site": (site.slug,),
        "network": (site.network.code,),
        "meeting": (site.slug, Meeting.objects.filter(site=site).order_by("-date", "pk")[0].pk),
        "action": (site.slug, Action.objects.filter(site=site).order_by("pk")[0].pk),
        "logbook": (site.slug, LogbookEntry.objects.filter(site=site).order_by("pk")[0].pk),
        None: (),
    }
    pages, seen = [], set()
    for persona, reads in READS.items():
        if persona not in personas:
            continue
        for name, fill, _weight in reads:
            short = name.split(":")[-1]
            if short not in seen:
                seen.add(short)
                pages.append((short, reverse(name, args=objects[fill]), persona))
    pages.append(("meeting_form", reverse("pilotage:meeting_create", args=[site.slug]), "facilitator"))
    return pages


def child(size: str) -> None:
    """Runs in a process whose DATABASE_URL is the size's database: generate if needed, measure."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import F
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import clear_url_caches, path, reverse

    import atc.urls
    from atc.models import Role, User
    from bench import generate
    from bench.floor import floor_page
    from pilotage.models import Meeting
    from sites.models import Site

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    expected_meetings = SIZES[size] * generate.SITES
    meetings = Meeting.objects.count()
    fresh = os.environ.get("BENCH_REGENERATE") == "1"
    if size == "demo":
        if fresh or not meetings:
            generate.demo()
    elif fresh or meetings < expected_meetings * 0.9:
        if meetings:
            raise SystemExit(f"{size}: the database holds other data; drop it or use a fresh one")
        started = time.perf_counter()
        generate.synthetic(SIZES[size], log=lambda line: print(line, file=sys.stderr))
        print(f"  generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        # Every stored figure of the generated data recomputed from the records (exit 1 on a difference).
        call_command("check_figures", stdout=sys.stderr)

    atc.urls.urlpatterns.append(path("bench/floor/", floor_page, name="bench_floor"))
    clear_url_caches()
    national, _created = User.objects.get_or_create(email="bench-national@example.org")
    Role.objects.get_or_create(user=national, kind=Role.Kind.NATIONAL_TEAM)
    site = Site.objects.get(slug="marseille")
    clients = {"national": Client(), "anonymous": Client()}
    clients["national"].force_login(national)
    for persona, email in EMAILS.items():
        if persona == "national":
            continue
        clients[persona] = Client()
        clients[persona].force_login(_persona(persona, email, site))
    # (name, url, persona): the floor, every page of the load test's mix (loadtest/plan.py, read on
    # Marseille by the first persona that visits it), the meeting form, then the dashboards' variants.
    pages = [("floor", "/bench/floor/", "national")]
    pages += load_mix_pages(site, set(clients))
    pages += [
        ("national_sorted", "/tableaux/national/?tri=-pilotage&du=2020-T1&au=2021-T4&page=2", "national"),
        ("network_sorted", "/tableaux/reseau/fcsf/?tri=-actions", "national"),
        ("my_sites_national", "/tableaux/mes-sites/?tri=-etp", "national"),
        ("search", "/recherche/?q=stock+alimentaire", "national"),
        ("search_every_meeting", "/recherche/?q=r%C3%A9union", "national"),
        ("showcase", "/vitrine/", "anonymous"),
    ]
    # BENCH_PAGES=site_home,meeting_form: only those pages (and the floor), e.g. while working on them.
    wanted = {name for name in os.environ.get("BENCH_PAGES", "").split(",") if name}
    if wanted:
        pages = [page for page in pages if page[0] in wanted | {"floor"}]
    requests = int(os.environ.get("BENCH_REQUESTS", "30"))
    timings = {name: [] for name, _url, _persona in pages}
    cpu = {name: [] for name, _url, _persona in pages}
    queries = {}
    for name, url, persona in pages:
        for _n in range(3):
            assert clients[persona].get(url).status_code == 200, (persona, url)
        with CaptureQueriesContext(django.db.connection) as captured:
            clients[persona].get(url)
        queries[name] = len(captured)
    # Interleaved so that noise (other processes, CPU frequency) hits every page alike. CPU is this
    # process's (Django, templates, the database driver), not the database server's.
    for _n in range(requests):
        for name, url, persona in pages:
            started, started_cpu = time.perf_counter(), time.process_time()
            clients[persona].get(url)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
            timings[name].append((time.perf_counter() - started) * 1000)
    # The site dashboard cold: its site's data changed just before each request, so its figures
    # are computed and rendered again. Measured last, as each change also ages many-site caches.
    # The change is a real write (the figure triggers mark the site stale), so the first read
    # also rebuilds the site's pre-aggregates, as after a facilitator's save.
    site_url = next((url for name, url, _persona in pages if name == "site"), None)
    if site_url is not None:
        timings["site_cold"], cpu["site_cold"] = [], []
        touched = Meeting.objects.filter(pk=Meeting.objects.filter(site=site).order_by("pk").values("pk")[:1])
        for _n in range(requests):
            touched.update(title=F("title"))
            started, started_cpu = time.perf_counter(), time.process_time()
            clients["national"].get(site_url)
            cpu["site_cold"].append((time.process_time() - started_cpu) * 1000)
            timings["site_cold"].append((time.perf_counter() - started) * 1000)
    # The load test's write: a meeting created through the form by the facilitator (validation,
    # the save with its decision, the triggers and history), its POST alone; the form's GET and the
    # redirect's page are pages above. Measured last, as each one changes the site's data.
    if not wanted or "meeting_create" in wanted:
        form_url = reverse("pilotage:meeting_create", args=[site.slug])
        timings["meeting_create"], cpu["meeting_create"] = [], []
        for number in range(requests):
            blank = post_form(clients["facilitator"].get(form_url).content.decode(), "title")
            data = meeting_payload(
                blank["data"], number, datetime.date(2021, 1, 4) + datetime.timedelta(number)
            )
            started, started_cpu = time.perf_counter(), time.process_time()
            answer = clients["facilitator"].post(form_url, data)
            cpu["meeting_create"].append((time.process_time() - started_cpu) * 1000)
            timings["meeting_create"].append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 302, answer.content.decode()[:2000]
    with os.popen("uptime") as uptime:
        load = uptime.read().strip().split("load average:")[-1].strip()
    result = {
        "size": size,
        "vendor": django.db.connection.vendor,
        "sites": Site.objects.count(),
        "meetings": Meeting.objects.count(),
        "pages": {
            name: {
                "median": statistics.median(values),
                "p95": statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0],
                "cpu": statistics.median(cpu[name]),
                "queries": queries.get(name),
            }
            for name, values in timings.items()
        },
        "load": load,
    }
    print("BENCH-RESULT " + json.dumps(result))


def main() -> None:
    sizes = (
        os.environ.get("BENCH_SIZES", "").split(",") if os.environ.get("BENCH_SIZES") else ["demo", "medium"]
    )
    if os.environ.get("BENCH_LARGE") == "1" and "large" not in sizes:
        sizes.append("large")
    results = []
    for size in sizes:
        url = database_url(size)
        if url.startswith("postgres"):
            ensure_postgres_database(url)
        print(f"== {size} ({urlparse(url).scheme})", file=sys.stderr)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_ENV": "development",
            "DEBUG": "false",
            # A cache per size: the figure cache keys an entry by the versions and the scope's SQL,
            # not by the database, so a shared one served the demo's table order (5 rows of the
            # network's 533) and charts to the 1,600-site pages.
            "ATC_VAR_DIR": str(ROOT / "var" / "bench" / size),
            "CACHE_KEY_PREFIX": f"atc-bench-{size}",
        }
        output = subprocess.run(
            [sys.executable, "-m", "bench.run", "--child", size],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        sys.stderr.write(output.stderr)
        if output.returncode:
            raise SystemExit(f"{size}: the benchmark process failed (see above)")
        line = next(line for line in output.stdout.splitlines() if line.startswith("BENCH-RESULT "))
        results.append(json.loads(line.removeprefix("BENCH-RESULT ")))
    report = render(results)
    print(report)
    (ROOT / "bench" / "RESULTS.md").write_text(report)


def render(results: list[dict]) -> str:
    lines = [
        "# Page benchmark — latest figures",
        "",
        "Written by `make bench` (bench/run.py). Every page of the load test's mix (loadtest/plan.py) on",
        "Marseille, read by the first persona that visits it, plus the meeting form and the dashboards'",
        "variants; through Django's test Client (all middleware, session, templates), interleaved. Time:",
        "median and p95 wall-clock ms; CPU: median ms of this process's CPU per request (not the",
        "database server's); ratios are to the floor page (the base layout and a 50-row table built in",
        "memory, no query) measured in the same run. Targets (issue 20, on CPU): every page ≤ "
        f"{CPU_TARGET}×, the many-site tables ≤ {TABLE_CPU_TARGET}×; the public showcase ≤ 1× (issue 18).",
        "",
    ]
    for result in results:
        floor = result["pages"]["floor"]
        lines += [
            f"## {result['size']} — {result['vendor']}, {result['sites']} sites, "
            f"{result['meetings']} meetings (load average after the run: {result.get('load', '?')})",
            "",
            "| page | median (ms) | p95 (ms) | CPU (ms) | CPU ratio | time ratio | queries | target | ok |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, figures in result["pages"].items():
            cpu_ratio = figures["cpu"] / floor["cpu"]
            if name in OWN_TARGETS:
                target = OWN_TARGETS[name]
            elif name in UNTARGETED:
                target = None
            else:
                target = TABLE_CPU_TARGET if name in TABLES else CPU_TARGET
            ok = "" if target is None else ("yes" if cpu_ratio <= target else "NO")
            queries = "" if figures.get("queries") is None else figures["queries"]
            lines.append(
                f"| {name} | {figures['median']:.1f} | {figures['p95']:.1f} | {figures['cpu']:.1f} | "
                f"{cpu_ratio:.1f}× | {figures['median'] / floor['median']:.1f}× | {queries} | "
                f"{'' if target is None else f'≤ {target}×'} | {ok} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
