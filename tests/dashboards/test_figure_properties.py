"""Random sequences of writes through every path a person or an operator has — the forms (as the
site's facilitator), the CSV import, the Django admin, queryset bulk operations, model deletes
and personal-data erasure — and after each step, the figures people read equal a recomputation
from the records: the site dashboards and cooperation maps, the national and network tables,
the national CSV/XLSX exports, a site's logbook export and the national report's content. Plus
`figure_differences()` (what `manage.py check_figures` prints) must find nothing.

`FIGURES_MECHANISM_OFF=1` runs the same machine with the figure triggers dropped (the refresh
mechanism off): it then fails, as `test_the_property_fails_without_the_triggers` shows on a fixed
sequence."""

import csv
import datetime
import io
import itertools
import os
import re
from collections import Counter
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from openpyxl import load_workbook

from atc.charts import format_number
from atc.models import Role
from atc.periods import quarter_label, quarter_of, quarter_param, quarters_between, range_period
from atc.personal_data import ERASED_NAME, personal_data_erase
from diagnostics.models import Theme
from evaluation.figures import aggregates, rendered
from evaluation.figures.cache import site_served
from evaluation.figures.check import figure_differences
from evaluation.models import IndicatorValue, LogbookEntry, Scope
from evaluation.reports import content as report_content
from evaluation.reports.scopes import Target
from pilotage.imports import services as imports
from pilotage.models import ATTENDANCE_FIELDS, Action, Meeting
from sites.models import FacilitatorAssignment, OrganisationCategory, PartnerOrganisation, Site
from tests.atc.factories import RoleFactory, UserFactory
from tests.badinput.forms import page_form
from tests.conftest import _clear_cache
from tests.dashboards.displayed import displayed_rows
from tests.reports.factories import IndicatorFactory
from tests.sites.factories import FacilitatorAssignmentFactory

pytestmark = pytest.mark.django_db

SLUGS = ("marseille", "grenoble")
# Past dates inside the report's period (at most five years, up to today).
FIRST_DAY = datetime.date(2022, 1, 1)
days = st.dates(min_value=FIRST_DAY, max_value=datetime.date(2025, 12, 31))
counts = st.integers(min_value=0, max_value=40)
meeting_kinds = st.sampled_from(
    [Meeting.Kind.STEERING, Meeting.Kind.PARTNERS_WORKSHOP, Meeting.Kind.PUBLIC_EVENT]
)
statuses = st.sampled_from(list(Action.Status.values))
serial = itertools.count(1)
# The attendance the national actors follow beyond institutions, named here again on purpose.
CIVIL = (
    OrganisationCategory.ASSOCIATION,
    OrganisationCategory.RESIDENTS,
    OrganisationCategory.CITIZENS_COUNCIL,
)


def _submit(client: Client, url: str, changes: dict, post_url: str | None = None) -> None:
    """Submit the page's form as a browser would, with `changes` typed in; it must save."""
    page = client.get(url)
    assert page.status_code == 200, url
    data, _names = page_form(page.content.decode())
    data.update(changes)
    response = client.post(post_url or url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]


class FigureWrites(RuleBasedStateMachine):
    """Writes on two sites (Marseille, Grenoble); reads of every site's figures."""

    @initialize()
    def start(self):
        # Every example starts from the same database and an empty cache: the versions in cache
        # keys would otherwise repeat across examples once their writes are rolled back.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        _clear_cache()
        if os.environ.get("FIGURES_MECHANISM_OFF") == "1":
            drop_figure_triggers()
        self.sites = {slug: Site.objects.get(slug=slug) for slug in SLUGS}
        facilitator = UserFactory(email=f"animatrice-{next(serial)}@example.org")
        RoleFactory(user=facilitator, kind=Role.Kind.FACILITATOR, sites=list(self.sites.values()))
        national = UserFactory(email=f"national-{next(serial)}@example.org")
        RoleFactory(user=national, kind=Role.Kind.NATIONAL_TEAM)
        operator = UserFactory(email=f"admin-{next(serial)}@example.org", is_staff=True, is_superuser=True)
        self.facilitator, self.national, self.admin = Client(), Client(), Client()
        self.facilitator.force_login(facilitator)
        self.national.force_login(national)
        self.admin.force_login(operator)
        self.facilitator_user = facilitator
        self.indicator = IndicatorFactory()
        for site in self.sites.values():
            FacilitatorAssignmentFactory(site=site, person_name=f"Camille Martin {site.slug}")
        aggregates.refresh_all_stale()

    def teardown(self):
        if getattr(self, "_atomic", None) is not None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def _pick(self, data, queryset):
        pks = list(queryset.order_by("pk").values_list("pk", flat=True))
        return data.draw(st.sampled_from(pks), label="row") if pks else None

    # --- Forms, as the site's facilitator -----------------------------------------------------

    @rule(slug=st.sampled_from(SLUGS), kind=meeting_kinds, day=days, residents=counts, state=counts)
    def form_meeting_create(self, slug, kind, day, residents, state):
        _submit(
            self.facilitator,
            reverse("pilotage:meeting_create", args=[slug]),
            {
                "kind": kind,
                "date": day.isoformat(),
                "title": f"Réunion {next(serial)}",
                "attendees_residents": str(residents),
                "attendees_state": str(state),
                "minutes_status": "none",
            },
        )

    @rule(data=st.data(), kind=meeting_kinds, day=days, residents=counts)
    def form_meeting_edit(self, data, kind, day, residents):
        pk = self._pick(data, Meeting.objects.filter(site__slug__in=SLUGS))
        if pk is None:
            return
        meeting = Meeting.objects.select_related("site").get(pk=pk)
        _submit(
            self.facilitator,
            reverse("pilotage:meeting_edit", args=[meeting.site.slug, pk]),
            {"kind": kind, "date": day.isoformat(), "attendees_residents": str(residents)},
        )

    @rule(slug=st.sampled_from(SLUGS), status=statuses, start=st.none() | days, reached=counts)
    def form_action_create(self, slug, status, start, reached):
        partners = list(PartnerOrganisation.objects.filter(site__slug=slug).values_list("pk", flat=True)[:3])
        _submit(
            self.facilitator,
            reverse("pilotage:action_create", args=[slug]),
            {
                "title": f"Action {next(serial)}",
                "theme": str(Theme.objects.order_by("pk").first().pk),
                "status": status,
                # A done action is at 100 % (pilotage.models.action_state_problems).
                "progress": "100" if status == Action.Status.DONE else "50",
                "residents_reached": str(reached),
                "start_date": start.isoformat() if start else "",
                "end_date": "",
                "partners": [str(p) for p in partners],
            },
        )

    @rule(data=st.data(), status=statuses)
    def form_action_status(self, data, status):
        pk = self._pick(data, Action.objects.filter(site__slug__in=SLUGS))
        if pk is None:
            return
        action = Action.objects.select_related("site").get(pk=pk)
        response = self.facilitator.post(
            reverse("pilotage:action_status", args=[action.site.slug, pk]), {"status": status}
        )
        assert response.status_code in (200, 302)  # a refused change comes back with its reason

    @rule(slug=st.sampled_from(SLUGS))
    def form_finding_create(self, slug):
        _submit(
            self.facilitator,
            reverse("diagnostics:finding_create", args=[slug]),
            {
                "title": f"Constat {next(serial)}",
                "source": "workshop",
                "theme": str(Theme.objects.order_by("pk").first().pk),
            },
        )

    @rule(slug=st.sampled_from(SLUGS), day=days)
    def form_logbook_create(self, slug, day):
        quarter = quarter_of(day)
        _submit(
            self.facilitator,
            reverse("evaluation:logbook_create", args=[slug]),
            {
                "kind": "event",
                "period_start": quarter.isoformat(),
                "period_end": day.isoformat(),
                "happened": f"Entrée {next(serial)}",
            },
        )

    @rule(slug=st.sampled_from(SLUGS), category=st.sampled_from(["association", "residents", "state"]))
    def form_partner_create(self, slug, category):
        _submit(
            self.facilitator,
            reverse("partners:partner_create", args=[slug]),
            {"name": f"Partenaire {next(serial)}", "category": category},
        )

    @rule(slug=st.sampled_from(SLUGS), day=days, value=counts)
    def form_indicator_values(self, slug, day, value):
        url = reverse("indicators:indicator_values", args=[slug, quarter_param(quarter_of(day))])
        page = self.facilitator.get(url)
        assert page.status_code == 200, url
        data, _names = page_form(page.content.decode())
        data[f"value_{self.indicator.pk}"] = str(value)
        assert self.facilitator.post(url, data).status_code == 302

    # --- The CSV import -----------------------------------------------------------------------

    @rule(slug=st.sampled_from(SLUGS), rows=st.lists(st.tuples(days, meeting_kinds), min_size=1, max_size=4))
    def csv_import(self, slug, rows):
        lines = ["date;type;intitulé"] + [
            f"{day:%d/%m/%Y};{Meeting.Kind(kind).label};Import {next(serial)}" for day, kind in rows
        ]
        report = imports.import_file(
            site=self.sites[slug],
            kind=imports.KINDS["reunions"],
            data=("\r\n".join(lines) + "\r\n").encode("utf-8-sig"),
            user=self.facilitator_user,
        )
        assert report.ok, report

    # --- The Django admin ---------------------------------------------------------------------

    @rule(data=st.data(), day=days, kind=meeting_kinds, residents=counts)
    def admin_meeting_change(self, data, day, kind, residents):
        pk = self._pick(data, Meeting.objects.filter(site__slug__in=SLUGS))
        if pk is None:
            return
        _submit(
            self.admin,
            reverse("admin:pilotage_meeting_change", args=[pk]),
            {"date": day.isoformat(), "kind": kind, "attendees_residents": str(residents)},
        )

    @rule(data=st.data(), status=statuses, reached=counts)
    def admin_action_change(self, data, status, reached):
        pk = self._pick(data, Action.objects.filter(site__slug__in=SLUGS))
        if pk is None:
            return
        _submit(
            self.admin,
            reverse("admin:pilotage_action_change", args=[pk]),
            {"status": status, "residents_reached": str(reached)},
        )

    @rule(slug=st.sampled_from(SLUGS), day=days, fte=st.sampled_from(["0.5", "1.0"]))
    def admin_facilitator_add(self, slug, day, fte):
        _submit(
            self.admin,
            reverse("admin:sites_facilitatorassignment_add"),
            {
                "site": str(self.sites[slug].pk),
                "person_name": f"Sacha Leroy {next(serial)}",
                "fte": fte,
                "start_date": day.isoformat(),
                "end_date": "",
            },
        )

    # --- Bulk operations, model deletes, erasure ----------------------------------------------

    @rule(slug=st.sampled_from(SLUGS), kind=meeting_kinds, add=st.integers(1, 20))
    def bulk_update(self, slug, kind, add):
        Meeting.objects.filter(site__slug=slug).update(
            kind=kind, attendees_residents=F("attendees_residents") + add
        )
        Action.objects.filter(site__slug=slug).update(residents_reached=F("residents_reached") + add)

    @rule(
        slug=st.sampled_from(SLUGS),
        rows=st.lists(st.tuples(days, meeting_kinds, counts), min_size=1, max_size=3),
    )
    def bulk_create(self, slug, rows):
        Meeting.objects.bulk_create(
            Meeting(
                site=self.sites[slug],
                date=day,
                kind=kind,
                title=f"Lot {next(serial)}",
                attendees_association=n,
            )
            for day, kind, n in rows
        )

    @rule(slug=st.sampled_from(SLUGS), before=days)
    def bulk_delete(self, slug, before):
        Meeting.objects.filter(site__slug=slug, date__lt=before).delete()

    @rule(data=st.data())
    def model_delete(self, data):
        model = data.draw(st.sampled_from([Meeting, Action, LogbookEntry, IndicatorValue]), label="model")
        pk = self._pick(data, model.objects.filter(site__slug__in=SLUGS))
        if pk is not None:
            model.objects.get(pk=pk).delete()

    @rule(data=st.data())
    def erase_person(self, data):
        pk = self._pick(
            data, FacilitatorAssignment.objects.filter(site__slug__in=SLUGS).exclude(person_name=ERASED_NAME)
        )
        if pk is not None:
            personal_data_erase(name=FacilitatorAssignment.objects.get(pk=pk).person_name)

    # --- What people read, against the records ------------------------------------------------

    @invariant()
    def figures_equal_a_recomputation(self):
        if not hasattr(self, "sites"):
            return
        assert_figures_match_the_records(self.national, self.facilitator)


def _expected_rows(today: datetime.date) -> dict[str, dict]:
    """Each site's table figures counted from the records, in Python (every date drawn is past)."""
    expected = {}
    current = quarter_of(today)
    for site in Site.objects.all():
        meetings = list(Meeting.objects.filter(site=site))
        actions = list(Action.objects.filter(site=site))
        attendance = sum(getattr(m, f) for m in meetings for f in ATTENDANCE_FIELDS.values())
        civil = sum(getattr(m, ATTENDANCE_FIELDS[c]) for m in meetings for c in CIVIL)
        start = quarter_of(site.start_date) if site.start_date else None
        # A quarter is filled by a periodic review covering part of it (LogbookEntry.objects.covering).
        logbook_quarters = {
            quarter
            for e in LogbookEntry.objects.filter(site=site, kind=LogbookEntry.Kind.PERIODIC)
            for quarter in quarters_between(quarter_of(e.period_start), quarter_of(e.period_end))
            if quarter <= current and (start is None or quarter >= start)
        }
        expected[site.name] = {
            "meetings": len(meetings),
            "steering": sum(1 for m in meetings if m.kind == Meeting.Kind.STEERING),
            "actions": len(actions),
            "done": sum(1 for a in actions if a.status == Action.Status.DONE),
            "reached": sum(a.residents_reached for a in actions),
            "logbook": len(logbook_quarters),
            "civil_share": round(civil * 100 / attendance, 1) if attendance else None,
        }
    return expected


def _assert_displayed(response, expected: dict) -> dict:
    """The rows of a page of the site table as drawn (each kept on its own under its site's
    versions), against the figures expected from the records; returns them by site name."""
    shown = {
        row.name: {
            "meetings": row.meetings_count,
            "steering": row.steering,
            "actions": row.actions_count,
            "done": row.actions_done,
            "reached": row.reached,
            "logbook": row.logbook_filled,
            "civil_share": row.civil_share,
        }
        for row in displayed_rows(response).values()
    }
    assert set(shown) <= set(expected)
    for name, figures in shown.items():
        # The page prints the share without decimals; `expected` has one.
        want = expected[name]
        if want["civil_share"] is not None and figures["civil_share"] is not None:
            assert abs(figures["civil_share"] - want["civil_share"]) <= 0.55, name
            figures = {**figures, "civil_share": want["civil_share"]}
        assert figures == want, name
    return shown


def _exported(cells) -> dict:
    def number(value):
        return None if value in (None, "") else float(str(value).replace(",", "."))

    return {
        "meetings": int(cells[4]),
        "steering": int(cells[5]),
        "actions": int(cells[8]),
        "done": int(cells[9]),
        "reached": int(cells[10]),
        "logbook": int(cells[12]),
        "civil_share": number(cells[6]),
    }


@contextmanager
def _recomputed():
    """Every site's pre-aggregates rebuilt from the records, for as long as the block runs."""
    with transaction.atomic():
        for site_id in Site.objects.values_list("pk", flat=True):
            aggregates.refresh_site_stats(site_id=site_id)
        yield
        transaction.set_rollback(True)


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def _served_fragment(client: Client, url_name: str, site: Site, parts: tuple) -> str:
    """The figures a page showed: the fragment it rendered and keeps (`{% figurecache %}`)."""
    page = client.get(reverse(url_name, args=[site.slug]))
    assert page.status_code == 200
    kept = site_served(site.pk, parts)
    assert kept is not None, f"{url_name} kept no figures for {site.slug}"
    assert _squash(kept.value) in _squash(page.content.decode())
    return _squash(kept.value)


def assert_figures_match_the_records(national: Client, facilitator: Client) -> None:
    today = datetime.date.today()
    expected = _expected_rows(today)

    assert set(_assert_displayed(national.get(reverse("dashboards:national")), expected)) == set(expected)
    marseille = Site.objects.select_related("network").get(slug="marseille")
    network_rows = _assert_displayed(
        national.get(reverse("dashboards:network", args=[marseille.network.code])), expected
    )
    assert marseille.name in network_rows

    exported = national.get(reverse("dashboards:national_export", args=["csv"])).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(exported), delimiter=";"))[1:]
    assert {line[0]: _exported(line) for line in lines if line} == expected
    workbook = load_workbook(
        io.BytesIO(national.get(reverse("dashboards:national_export", args=["xlsx"])).content)
    )
    rows = list(workbook.active.iter_rows(values_only=True))[1:]
    assert {r[0]: _exported(r) for r in rows if r[0]} == expected

    served = {}
    for slug in SLUGS:
        site = Site.objects.get(slug=slug)
        served[slug] = (
            _served_fragment(facilitator, "dashboards:site", site, rendered.site_figures_parts()),
            _served_fragment(facilitator, "dashboards:cooperation", site, rendered.cooperation_parts()),
        )
        logbook = facilitator.get(reverse("dashboards:site_export", args=[slug, "carnet", "csv"]))
        # Per quarter, the periodic reviews covering part of it.
        entries = Counter(
            quarter_label(quarter)
            for entry in LogbookEntry.objects.filter(site=site, kind=LogbookEntry.Kind.PERIODIC)
            for quarter in quarters_between(quarter_of(entry.period_start), quarter_of(entry.period_end))
        )
        shown = {
            line[0]: int(line[1])
            for line in list(csv.reader(io.StringIO(logbook.content.decode("utf-8-sig")), delimiter=";"))[1:]
            if line and int(line[1])
        }
        assert shown == {label: n for label, n in entries.items() if n}

    period = range_period(FIRST_DAY, today)
    content = report_content.build_content(target=Target(Scope.NATIONAL), period=period)
    for section in content["sections"]:
        name = section["site"].name
        assert (section["meetings"], section["steering_period"]) == (
            expected[name]["meetings"],
            expected[name]["steering"],
        ), name
        assert section["partners"] == PartnerOrganisation.objects.filter(site=section["site"]).count()
    steering = [expected[name]["steering"] for name in expected]
    assert content["steering"]["in_period"]["max"] == format_number(max(steering), 1)

    with _recomputed():
        for slug in SLUGS:
            site = Site.objects.get(slug=slug)
            assert served[slug] == (
                _squash(rendered.render_site_figures(site)),
                _squash(rendered.render_cooperation_figures(site)),
            )

    assert figure_differences(allow_lag=True) == []


def test_every_write_path_keeps_every_figure_true():
    run_state_machine_as_test(
        FigureWrites,
        settings=settings(
            max_examples=int(os.environ.get("FIGURES_PROPERTY_EXAMPLES", "15")),
            stateful_step_count=5,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
        ),
    )


# --- The mechanism disabled ---------------------------------------------------------------------


def drop_figure_triggers() -> None:
    """Drop every figure trigger (inside the caller's transaction): the refresh mechanism off."""
    with connection.cursor() as cursor:
        for name, table in figure_triggers():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def figure_triggers() -> list[tuple[str, str]]:
    """(trigger, table) of every figure trigger installed in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname, tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE 'figures\\_%%'"
            )
        else:
            cursor.execute(
                "SELECT name, tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'figures\\_%' ESCAPE '\\'"
            )
        return sorted(cursor.fetchall())


def test_the_property_fails_without_the_triggers(marseille):
    """One fixed sequence of the machine with the triggers dropped: the check finds the miss."""
    machine = FigureWrites()
    try:
        machine.start()
        assert_figures_match_the_records(machine.national, machine.facilitator)  # fine so far
        drop_figure_triggers()
        machine.form_meeting_create("marseille", Meeting.Kind.STEERING, datetime.date(2021, 3, 4), 10, 2)
        with pytest.raises(AssertionError):
            assert_figures_match_the_records(machine.national, machine.facilitator)
        differences = figure_differences(allow_lag=True)
        assert any("Marseille" in line or f"site {marseille.pk}," in line for line in differences), (
            differences
        )
    finally:
        machine.teardown()
