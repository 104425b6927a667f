"""Load benchmark: gunicorn + Celery on PostgreSQL and Redis, production settings, locust headless.

    .venv/bin/python -m loadtest.run_load [--users 30] [--duration 60] [--fresh] [--profile 20]

1. Database `atc_load` on the local PostgreSQL (created if missing, `--fresh` to rebuild): migrate,
   the demo data (`load_demo`) and, when the synthetic generator of bench/ is present, its
   1,600-site data set.
2. Production settings (DJANGO_ENV=production, DEBUG off, static files by whitenoise after
   collectstatic, Secure cookies) in a temporary ATC_VAR_DIR; Redis database 3 for cache and broker.
   The requests carry `X-Forwarded-Proto: https` as a TLS proxy would send them.
3. gunicorn (atc/gunicorn_conf.py, as in production, on 127.0.0.1:8077), a Celery worker and beat.
4. locust headless (loadtest/locustfile.py), then throughput, median/p95/p99 for reads and writes
   and the error rate against the targets, printed and written to loadtest/RESULTS.md.
   `--profile N` samples the gunicorn workers with py-spy for N seconds during the run and prints
   where their time goes.

Exit status 0 when every target is met, 1 otherwise.
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PY = str(BIN / "python")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "atc_load"
REDIS_URL = "redis://127.0.0.1:6379/3"
CACHE_PREFIX = "atc-load"
HOST, PORT = "127.0.0.1", 8077
BASE_URL = f"http://{HOST}:{PORT}"
RESULTS = ROOT / "loadtest" / "RESULTS.md"
DEMO_EMAIL = "facilitator@example.org"

# Issue 20's targets at 55 requests/s offered: the offered load served, p95 reads and writes, no
# error, and the capacity the CPU per request allows on 2 cores (gunicorn + PostgreSQL).
TARGETS = {"throughput": 50.0, "read_p95": 150.0, "write_p95": 300.0, "errors": 0, "capacity": 150.0}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Environment and data -----------------------------------------------------------------------


def load_env(var_dir: Path) -> dict:
    """Production settings on the local servers, everything written under `var_dir`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_", "PYTEST"))
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="atc.settings",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=f"{HOST},localhost",
        DATABASE_URL=f"{PG_SERVER}/{DB_NAME}",
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=CACHE_PREFIX,
        ATC_VAR_DIR=str(var_dir),
        # TOTP enrolment would stop the national persona at the set-up page: the load test measures
        # the pages, two-factor sign-in is covered by the account tests.
        ATC_REQUIRE_MFA="false",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *args: str, quiet: bool = True) -> None:
    subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def _admin_connection():
    import psycopg2

    connection = psycopg2.connect(f"{PG_SERVER}/postgres")
    connection.autocommit = True
    return connection


def servers_answer() -> bool:
    """Whether the local PostgreSQL and Redis this benchmark uses are reachable."""
    import psycopg2
    import redis

    try:
        _admin_connection().close()
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (psycopg2.Error, redis.RedisError):
        return False
    return True


def database_exists() -> bool:
    with contextlib.closing(_admin_connection()) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        return cursor.fetchone() is not None


def _query(sql: str):
    import psycopg2

    connection = psycopg2.connect(f"{PG_SERVER}/{DB_NAME}")
    with contextlib.closing(connection), connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


# bench/generate.py (the dashboards' benchmark) holds the 1,600-site generator; ~100 meetings a
# site is its "medium" size.
SYNTHETIC = (
    "import django; django.setup(); from bench import generate; "
    "from sites.models import Site; "
    "generate.demo() if {demo} else None; "
    "generate.synthetic({meetings}) if Site.objects.count() < generate.SITES else None"
)
MEETINGS_PER_SITE = 100


def prepare_database(env: dict, *, fresh: bool) -> str:
    """Create (or reuse) `atc_load` with the demo data and, if available, the synthetic sites;
    a note when the synthetic data could not be generated."""
    if fresh or not database_exists():
        log(f"database {DB_NAME}: creating")
        with contextlib.closing(_admin_connection()) as connection, connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    log("migrate")
    manage(env, "migrate", "--noinput")
    demo_missing = not _query(f"SELECT 1 FROM atc_user WHERE email = '{DEMO_EMAIL}'")
    if (ROOT / "bench" / "generate.py").exists():
        log("demo data and the 1,600 synthetic sites (bench/generate.py), when missing")
        code = SYNTHETIC.format(demo=demo_missing, meetings=MEETINGS_PER_SITE)
        generated = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        if generated.returncode == 0:
            return ""
        reason = generated.stderr.strip().splitlines()[-1]
        log(f"bench/generate.py failed ({reason}): measuring on the data already loaded")
        if not _query(f"SELECT 1 FROM atc_user WHERE email = '{DEMO_EMAIL}'"):
            manage(env, "load_demo")
        return f"bench/generate.py failed ({reason}), so the synthetic sites are missing"
    if demo_missing:
        log("load_demo")
        manage(env, "load_demo")
    return "bench/generate.py is absent, so the synthetic sites are missing"


def data_size() -> dict:
    tables = {
        "sites": "sites_site",
        "meetings": "pilotage_meeting",
        "actions": "pilotage_action",
        "attachments": "pilotage_attachment",
    }
    return {label: _query(f"SELECT count(*) FROM {table}")[0][0] for label, table in tables.items()}


def clear_cache_keys(match: str = "*") -> None:
    """Forget the previous run's cached values and sign-in rate-limit counters (30 sign-ins per
    minute per address: every simulated person signs in from 127.0.0.1). `match` narrows it, e.g.
    to the rate-limit counters alone after a warm-up."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{CACHE_PREFIX}:{match}", count=1000):
        client.delete(key)


# --- Processes ------------------------------------------------------------------------------------


class Stack:
    """gunicorn, a Celery worker and beat, each in its own process group, stopped on exit."""

    def __init__(self, env: dict, var_dir: Path, *, worker_pool: str = "prefork", workers=None, threads=None):
        # The production settings (atc/gunicorn_conf.py) unless told otherwise.
        from atc import gunicorn_conf

        self.workers, self.threads = workers or gunicorn_conf.workers, threads or gunicorn_conf.threads
        self.worker_pool = worker_pool
        self.logs = var_dir / "log"
        self.logs.mkdir(parents=True, exist_ok=True)
        # One line per request with its CPU (loadtest/gunicorn_cpu.py), read by cpu_by_page().
        self.cpu_dir = var_dir / "cpu"
        self.cpu_dir.mkdir(exist_ok=True)
        self.env = {**env, "LOADTEST_CPU_DIR": str(self.cpu_dir)}
        self.processes: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, args: list[str]) -> None:
        handle = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()

    def __enter__(self):
        self._start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "atc.wsgi",
                "-c",
                "python:loadtest.gunicorn_cpu",
                "--bind",
                f"{HOST}:{PORT}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--timeout",
                "30",
            ],
        )
        self._start(
            "worker",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "atc",
                "worker",
                "--concurrency=1",
                f"--pool={self.worker_pool}",
                "--loglevel=WARNING",
            ],
        )
        self._start(
            "beat",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "atc",
                "beat",
                "--loglevel=WARNING",
                f"--schedule={self.logs / 'beat-schedule'}",
            ],
        )
        wait_healthy()
        return self

    def gunicorn_workers(self) -> list[int]:
        master = self.processes["gunicorn"].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def background_pids(self) -> list[int]:
        """The Celery worker's and beat's processes (each a session of its own, pool children
        included): what the requests leave to the background."""
        groups = {self.processes[name].pid for name in ("worker", "beat") if name in self.processes}
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[3]) in groups:
                    pids.append(int(stat.parent.name))
        return pids

    def __exit__(self, *exc):
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return False


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (those gone are left out)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def database_backends() -> list[int]:
    rows = _query(f"SELECT pid FROM pg_stat_activity WHERE datname = '{DB_NAME}' AND pid <> pg_backend_pid()")
    return [row[0] for row in rows]


def redis_cpu_seconds() -> float:
    """CPU the Redis server has used since it started (all its clients: quiet machine wanted)."""
    import redis

    with contextlib.suppress(redis.RedisError):
        info = redis.Redis.from_url(REDIS_URL).info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
    return 0.0


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def http_status(path: str, timeout: float = 5.0) -> int:
    request = urllib.request.Request(BASE_URL + path, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def wait_healthy(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if http_status("/sante/", timeout=2) == 200:
            return
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {BASE_URL}/sante/ within {timeout:.0f} s")


def build_plan(env: dict, out: Path) -> dict:
    subprocess.run([PY, "-m", "loadtest.plan", "--out", str(out)], cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def start_locust(
    env: dict,
    *,
    plan: Path,
    samples: Path,
    users: int,
    duration: int,
    rate: float = 0,
    spawn_rate: float = 10,
) -> subprocess.Popen:
    locust_env = {**env, "LOADTEST_PLAN": str(plan), "LOADTEST_SAMPLES": str(samples)}
    if rate:
        locust_env["LOADTEST_RATE_PER_USER"] = str(rate / users)
    return subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "loadtest" / "locustfile.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{duration}s",
            "--host",
            BASE_URL,
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "10",
        ],
        cwd=ROOT,
        env=locust_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- Figures ------------------------------------------------------------------------------------


def read_samples(path: Path) -> list[dict]:
    keys = ("start", "kind", "name", "ms", "status", "error")
    with open(path, encoding="utf-8") as handle:
        return [dict(zip(keys, json.loads(line), strict=True)) for line in handle if line.strip()]


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def figures(samples: list[dict]) -> dict:
    if not samples:
        return {"requests": 0, "seconds": 0, "throughput": 0, "errors": 0, "kinds": {}, "pages": []}
    start = min(s["start"] for s in samples)
    end = max(s["start"] + s["ms"] / 1000 for s in samples)
    seconds = max(end - start, 0.001)
    by_kind, by_name = defaultdict(list), defaultdict(list)
    for sample in samples:
        by_kind[sample["kind"]].append(sample)
        by_name[sample["name"]].append(sample)

    def stats(rows):
        times = [row["ms"] for row in rows]
        return {
            "count": len(rows),
            "median": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "p99": percentile(times, 0.99),
            "max": max(times),
            "errors": sum(1 for row in rows if row["error"]),
        }

    errors = sum(1 for s in samples if s["error"])
    return {
        "requests": len(samples),
        "seconds": round(seconds, 1),
        "throughput": len(samples) / seconds,
        "errors": errors,
        "error_rate": errors / len(samples),
        "error_kinds": Counter(s["error"] for s in samples if s["error"]).most_common(8),
        "kinds": {kind: stats(rows) for kind, rows in sorted(by_kind.items())},
        "pages": sorted(
            ((name, stats(rows)) for name, rows in by_name.items()),
            key=lambda item: -item[1]["p95"],
        ),
    }


def verdicts(result: dict) -> list[tuple[str, str, str, bool]]:
    """(what, measured, target, met) for each target."""
    read = result["kinds"].get("read", {"p95": 0.0})
    write = result["kinds"].get("write", {"p95": 0.0})
    return [
        (
            "throughput",
            f"{result['throughput']:.1f} req/s",
            f">= {TARGETS['throughput']:.0f} req/s",
            result["throughput"] >= TARGETS["throughput"],
        ),
        (
            "p95 reads",
            f"{read['p95']:.0f} ms",
            f"<= {TARGETS['read_p95']:.0f} ms",
            read["p95"] <= TARGETS["read_p95"],
        ),
        (
            "p95 writes",
            f"{write['p95']:.0f} ms",
            f"<= {TARGETS['write_p95']:.0f} ms",
            write["p95"] <= TARGETS["write_p95"],
        ),
        (
            "errors",
            f"{result['errors']} ({100 * result.get('error_rate', 0):.2f} %)",
            "0",
            result["errors"] <= TARGETS["errors"],
        ),
    ] + (
        [
            (
                "capacity (2 cores / CPU per request)",
                f"{result['capacity']:.0f} req/s",
                f">= {TARGETS['capacity']:.0f} req/s",
                result["capacity"] >= TARGETS["capacity"],
            )
        ]
        if "capacity" in result
        else []
    )


def report_lines(result: dict, *, title: str) -> list[str]:
    lines = [f"### {title}", ""]
    lines += [
        f"{result['requests']} requests in {result['seconds']} s.",
        "",
        "| target | measured | wanted | met |",
        "|---|---|---|---|",
    ]
    for what, measured, wanted, met in verdicts(result):
        lines.append(f"| {what} | {measured} | {wanted} | {'yes' if met else '**no**'} |")
    lines += ["", "| kind | requests | median ms | p95 ms | p99 ms | max ms | errors |"]
    lines.append("|---|---|---|---|---|---|---|")
    for kind, row in result["kinds"].items():
        lines.append(
            f"| {kind} | {row['count']} | {row['median']:.0f} | {row['p95']:.0f} | "
            f"{row['p99']:.0f} | {row['max']:.0f} | {row['errors']} |"
        )
    lines += ["", "| page (slowest first) | requests | median ms | p95 ms | max ms | errors |"]
    lines.append("|---|---|---|---|---|---|")
    for name, row in result["pages"]:
        lines.append(
            f"| {name} | {row['count']} | {row['median']:.0f} | {row['p95']:.0f} | "
            f"{row['max']:.0f} | {row['errors']} |"
        )
    if result.get("error_kinds"):
        lines += ["", "Errors seen:", ""]
        lines += [f"- {count} x {error}" for error, count in result["error_kinds"]]
    return lines + [""]


class FloorProbe(threading.Thread):
    """Reads the floor page (bench/floor.py, served by the load server only) once a second while
    the load runs, signed in as the national persona: its CPU under the same load (recorded by
    loadtest/gunicorn_cpu.py) is what the framework alone costs there, the yardstick of the
    others. Its requests are not among locust's samples."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.signed_in = threading.Event()

    def run(self):
        import http.cookiejar

        from loadtest.forms import PASSWORD, post_form

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        headers = {"X-Forwarded-Proto": "https", "Referer": f"https://{HOST}:{PORT}/comptes/login/"}

        def fetch(path, data=None):
            body = urllib.parse.urlencode(data).encode() if data is not None else None
            request = urllib.request.Request(BASE_URL + path, data=body, headers=headers)
            with opener.open(request, timeout=10) as answer:
                text = answer.read().decode()
            for cookie in jar:  # Secure cookies go back over the loopback, as in locustfile.py
                cookie.secure = False
            return text

        try:
            form = post_form(fetch("/comptes/login/"), "login")
            fetch("/comptes/login/", {**form["data"], "login": "national@example.org", "password": PASSWORD})
            self.signed_in.set()
            while not self.stop.wait(1.0):
                fetch("/bench/floor/")
        except (OSError, TypeError, urllib.error.URLError) as exc:
            log(f"floor probe stopped: {exc}")
        finally:
            self.signed_in.set()


def cpu_by_page(cpu_dir: Path, since: float) -> tuple[list[str], float]:
    """Where the gunicorn workers' CPU went, page by page, from the lines of
    loadtest/gunicorn_cpu.py for the requests that started after `since`; and the seconds of CPU
    the floor probe's reads took (not the load's)."""
    rows = defaultdict(list)
    for path in cpu_dir.glob("cpu-*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if len(fields) != 6 or float(fields[0]) < since:
                continue
            rows[(fields[1], fields[2])].append(float(fields[4]))
    floor = rows.pop(("bench_floor", "GET"), [])
    total = sum(sum(values) for values in rows.values())
    if not total:
        return [], sum(floor) / 1000
    count = sum(len(values) for values in rows.values())
    floor_ms = percentile(floor, 0.5) if floor else 0
    lines = [
        f"CPU of the request handling itself, by page ({count} requests, {total / count:.1f} ms "
        "on average; the thread's CPU from gunicorn's pre_request to post_request hooks, "
        "loadtest/gunicorn_cpu.py):",
        "",
    ]
    if floor_ms:
        lines += [
            f"The floor page (bench/floor.py, read once a second beside the load, not counted above) "
            f"cost a median {floor_ms:.1f} ms under the same load ({len(floor)} reads): the average "
            f"request is {total / count / floor_ms:.1f}x the floor here.",
            "",
        ]
    lines += [
        "| page | method | requests | share of CPU | mean ms | median ms | p95 ms | median / floor |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (name, method), values in sorted(rows.items(), key=lambda item: -sum(item[1])):
        lines.append(
            f"| {name} | {method} | {len(values)} | {100 * sum(values) / total:.1f} % | "
            f"{sum(values) / len(values):.1f} | {percentile(values, 0.5):.1f} | "
            f"{percentile(values, 0.95):.1f} | "
            + (f"{percentile(values, 0.5) / floor_ms:.1f}x |" if floor_ms else "— |")
        )
    return lines + [""], sum(floor) / 1000


# --- Profile --------------------------------------------------------------------------------------


def profile(pids: list[int], seconds: int, out_dir: Path) -> list[str]:
    """Sample the gunicorn workers with py-spy; the functions holding the most samples."""
    runs = []
    for pid in pids:
        out = out_dir / f"py-spy-{pid}.txt"
        runs.append(
            (
                out,
                subprocess.Popen(
                    [
                        str(BIN / "py-spy"),
                        "record",
                        "--pid",
                        str(pid),
                        "--duration",
                        str(seconds),
                        "--rate",
                        "50",
                        "--format",
                        "raw",
                        "--output",
                        str(out),
                        "--nonblocking",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    inclusive, total = Counter(), 0
    for out, process in runs:
        _, err = process.communicate()
        if process.returncode != 0 or not out.exists():
            return [f"py-spy failed: {err.strip()[-300:]}"]
        if os.environ.get("LOADTEST_KEEP"):  # keep the raw stacks for a closer look
            shutil.copy(out, Path(os.environ["LOADTEST_KEEP"]) / out.name)
        for line in out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            # Each sample goes to the innermost frame that names a subsystem or project code.
            label = "other (Python, WSGI, middleware glue)"
            for frame in reversed(stack.split(";")):
                function, _, where = frame.partition(" (")
                found = _family(function, where.split(":")[0])
                if found:
                    label = found
                    break
            if label == FAMILIES[-1][1]:
                continue
            total += int(count)
            inclusive[label] += int(count)
    if not total:
        return ["py-spy recorded no samples"]
    lines = [
        f"py-spy, {seconds} s over {len(pids)} gunicorn workers, {total} busy samples "
        "(idle waits left out), each counted in its innermost subsystem or project function:",
        "",
    ]
    lines += ["| share of samples | where |", "|---|---|"]
    for frame, count in inclusive.most_common(40):
        if frame:
            lines.append(f"| {100 * count / total:.0f} % | {frame} |")
    return lines + [""]


FAMILIES = [
    ("django/contrib/auth/hashers", "password hashing (sign-in)"),
    ("django/template/", "Django templates (rendering)"),
    ("django/forms/", "Django forms (rendering, validation)"),
    ("crispy_forms", "crispy-forms rendering"),
    ("django/utils/translation", "translations"),
    ("django/urls/", "URL resolving and reversing"),
    ("psycopg2", "PostgreSQL driver (queries, waiting for the server)"),
    ("django/db/backends", "database backend (cursors, connections)"),
    ("django/db/models", "ORM (building queries, making objects)"),
    ("django/contrib/sessions", "sessions"),
    ("whitenoise", "whitenoise"),
    ("allauth", "allauth"),
    ("simple_history", "simple-history"),
    ("django/middleware/csrf", "CSRF middleware"),
    # Last: a sample whose innermost labelled frame is gunicorn's loop is an idle wait.
    ("gunicorn/", "gunicorn (idle)"),
]


def _family(function: str, file: str) -> str:
    for marker, label in FAMILIES:
        if marker in file:
            return label
    if str(ROOT) in file and "/.venv/" not in file:
        return f"{function} ({Path(file).relative_to(ROOT)})"
    return ""


# --- Main ---------------------------------------------------------------------------------------


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPU ({model or platform.machine()}), Python {platform.python_version()}"


def write_results(sections: list[str]) -> None:
    RESULTS.write_text("\n".join(sections).rstrip() + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="offered load in requests/s, spread over the users (paced); 0 = think-time mode",
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="seconds of the same load first, not counted: the caches a running server keeps",
    )
    parser.add_argument("--fresh", action="store_true", help="rebuild the atc_load database")
    parser.add_argument("--profile", type=int, default=0, help="seconds of py-spy sampling")
    parser.add_argument("--no-results-file", action="store_true")
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=2,
        help="people starting (and signing in) per second: 2 brings 30 in within 15 s",
    )
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: atc/gunicorn_conf.py)")
    parser.add_argument("--threads", type=int, help="threads per gunicorn process (default: idem)")
    parser.add_argument("--keep", type=Path, help="copy the samples (and py-spy stacks) to this folder")
    parser.add_argument(
        "--check-servers",
        action="store_true",
        help="only say (exit status) whether PostgreSQL and Redis answer",
    )
    args = parser.parse_args(argv)
    if args.check_servers:
        return 0 if servers_answer() else 1
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        os.environ["LOADTEST_KEEP"] = str(args.keep)

    var_dir = Path(tempfile.mkdtemp(prefix="atc-load-"))
    try:
        env = load_env(var_dir)
        data_note = prepare_database(env, fresh=args.fresh)
        log("collectstatic")
        manage(env, "collectstatic", "--noinput")
        clear_cache_keys()
        size = data_size()
        with Stack(env, var_dir, workers=args.workers, threads=args.threads) as stack:
            plan = build_plan(env, var_dir / "plan.json")
            probe = FloorProbe()
            probe.start()
            probe.signed_in.wait(30)
            if args.warmup:
                log(f"warm-up: the same load for {args.warmup} s, not counted")
                start_locust(
                    env,
                    plan=var_dir / "plan.json",
                    samples=var_dir / "warmup.jsonl",
                    users=args.users,
                    duration=args.warmup,
                    rate=args.rate,
                    spawn_rate=args.spawn_rate,
                ).communicate(timeout=args.warmup + 120)
            # Every simulated person signs in (again) from the address the probe signed in from.
            clear_cache_keys("*allauth:rl:*")
            samples = var_dir / "samples.jsonl"
            log(
                f"locust: {args.users} users for {args.duration} s against {BASE_URL} "
                f"({size['sites']} sites, {size['meetings']} meetings, {size['actions']} actions)"
            )
            children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust = start_locust(
                env,
                plan=var_dir / "plan.json",
                samples=samples,
                users=args.users,
                duration=args.duration,
                rate=args.rate,
                spawn_rate=args.spawn_rate,
            )
            workers = stack.gunicorn_workers()
            web_cpu_before = cpu_seconds(workers)
            background_before = cpu_seconds(stack.background_pids())
            redis_before = redis_cpu_seconds()
            measured_from = time.time()
            load_before = load_average()
            profile_lines = []
            if args.profile:
                time.sleep(min(10, args.duration / 4))
                profile_lines = profile(stack.gunicorn_workers(), args.profile, var_dir)
            _, err = locust.communicate(timeout=args.duration + 120)
            probe.stop.set()
            children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            locust_cpu = (children_after.ru_utime + children_after.ru_stime) - (
                children_before.ru_utime + children_before.ru_stime
            )
            web_cpu = cpu_seconds(workers) - web_cpu_before
            background_cpu = cpu_seconds(stack.background_pids()) - background_before
            redis_cpu = redis_cpu_seconds() - redis_before
            db_cpu = cpu_seconds(database_backends())
            load_after = load_average()
            if not samples.exists():
                print(err, file=sys.stderr)
                raise RuntimeError("locust wrote no samples")
            result = figures(read_samples(samples))
            page_cpu_lines, floor_cpu = cpu_by_page(stack.cpu_dir, measured_from)
            web_cpu -= floor_cpu  # the probe's reads are not the load's
            if args.keep:
                shutil.copy(samples, args.keep / samples.name)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)

    warmed = f" after {args.warmup} s of warm-up" if args.warmup else " from emptied caches"
    title = f"{args.users} users, {args.duration} s{warmed}" + (
        f", paced at {args.rate:g} req/s offered" if args.rate else ", think-time mode (saturation)"
    )
    requests = max(result["requests"], 1)
    web_ms, db_ms = 1000 * web_cpu / requests, 1000 * db_cpu / requests
    result["capacity"] = 2000 / max(web_ms + db_ms, 0.1)
    lines = report_lines(result, title=title)
    lines += [
        f"CPU per request: gunicorn workers {web_ms:.1f} ms, PostgreSQL backends of "
        f"`{DB_NAME}` {db_ms:.1f} ms (those still open at the end: a lower bound). "
        f"On 2 idle cores that is at most ~{result['capacity']:.0f} req/s. "
        f"The load generator (locust) used {1000 * locust_cpu / requests:.1f} ms of CPU per request "
        f"({locust_cpu / max(result['seconds'], 1):.0%} of a core) on the same cores. "
        f"Beside them, not counted in the capacity: the Celery worker and beat "
        f"{1000 * background_cpu / requests:.1f} ms per request, the Redis server "
        f"{1000 * redis_cpu / requests:.1f} ms (all its clients).",
        "",
        f"Load average (1, 5, 15 min) before the run: {load_before}; after: {load_after} "
        "(other work on this machine competes for the same 2 cores).",
        "",
    ]
    print("\n".join(lines))
    if page_cpu_lines:
        print("\n".join(page_cpu_lines))
    if profile_lines:
        print("\n".join(profile_lines))
    if plan["skipped"]:
        print("Pages left out (not in this checkout):", "; ".join(plan["skipped"]))
    met = all(verdict[3] for verdict in verdicts(result))
    print("ALL TARGETS MET" if met else "TARGETS MISSED")
    if not args.no_results_file:
        header = [
            "# Load benchmark results",
            "",
            f"Written by `loadtest/run_load.py` on {dt.datetime.now():%Y-%m-%d %H:%M}; {machine()}.",
            "",
            f"Setup: gunicorn {stack.workers} workers x {stack.threads} threads (gthread, "
            "atc/gunicorn_conf.py), Celery worker (1 process) and beat, "
            f"PostgreSQL database `{DB_NAME}`, Redis database 3, DJANGO_ENV=production "
            "(DEBUG off, whitenoise, Secure cookies behind `X-Forwarded-Proto: https`), "
            "locust on the same machine (its CPU is shared with the server).",
            "",
            f"Data: {size['sites']} sites, {size['meetings']} meetings, {size['actions']} actions, "
            f"{size['attachments']} attachments at the start." + (f" **{data_note}.**" if data_note else ""),
            "",
            (
                f"Paced load: {args.rate:g} requests/s offered in all, spread over the users "
                "(locust's constant_throughput), so the offered load does not grow when pages get "
                f"faster. People start at {args.spawn_rate:g} a second, each signing in through the "
                "real form (Argon2id, ~21 ms of CPU, bench/signin.py); sign-ins are counted "
                "apart, the pages read meanwhile are counted."
                if args.rate
                else "Think time between a person's requests: "
                f"{os.environ.get('LOADTEST_THINK_MIN', '0.1')}-"
                f"{os.environ.get('LOADTEST_THINK_MAX', '0.5')} s (saturation: the offered load "
                "grows until the 2 cores are busy)."
            ),
            "",
        ]
        if plan["skipped"]:
            header += ["Pages not yet in the scenario (URL names missing in this checkout):", ""]
            header += [f"- {item}" for item in plan["skipped"]] + [""]
        write_results(header + lines + page_cpu_lines + profile_lines)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
