"""`make bench` (reports part): how long the evaluation reports take, and their peak memory.

    .venv/bin/python -m bench.reports                 # demo data: national (15 sites) and a site
    BENCH_REPORT_LARGE=1 .venv/bin/python -m bench.reports   # also 1,600 sites, split and merged

Same databases as `bench.run` (var/bench/ or `<name>_bench_<size>` on PostgreSQL), generated when
missing. Each render goes through the production path (content, template, WeasyPrint in a limited
child process, atomic write). Targets: national report on the 15 demo sites < 10 s, a site report
< 2 s (both in a warm process: WeasyPrint already imported, as in a worker).

The 1,600-site national report goes through the worker's parts and merge
(`evaluation.reports.services.plan_parts`, `render_part`, `merge_parts`): the summary, then the site
sections ATC_REPORT_SECTIONS_PER_PART at a time, rendered by a pool of processes (one per CPU, as
a worker pool would), then the index of the sites and the merge.
"""

import os
import resource
import sys
import time
from multiprocessing import get_context
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.run import database_url, ensure_postgres_database

TARGETS = {"national": 10.0, "site": 2.0}
LARGE_PERIOD = "2021"


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _cpu() -> float:
    """CPU seconds of this process and its finished children: wall time is noisy on a busy box."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak() -> str:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return f"peak RSS: this process {_mib(own)}, largest child (pool process or render) {_mib(children)}"


def _render_part(args):
    """In a pool process, as a worker's part task: one part, with its own database connection."""
    from django.db import connections

    from atc.periods import parse_period
    from evaluation.reports.scopes import parse_scope
    from evaluation.reports.services import render_part

    index, site_ids, output = args
    connections.close_all()
    started = time.perf_counter()
    part = render_part(
        target=parse_scope("national"),
        period=parse_period(LARGE_PERIOD),
        site_ids=site_ids,
        output=Path(output),
    )
    return index, part, time.perf_counter() - started


def _split_national(folder: Path) -> None:
    from django.db import connections

    from atc.periods import parse_period
    from evaluation.reports.scopes import parse_scope
    from evaluation.reports.services import merge_parts, part_name, plan_parts

    target, period = parse_scope("national"), parse_period(LARGE_PERIOD)
    plan = plan_parts(target)
    sites = sum(len(ids) for ids in plan)
    jobs = [(index, site_ids, str(folder / part_name(index))) for index, site_ids in enumerate(plan)]
    connections.close_all()
    started = time.perf_counter()
    # The summary first: it is the longest part, so it should not start last.
    with get_context("fork").Pool(processes=os.cpu_count() or 2, maxtasksperchild=8) as pool:
        results = sorted(pool.imap_unordered(_render_part, jobs))
    parts_seconds = time.perf_counter() - started
    merged = folder / "national-1600.pdf"
    pages = merge_parts(target=target, period=period, parts=[part for _i, part, _s in results], output=merged)
    total = time.perf_counter() - started
    summary_seconds = results[0][2]
    slowest = max(results[1:], key=lambda result: result[2])
    print(
        f"national, {sites} sites, {len(jobs)} parts (summary + {len(jobs) - 1} × up to "
        f"{len(plan[1])} site sections) on {os.cpu_count()} processes: {total:.1f} s wall "
        f"(parts {parts_seconds:.1f} s, index + merge {total - parts_seconds:.1f} s), {pages} pages "
        f"({merged.stat().st_size / 1e6:.1f} MB); summary part {summary_seconds:.1f} s "
        f"({results[0][1].pages} pages), slowest section part {slowest[2]:.1f} s (part {slowest[0]}); "
        f"{_peak()}"
    )


def child(size: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
    django.setup()
    from django.core.management import call_command

    from atc.periods import parse_period
    from bench import generate
    from evaluation.reports.scopes import parse_scope
    from evaluation.reports.services import render_to_path
    from pilotage.models import Meeting
    from sites.models import Site

    call_command("migrate", verbosity=0)
    if not Meeting.objects.exists():
        if size == "demo":
            generate.demo()
        else:
            generate.synthetic(100, log=lambda line: print(line, file=sys.stderr))
    print(f"== {size}: {Site.objects.count()} sites, {Meeting.objects.count()} meetings")
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if size == "demo":
            import weasyprint  # noqa: F401 - a worker has it imported already

            for name, scope, period in (
                ("national", "national", "2021"),
                ("site", "site:marseille", "2021-Q1"),
            ):
                timings, cpu = [], []
                for run in range(3):
                    started, cpu_started = time.perf_counter(), _cpu()
                    pages = render_to_path(
                        target=parse_scope(scope),
                        period=parse_period(period),
                        output=folder / f"{name}-{run}.pdf",
                    )
                    timings.append(time.perf_counter() - started)
                    cpu.append(_cpu() - cpu_started)
                best = min(timings)
                verdict = "OK" if best < TARGETS[name] else "OVER TARGET"
                print(
                    f"{name} ({scope}, {period}): {pages} pages, best {best:.2f} s wall of 3 "
                    f"({min(cpu):.2f} s CPU, parent + render child; first {timings[0]:.2f} s), "
                    f"target < {TARGETS[name]:.0f} s: {verdict}"
                )
            print(_peak())
        else:
            _split_national(folder)


RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION = "# PDF reports — latest figures"


def _write_results(vendor: str, lines: list[str]) -> None:
    """Replace the reports' section of bench/RESULTS.md (bench.run writes the dashboards' part)."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    text = text.split(f"\n{SECTION}\n")[0].rstrip("\n")
    body = "\n".join(line if line.startswith("==") else f"- {line}" for line in lines)
    body = body.replace("== ", "\n## ")
    RESULTS.write_text(
        f"{text}\n\n{SECTION}\n\nWritten by `python -m bench.reports` ({vendor}; "
        "`BENCH_REPORT_LARGE=1` adds the 1,600-site national report, in parts across a process pool, "
        f"then merged, as the workers do).\n{body}\n"
    )


def main() -> None:
    import subprocess

    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    sizes = ["demo"] + (["medium"] if os.environ.get("BENCH_REPORT_LARGE") == "1" else [])
    lines = []
    for size in sizes:
        url = database_url(size)
        if url.startswith("postgres"):
            ensure_postgres_database(url)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        with subprocess.Popen(
            [sys.executable, "-m", "bench.reports", "--child", size],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        ) as process:
            for line in process.stdout:
                print(line, end="", flush=True)
                lines.append(line.rstrip("\n"))
        if process.returncode:
            raise SystemExit(process.returncode)
    _write_results("PostgreSQL" if database_url("demo").startswith("postgres") else "SQLite", lines)


if __name__ == "__main__":
    main()
