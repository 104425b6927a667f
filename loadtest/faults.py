"""Faults under load (issue 7, item 6): Redis stopped, then PostgreSQL restarted, figures printed.

    .venv/bin/python -m loadtest.faults [--users 20]

Same stack as run_load (gunicorn, Celery worker and beat, production settings, `atc_load`), with
locust running throughout. Other people use these servers too: each outage is kept short
(Redis down OUTAGE_SECONDS; PostgreSQL restarted once) and the service is always started again in
a `finally` block.

(a) Redis stopped (`redis-cli shutdown nosave`) for OUTAGE_SECONDS: while it is down, the
    facilitator's site home must render, a meeting must save, a person must be able to sign in and
    the national team's report request must be accepted (the row waits, queued). Once Redis is
    back, every report requested during the outage must be built (beat's resend sweep publishes
    it again): none lost.
(b) PostgreSQL restarted (`pg_ctlcluster ... restart`): the web answers again by itself (time
    until /sante/ and the locust traffic are back to 200) and the worker builds a report requested
    after the restart.

Exit status 0 when every check passes.
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loadtest import run_load as rl
from loadtest.forms import PASSWORD, post_form

OUTAGE_SECONDS = 10
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
# beat's resend sweep runs every minute and leaves a just-requested row alone for a while.
REPORT_WAIT_SECONDS = 300
# A site report: the fault is about the queue, not about rendering a 1,600-site document.
REPORT_SITE = "marseille"


def redis_up() -> bool:
    answer = subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True)
    return answer.stdout.strip() == "PONG"


def postgres_up() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0


def pg_cluster() -> list[str]:
    version = sorted(path.name for path in Path("/etc/postgresql").iterdir())[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


class Browser:
    """A signed-in person driven by requests, as the locust personas are (see locustfile)."""

    def __init__(self, email: str):
        import requests

        self.session = requests.Session()
        self.session.headers["X-Forwarded-Proto"] = "https"
        self.email = email
        self.password = PASSWORD

    def _unsecure(self):
        for cookie in self.session.cookies:
            cookie.secure = False

    def get(self, path: str):
        answer = self.session.get(rl.BASE_URL + path, allow_redirects=False, timeout=15)
        self._unsecure()
        return answer

    def post_form(self, path: str, field: str, values: dict, files=None):
        """Fetch the page, fill its form (CSRF token included), post it; the answer."""
        page = self.get(path)
        form = post_form(page.text, field) if page.status_code == 200 else None
        if form is None:
            return page
        answer = self.session.post(
            rl.BASE_URL + (form["action"] or path),
            data={**form["data"], **values},
            files=files,
            headers={"Referer": f"https://{rl.HOST}:{rl.PORT}{path}"},
            allow_redirects=False,
            timeout=15,
        )
        self._unsecure()
        return answer

    def sign_in(self) -> int:
        return self.post_form(
            "/comptes/login/", "login", {"login": self.email, "password": self.password}
        ).status_code


def timed(call):
    started = time.monotonic()
    result = call()
    return result, 1000 * (time.monotonic() - started)


def report_rows(public_ids: list[str]) -> dict:
    if not public_ids:
        return {}
    quoted = ", ".join(f"'{public_id}'" for public_id in public_ids)
    rows = rl._query(
        f"SELECT public_id::text, status FROM evaluation_evaluationreport WHERE public_id IN ({quoted})"
    )
    return dict(rows)


def request_report(national: Browser, period: str) -> tuple[int, str]:
    site_id = rl._query(f"SELECT id FROM sites_site WHERE slug = '{REPORT_SITE}'")[0][0]
    answer = national.post_form(
        "/rapports/nouveau/",
        "period",
        {"scope": "site", "site": str(site_id), "network": "", "period": period},
    )
    match = re.search(r"/rapports/([0-9a-f-]{36})/", answer.headers.get("Location", ""))
    return answer.status_code, match.group(1) if match else ""


def last_built(public_ids: list[str]) -> float:
    """When the last of these reports was finished (epoch seconds; 0 if none)."""
    if not public_ids:
        return 0.0
    quoted = ", ".join(f"'{public_id}'" for public_id in public_ids)
    rows = rl._query(
        "SELECT extract(epoch FROM max(finished_at)) FROM evaluation_evaluationreport "
        f"WHERE public_id IN ({quoted})"
    )
    return float(rows[0][0] or 0)


def wait_reports(public_ids: list[str], timeout: float) -> tuple[dict, float]:
    started = time.monotonic()
    while True:
        states = report_rows(public_ids)
        finished = all(states.get(pid) in {"done", "failed"} for pid in public_ids)
        if finished or time.monotonic() - started > timeout:
            return states, time.monotonic() - started
        time.sleep(1)


def meeting_saved(title: str) -> bool:
    escaped = title.replace("'", "''")
    return bool(rl._query(f"SELECT 1 FROM pilotage_meeting WHERE title = '{escaped}'"))


def redis_outage(facilitator: Browser, national: Browser, checks: list) -> dict:
    """(a): stop Redis, use the platform, start Redis again (always)."""
    facts = {"report_ids": []}
    stopped = time.time()
    facts["down_at"] = stopped
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True)
    try:
        answer, ms = timed(lambda: facilitator.get("/sites/marseille/"))
        checks.append(("Redis down: site home renders", answer.status_code == 200, f"{ms:.0f} ms"))
        title = f"Réunion pendant la panne de Redis {int(stopped)}"
        answer, ms = timed(
            lambda: facilitator.post_form(
                "/sites/marseille/reunions/nouvelle/",
                "title",
                {
                    "kind": "bilateral",
                    "date": "2021-06-15",
                    "format": "video",
                    "committee": "",
                    "title": title,
                    "minutes_status": "none",
                },
            )
        )
        saved = answer.status_code == 302 and meeting_saved(title)
        checks.append(("Redis down: a meeting saves", saved, f"HTTP {answer.status_code}, {ms:.0f} ms"))
        newcomer = Browser("host@example.org")
        status, ms = timed(newcomer.sign_in)
        checks.append(("Redis down: a person signs in", status == 302, f"HTTP {status}, {ms:.0f} ms"))
        for period in ("2021-Q1", "2021-Q2"):
            (status, public_id), ms = timed(lambda period=period: request_report(national, period))
            if public_id:
                facts["report_ids"].append(public_id)
            states = report_rows([public_id])
            checks.append(
                (
                    f"Redis down: report request {period} accepted",
                    status == 302 and states.get(public_id) == "queued",
                    f"HTTP {status}, {ms:.0f} ms, row {states.get(public_id, 'missing')}",
                )
            )
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.time() - stopped)))
    finally:
        subprocess.run(REDIS_START, check=False)
        deadline = time.monotonic() + 15
        while not redis_up() and time.monotonic() < deadline:
            time.sleep(0.2)
        facts["up_at"] = time.time()
    return facts


def postgres_restart(checks: list) -> dict:
    """(b): restart PostgreSQL (started again if the restart left it down)."""
    facts = {}
    started = time.time()
    facts["restart_at"] = started
    try:
        subprocess.run([*pg_cluster(), "restart"], check=False, capture_output=True)
    finally:
        if not postgres_up():
            subprocess.run([*pg_cluster(), "start"], check=False, capture_output=True)
    facts["ready_after"] = time.time() - started
    deadline = time.monotonic() + 60
    while rl.http_status("/sante/", timeout=2) != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    facts["web_after"] = time.time() - started
    checks.append(
        (
            "PostgreSQL restarted: /sante/ answers 200 again",
            facts["web_after"] < 30,
            f"server ready {facts['ready_after']:.1f} s, web {facts['web_after']:.1f} s "
            "after the restart began",
        )
    )
    return facts


def log_errors(folder: Path, keep: int = 12) -> list[str]:
    """The last error lines each server logged (the logs go with the temporary folder)."""
    lines = []
    for log in sorted(folder.glob("*.log")):
        found = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "ERROR" in line or "Error:" in line or "CRITICAL" in line
        ]
        lines += [f"  {log.stem}: {line[:220]}" for line in found[-keep:]]
    return lines


def window(samples: list[dict], start: float, end: float) -> dict:
    rows = [s for s in samples if start <= s["start"] <= end]
    errors = [s for s in rows if s["error"]]
    last_error = max((s["start"] for s in errors), default=None)
    return {
        "requests": len(rows),
        "errors": len(errors),
        "last_error_after": None if last_error is None else last_error - start,
        "kinds": sorted({s["error"][:60] for s in errors}),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument(
        "--worker-pool",
        default="prefork",
        help="Celery pool of the worker (prefork as in production; threads or solo otherwise)",
    )
    args = parser.parse_args(argv)
    if not (redis_up() and postgres_up()):
        print("Redis and PostgreSQL must both be running before the fault test.", file=sys.stderr)
        return 2

    checks: list[tuple[str, bool, str]] = []
    var_dir = Path(tempfile.mkdtemp(prefix="atc-faults-"))
    try:
        env = rl.load_env(var_dir)
        rl.prepare_database(env, fresh=False)
        rl.manage(env, "collectstatic", "--noinput")
        rl.clear_cache_keys()
        with rl.Stack(env, var_dir, worker_pool=args.worker_pool) as stack:
            rl.build_plan(env, var_dir / "plan.json")
            samples_path = var_dir / "samples.jsonl"
            duration = 80
            locust = rl.start_locust(
                env,
                plan=var_dir / "plan.json",
                samples=samples_path,
                users=args.users,
                duration=duration,
            )
            began = time.time()
            facilitator, national = Browser("facilitator@example.org"), Browser("national@example.org")
            for person in (facilitator, national):
                if person.sign_in() != 302:
                    raise RuntimeError(f"{person.email} could not sign in before the faults")
            time.sleep(max(0.0, began + 15 - time.time()))
            rl.log(f"(a) Redis stopped for {OUTAGE_SECONDS} s")
            redis = redis_outage(facilitator, national, checks)
            rl.log("Redis back; (b) waiting, then restarting PostgreSQL")
            time.sleep(max(0.0, began + 45 - time.time()))
            pg = postgres_restart(checks)
            (status, after_id), _ms = timed(lambda: request_report(national, "2021-Q3"))
            checks.append(
                (
                    "after the PostgreSQL restart: a report request is accepted",
                    status == 302,
                    f"HTTP {status}",
                )
            )
            locust.communicate(timeout=duration + 120)
            rl.log("waiting for the reports to be built")
            ids = redis["report_ids"] + ([after_id] if after_id else [])
            states, _waited = wait_reports(ids, REPORT_WAIT_SECONDS)
            done = [pid for pid in ids if states.get(pid) == "done"]
            checks.append(
                (
                    "no report lost: requested while Redis was down, built once it was back",
                    all(states.get(pid) == "done" for pid in redis["report_ids"])
                    and len(redis["report_ids"]) == 2,
                    f"{len([p for p in redis['report_ids'] if p in done])}/2 done"
                    + (
                        f", the last {built - redis['up_at']:.0f} s after Redis came back"
                        if (built := last_built(redis["report_ids"]))
                        else f", none finished within {REPORT_WAIT_SECONDS} s"
                    ),
                )
            )
            checks.append(
                (
                    "worker recovered from the PostgreSQL restart: report built",
                    bool(after_id) and states.get(after_id) == "done",
                    f"state {states.get(after_id, 'missing')}",
                )
            )
            alive = {name: process.poll() is None for name, process in stack.processes.items()}
            checks.append(("gunicorn, worker and beat still running", all(alive.values()), str(alive)))
            samples = rl.read_samples(samples_path)
            report_states = rl._query(
                "SELECT public_id::text, status, attempts, left(error, 120), requested_at, "
                "enqueued_at, finished_at FROM evaluation_evaluationreport "
                "WHERE public_id::text IN ({})".format(", ".join(f"'{i}'" for i in ids) or "''")
            )
            excerpts = log_errors(var_dir / "log")
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        if not redis_up():
            subprocess.run(REDIS_START, check=False)
        if not postgres_up():
            subprocess.run([*pg_cluster(), "start"], check=False)

    during_redis = window(samples, redis["down_at"], redis["up_at"])
    after_pg = window(samples, pg["restart_at"], pg["restart_at"] + 30)
    overall = rl.figures(samples)
    lines = [
        f"Load throughout: {overall['requests']} requests, {overall['throughput']:.1f} req/s, "
        f"{overall['errors']} errors.",
        f"(a) Redis down {redis['up_at'] - redis['down_at']:.1f} s: {during_redis['requests']} "
        f"requests during the outage, {during_redis['errors']} errors {during_redis['kinds']}.",
        f"(b) PostgreSQL restart: server ready after {pg['ready_after']:.1f} s, /sante/ 200 after "
        f"{pg['web_after']:.1f} s; in the 30 s after the restart began, "
        f"{after_pg['requests']} requests and {after_pg['errors']} errors"
        + (
            f", the last failed request sent {after_pg['last_error_after']:.1f} s after the restart began"
            if after_pg["last_error_after"] is not None
            else ""
        )
        + f" {after_pg['kinds']}.",
        "",
    ]
    checks.append(("no error under load while Redis was down", during_redis["errors"] == 0, ""))
    for what, met, detail in checks:
        lines.append(f"[{'ok' if met else 'FAILED'}] {what}" + (f" — {detail}" if detail else ""))
    lines += ["", "Reports (id, state, attempts, error, requested, sent, finished):"]
    lines += [f"  {row}" for row in report_states]
    if excerpts:
        lines += ["", "Errors logged by the servers:", *excerpts]
    print("\n".join(lines))
    print(f"Redis: {'up' if redis_up() else 'DOWN'}; PostgreSQL: {'up' if postgres_up() else 'DOWN'}")
    return 0 if all(met for _what, met, _detail in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
