"""`manage.py build_report --scope national|network:CODE|site:SITE --period 2021-Q1 --output r.pdf`

Renders synchronously through the same service as the worker (content, template, limited child
process, atomic write), without creating a report row: the file is the only output.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from atc.periods import PeriodError, parse_period
from evaluation.reports.pdf import RenderError
from evaluation.reports.scopes import parse_scope
from evaluation.reports.services import render_to_path


class Command(BaseCommand):
    help = "Fabrique un rapport d'évaluation PDF pour un périmètre et une période."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scope",
            required=True,
            help="national, network:CODE ou site:SITE (nom court du site ou code QPV)",
        )
        parser.add_argument(
            "--period",
            required=True,
            help="2021, S1 2021, T1 2021 (ou 2021-Q1) ou 2021-01-01..2021-06-30",
        )
        parser.add_argument("--output", required=True, help="chemin du fichier PDF à écrire")
        parser.add_argument(
            "--editable",
            action="store_true",
            help="écrire aussi les versions modifiables ODT et DOCX à côté du PDF (même nom)",
        )

    def handle(self, *args, scope, period, output, editable=False, **options):
        try:
            target = parse_scope(scope)
            parsed = parse_period(period)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()
        try:
            pages = render_to_path(target=target, period=parsed, output=output, editable=editable)
        except RenderError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{output} : {pages} pages ({target.title}, {parsed.title}) en {time.monotonic() - started:.1f} s"
        )
