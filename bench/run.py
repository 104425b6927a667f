"""`make bench`: each dashboard's server time beside a floor page, at three data sizes.

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

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"demo": 0, "medium": 100, "large": 1500}
TARGETS = {
    "site": 3,
    "cooperation": 3,
    "national": 5,
    "national_sorted": 5,
    "network": 5,
    "my_sites": 5,
    # The search answers within the dashboards' budget: the national team (no site filter) searching
    # the words of a few records, and a word in every meeting's title (all 160,000 rank).
    "search": 5,
    "search_every_meeting": 5,
    # The public showcase (issue 18): a published page costs no more than the floor (it is cached).
    "showcase": 1,
}


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


def child(size: str) -> None:
    """Runs in a process whose DATABASE_URL is the size's database: generate if needed, measure."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import F
    from django.test import Client
    from django.urls import clear_url_caches, path

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
    pages = {
        "floor": "/bench/floor/",
        "site": f"/sites/{site.slug}/tableau-de-bord/",
        "cooperation": f"/sites/{site.slug}/cooperation/",
        "national": "/tableaux/national/",
        "national_sorted": "/tableaux/national/?tri=-pilotage&du=2020-T1&au=2021-T4&page=2",
        "network": "/tableaux/reseau/fcsf/?tri=-actions",
        "my_sites": "/tableaux/mes-sites/?tri=-etp",
        "search": "/recherche/?q=stock+alimentaire",
        "search_every_meeting": "/recherche/?q=r%C3%A9union",
        "showcase": "/vitrine/",
    }
    client = Client()
    client.force_login(national)
    requests = int(os.environ.get("BENCH_REQUESTS", "30"))
    timings = {name: [] for name in pages}
    for url in pages.values():
        for _n in range(3):
            assert client.get(url).status_code == 200, url
    # Interleaved so that noise (other processes, CPU frequency) hits every page alike.
    for _n in range(requests):
        for name, url in pages.items():
            started = time.perf_counter()
            client.get(url)
            timings[name].append((time.perf_counter() - started) * 1000)
    # The site dashboard cold: its site's data changed just before each request, so its figures
    # are computed and rendered again. Measured last, as each change also ages many-site caches.
    # The change is a real write (the figure triggers mark the site stale), so the first read
    # also rebuilds the site's pre-aggregates, as after a facilitator's save.
    timings["site_cold"] = []
    touched = Meeting.objects.filter(pk=Meeting.objects.filter(site=site).order_by("pk").values("pk")[:1])
    for _n in range(requests):
        touched.update(title=F("title"))
        started = time.perf_counter()
        client.get(pages["site"])
        timings["site_cold"].append((time.perf_counter() - started) * 1000)
    result = {
        "size": size,
        "vendor": django.db.connection.vendor,
        "sites": Site.objects.count(),
        "meetings": Meeting.objects.count(),
        "pages": {
            name: {
                "median": statistics.median(values),
                "p95": statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0],
            }
            for name, values in timings.items()
        },
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
        "# Dashboard benchmark — latest figures",
        "",
        "Written by `make bench` (bench/run.py). Server time per request through Django's test Client",
        "(all middleware, session, templates), medians and p95 in ms over interleaved requests; ratio =",
        "page median / floor median (floor: base layout + a 50-row table built in memory, no query).",
        "Targets: site dashboards ≤ 3×, national and network dashboards and the search ≤ 5× the floor.",
        "",
    ]
    for result in results:
        floor = result["pages"]["floor"]["median"]
        lines += [
            f"## {result['size']} — {result['vendor']}, {result['sites']} sites, "
            f"{result['meetings']} meetings",
            "",
            "| page | median (ms) | p95 (ms) | ratio to floor | target | ok |",
            "|---|---|---|---|---|---|",
        ]
        for name, figures in result["pages"].items():
            ratio = figures["median"] / floor
            target = TARGETS.get(name)
            ok = "" if target is None else ("yes" if ratio <= target else "NO")
            lines.append(
                f"| {name} | {figures['median']:.1f} | {figures['p95']:.1f} | {ratio:.1f}× | "
                f"{'' if target is None else f'≤ {target}×'} | {ok} |"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
