"""`make bench` (imports part): what confirming an import costs, row by row through the services.

    .venv/bin/python -m bench.imports

A throw-away test database (SQLite by default, or the DATABASE_URL's server), migrated, and one
person; a CSV of `ROWS` meetings, the largest file the import accepts
(`sheet_reader.MAX_ROWS`), is checked (the preview's dry run) and then imported as the confirm
page does. Target: the confirm stays well under gunicorn's 60-second request timeout.
"""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from pilotage.imports import services as imports  # noqa: E402
from pilotage.imports import sheet_reader  # noqa: E402
from pilotage.models import Meeting  # noqa: E402
from sites.models import Site  # noqa: E402
from tests.atc.factories import UserFactory  # noqa: E402
from tests.pilotage.test_imports import MEETING_HEADER, csv_bytes, meeting_row  # noqa: E402

TIMEOUT_SECONDS = 60


def main() -> None:
    rows = sheet_reader.MAX_ROWS
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        site, user = Site.objects.get(slug="marseille"), UserFactory()  # the real sites come with migrate
        data = csv_bytes(
            [MEETING_HEADER]
            + [meeting_row(n, day=f"{1 + n % 28:02d}/{1 + n % 12:02d}/{2020 + n % 3}") for n in range(rows)]
        )
        kind = imports.KINDS["reunions"]
        started = time.perf_counter()
        checked = imports.check_file(site=site, kind=kind, data=data)
        check_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = imports.import_file(site=site, kind=kind, data=data, user=user)
        import_seconds = time.perf_counter() - started
        assert checked.ok and report.ok and Meeting.objects.filter(site=site).count() == rows
        verdict = "OK" if import_seconds < TIMEOUT_SECONDS / 2 else "MISSED"
        print(f"# Import — {rows:,} meetings ({len(data) // 1024} KiB of CSV), {connection.vendor}")
        print(f"- preview (dry run): {check_seconds:.1f} s")
        print(
            f"- confirm: {import_seconds:.1f} s ({import_seconds / rows * 1000:.1f} ms per row; "
            f"target < {TIMEOUT_SECONDS // 2} s, half the request timeout: {verdict})"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
