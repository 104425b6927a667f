"""`make bench` (reports part): how long the evaluation reports take, and their peak memory.

    .venv/bin/python -m bench.reports                 # demo data: national (15 sites) and a site
    BENCH_REPORT_LARGE=1 .venv/bin/python -m bench.reports   # also 1,600 sites, split and merged

Same databases as `bench.run` (var/bench/ or `atc_bench_<size>` on PostgreSQL), generated when
missing. Each render goes through the production path (content, template, WeasyPrint in a limited
child process, atomic write). Targets: national report on the 15 demo sites < 10 s, a site report
< 2 s (both in a warm process: WeasyPrint already imported, as in a worker).

The 1,600-site national report is cut into parts — the summary over every site, then the site
sections 100 at a time — rendered by a pool of processes (one per CPU, as a worker pool would), then
merged with pypdf. Page numbers restart in each part; the summary's table of contents lists the
chapters, not the 1,600 sites.
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
SECTIONS_PER_PART = 50


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _cpu() -> float:
    """CPU seconds of this process and its finished children: wall time is noisy on a busy box."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak() -> str:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return f"peak RSS: this process {_mib(own)}, largest render child {_mib(children)}"


def _render_part(args) -> tuple[str, int, float]:
    """In a pool process: build one part's content and render it (own DB connection)."""
    from django.db import connections
    from django.template.loader import render_to_string

    from evaluation.pdf import render_to_file
    from evaluation.periods import parse_period, parse_scope
    from evaluation.report_content import build_content

    output, site_ids, summary, sections = args
    connections.close_all()
    started = time.perf_counter()
    content = build_content(
        target=parse_scope("national"),
        period=parse_period("2021"),
        site_ids=site_ids,
        summary=summary,
        sections=sections,
    )
    pages = render_to_file(render_to_string("reports/pdf/report.html", content), Path(output))
    return output, pages, time.perf_counter() - started


def _split_national(folder: Path) -> None:
    import pypdf
    from django.db import connections

    from sites.models import Site

    ids = list(Site.objects.order_by("name").values_list("id", flat=True))
    parts = [(str(folder / "part-000.pdf"), None, True, False)]
    for index in range(0, len(ids), SECTIONS_PER_PART):
        chunk = ids[index : index + SECTIONS_PER_PART]
        parts.append((str(folder / f"part-{index + 1:04d}.pdf"), chunk, False, True))
    connections.close_all()
    started = time.perf_counter()
    with get_context("fork").Pool(processes=os.cpu_count() or 2, maxtasksperchild=4) as pool:
        results = pool.map(_render_part, parts)
    writer = pypdf.PdfWriter()
    for output, _pages, _seconds in sorted(results):
        writer.append(output)
    merged = folder / "national-1600.pdf"
    with merged.open("wb") as handle:
        writer.write(handle)
    total = time.perf_counter() - started
    pages = sum(p for _o, p, _s in results)
    slowest = max(s for _o, _p, s in results)
    print(
        f"national, {len(ids)} sites, {len(parts)} parts on {os.cpu_count()} processes: "
        f"{total:.1f} s wall, {pages} pages ({merged.stat().st_size / 1e6:.1f} MB), "
        f"slowest part {slowest:.1f} s; {_peak()}"
    )


def child(size: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
    django.setup()
    from django.core.management import call_command

    from bench import generate
    from evaluation.periods import parse_period, parse_scope
    from evaluation.reporting import render_to_path
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


def main() -> None:
    import subprocess

    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    sizes = ["demo"] + (["medium"] if os.environ.get("BENCH_REPORT_LARGE") == "1" else [])
    for size in sizes:
        url = database_url(size)
        if url.startswith("postgres"):
            ensure_postgres_database(url)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "bench.reports", "--child", size], env=env, check=True)


if __name__ == "__main__":
    main()
