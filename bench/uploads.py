"""`make bench` (uploads part): how fast a hostile import file is refused, and what reading costs.

    .venv/bin/python -m bench.uploads

No database: it times `pilotage.imports.services.read_rows`, the whole reading path of an import (archive
bounds, then the limited child process). Targets: the 400 KB shared-strings bomb of issue 12 is
refused in < 2 s with this process growing < 100 MiB (the unit test checks the memory, not the
time); an ordinary XLSX of the most rows accepted (5,000) is read by a child well under its memory ceiling.
"""

import io
import os
import resource
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
django.setup()

from django.conf import settings  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from pilotage.imports import services as imports  # noqa: E402
from pilotage.imports import sheet_reader  # noqa: E402
from tests import crafted  # noqa: E402

TARGET_SECONDS = 2.0


def _mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def _timed(data: bytes, repeat: int = 3) -> tuple[float, str, int]:
    """Best wall time of `repeat` reads, the outcome, and the traced peak of the last one."""
    best, outcome, peak = float("inf"), "", 0
    for _ in range(repeat):
        tracemalloc.start()
        started = time.perf_counter()
        try:
            rows = imports.read_rows(data)
            outcome = f"read, {len(rows)} rows"
        except imports.ImportFileError as exc:
            outcome = f"refused: {str(exc)[:70]}…"
        best = min(best, time.perf_counter() - started)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return best, outcome, peak


def _ordinary_xlsx(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["date", "type", "intitulé", "ordre du jour", "participant·es Association"])
    for n in range(rows):
        sheet.append(
            [f"{1 + n % 28:02d}/03/2021", "Atelier partenarial", f"Atelier n° {n}", "Tour de table", 4]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    print("# Import files — reading bounds")
    print(
        f"(archive ≤ {settings.ATC_ARCHIVE_MAX_UNCOMPRESSED_BYTES // 2**20} MiB decompressed, ratio ≤ "
        f"{settings.ATC_ARCHIVE_MAX_RATIO}:1; child ≤ {settings.ATC_IMPORT_READ_MEMORY_MB} MiB, "
        f"≤ {settings.ATC_IMPORT_READ_SECONDS} s)"
    )
    cases = [
        ("shared-strings bomb (400 MB once decompressed)", crafted.shared_strings_bomb(400), TARGET_SECONDS),
        ("compact bomb (40 MB, ratio ~1000:1)", crafted.shared_strings_bomb(40), TARGET_SECONDS),
        ("ordinary XLSX, 5,000 rows", _ordinary_xlsx(sheet_reader.MAX_ROWS), None),
        ("600,000 distinct shared strings (child ceiling)", crafted.many_strings_xlsx(600_000), None),
    ]
    for label, data, target in cases:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        seconds, outcome, peak = _timed(data, repeat=3 if target else 1)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        verdict = (
            "" if target is None else f", target < {target:.0f} s: {'OK' if seconds < target else 'MISSED'}"
        )
        print(
            f"- {label}: {len(data) // 1024} KB, {outcome} in {seconds:.2f} s{verdict}; this process: "
            f"traced peak {peak / 2**20:.1f} MiB, max RSS +{_mib(grown)}"
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"- largest reader child: {_mib(children)} max RSS")


if __name__ == "__main__":
    main()
