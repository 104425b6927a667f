"""Derived figures cannot go stale by omission: database triggers mark a site's figures stale on
every write, whatever the path (form, CSV import, queryset.update, raw SQL), and the
next read — or the beat sweep — rebuilds them. `check_figures` recomputes everything.

Disabling the mechanism (dropping the triggers, as `test_without_the_triggers_check_figures_
finds_the_missed_write` does) makes these tests fail: the import test's dashboard shows 0."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from atc.periods import parse_period
from evaluation.figures import aggregates
from evaluation.figures.check import figure_differences
from evaluation.reports.content import build_content
from evaluation.reports.scopes import parse_scope
from pilotage.imports import services as imports
from pilotage.models import Meeting
from sites.models import Site, SiteQuarterStats
from tests.dashboards.displayed import displayed_rows
from tests.pilotage.factories import CommitteeFactory, MeetingFactory
from tests.pilotage.test_meetings import meeting_data

pytestmark = pytest.mark.django_db

HEADER = [
    "date",
    "type",
    "intitulé",
    "format",
    "instance",
    "ordre du jour",
    "état du compte rendu",
    "compte rendu",
]


def _five_steering_meetings() -> bytes:
    rows = [HEADER] + [
        [
            f"0{n}/03/2021",
            "Instance de pilotage",
            f"COPIL n° {n}",
            "Hybride",
            "copil frais vallon",
            "",
            "",
            "",
        ]
        for n in range(1, 6)
    ]
    return ("\r\n".join(";".join(r) for r in rows) + "\r\n").encode("utf-8-sig")


def _table_row(response, slug):
    return displayed_rows(response)[slug]


def test_imported_meetings_are_counted_everywhere_without_any_other_save(
    client, facilitator, national_team, marseille
):
    CommitteeFactory(site=marseille, name="COPIL Frais Vallon")
    report = imports.import_file(
        site=marseille, kind=imports.KINDS["reunions"], data=_five_steering_meetings(), user=facilitator
    )
    assert report.ok and Meeting.objects.filter(site=marseille).count() == 5

    client.force_login(national_team)
    national = client.get(reverse("dashboards:national"))
    row = _table_row(national, "marseille")
    assert (row.meetings_count, row.steering) == (5, 5)
    network = client.get(reverse("dashboards:network", args=[marseille.network.code]))
    assert _table_row(network, "marseille").steering == 5

    exported = client.get(reverse("dashboards:national_export", args=["csv"])).content.decode("utf-8-sig")
    line = next(r for r in csv.reader(io.StringIO(exported), delimiter=";") if r and r[0] == marseille.name)
    assert line[4:6] == ["5", "5"]
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("dashboards:national_export", args=["xlsx"])).content)
    )
    cells = next(r for r in workbook.active.iter_rows(values_only=True) if r[0] == marseille.name)
    assert cells[4:6] == (5, 5)
    # The overview charts drawn before the 10 other sites were rebuilt may lag by design (a minute).
    assert figure_differences(allow_lag=True) == []
    lagging = figure_differences()
    assert lagging and all("décalage documenté" in line for line in lagging)


def test_a_failing_refresh_never_fails_the_save_and_the_figures_catch_up(
    client, facilitator, national_team, marseille, monkeypatch
):
    def broken(site_id):
        raise RuntimeError("rebuild down")

    aggregates.refresh_all_stale()  # the 15 sites start stale (their first read builds them)
    monkeypatch.setattr(aggregates, "compute_site_rows", broken)
    client.force_login(facilitator)
    response = client.post(
        reverse("pilotage:meeting_create", args=["marseille"]),
        meeting_data(kind="partners_workshop", **{"decisions-0-text": "", "decisions-1-text": ""}),
    )
    assert response.status_code == 302
    assert Meeting.objects.filter(site=marseille).count() == 1
    client.force_login(national_team)
    dashboard = client.get(reverse("dashboards:site", args=["marseille"]))
    assert dashboard.status_code == 200  # figures of the last good rebuild, not a 500
    assert aggregates.stale_site_ids([marseille.pk]) == [marseille.pk]  # still stale: retried later

    monkeypatch.undo()
    assert aggregates.refresh_all_stale() == 1  # the beat sweep's retry
    national = client.get(reverse("dashboards:national"))
    assert _table_row(national, "marseille").meetings_count == 1
    assert figure_differences() == []


def test_every_write_path_marks_the_site_stale(marseille):
    aggregates.refresh_all_stale()
    meeting = MeetingFactory(site=marseille)
    aggregates.refresh_all_stale()
    for write in (
        lambda: Meeting.objects.filter(pk=meeting.pk).update(attendees_residents=40),
        lambda: meeting.organisations.add(*[]) or meeting.decisions.create(text="Décision"),
        lambda: connection.cursor().execute(
            "UPDATE pilotage_meeting SET title = 'SQL' WHERE id = %s", [meeting.pk]
        ),
        lambda: Meeting.objects.filter(pk=meeting.pk).delete(),
    ):
        write()
        assert aggregates.stale_site_ids() == [marseille.pk]
        aggregates.refresh_all_stale()
        assert figure_differences() == []


def test_a_reader_queued_behind_a_rebuild_does_not_rebuild_the_same_data_again(marseille, monkeypatch):
    """Readers that found a site stale together queue on its version row; the first rebuilds and
    the next ones, finding it fresh, leave the rows as they are. A rebuild asked for by name (the
    `refresh_stats` command) still rebuilds."""
    MeetingFactory(site=marseille)
    computed = []
    real = aggregates.compute_site_rows
    monkeypatch.setattr(
        aggregates, "compute_site_rows", lambda site_id: computed.append(site_id) or real(site_id)
    )
    assert aggregates.refresh_quietly(marseille.pk)
    assert computed == [marseille.pk]
    assert aggregates.refresh_quietly(marseille.pk)  # the second reader of the same change
    assert computed == [marseille.pk]
    assert aggregates.stale_site_ids([marseille.pk]) == []
    assert aggregates.refresh_site_stats(site_id=marseille.pk) > 0
    assert computed == [marseille.pk, marseille.pk]
    MeetingFactory(site=marseille)  # a new write: the next reader rebuilds
    assert aggregates.refresh_quietly(marseille.pk)
    assert computed == [marseille.pk] * 3
    assert figure_differences() == []


def test_without_the_triggers_check_figures_finds_the_missed_write(marseille, django_db_blocker):
    """The mechanism disabled: a queryset.update no longer reaches the figures, and the check says so."""
    MeetingFactory(site=marseille)
    aggregates.refresh_all_stale()
    trigger_names = [f"figures_pilotage_meeting_{suffix}" for suffix in ("ins", "upd", "del")]
    _drop(trigger_names)
    MeetingFactory(site=marseille)
    assert figure_differences() != []


def _drop(names):
    with connection.cursor() as cursor:
        for name in names:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON pilotage_meeting")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def test_check_figures_exits_1_and_lists_a_corrupted_figure(marseille):
    MeetingFactory(site=marseille)
    aggregates.refresh_all_stale()
    call_command("check_figures", stdout=StringIO())
    SiteQuarterStats.objects.filter(site=marseille, meetings=1).update(meetings=7)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_status:
        call_command("check_figures", stdout=out, stderr=StringIO())
    assert exit_status.value.code == 1
    assert "meetings: stocké 7, recalculé 1" in out.getvalue()


def test_meetings_imported_on_more_sites_than_a_page_rebuilds_reach_exports_and_the_national_report(
    client, national_team
):
    """A page rebuilds a few stale sites and says the others are on their way; a file and a report
    carry no notice, so they wait for every site (the seam the import's bulk inserts crossed)."""
    sites = list(Site.objects.order_by("name")[: aggregates.SYNC_REFRESH_LIMIT + 3])
    for site in sites:
        CommitteeFactory(site=site, name="COPIL Frais Vallon")
        report = imports.import_file(
            site=site, kind=imports.KINDS["reunions"], data=_five_steering_meetings(), user=national_team
        )
        assert report.ok
    assert len(aggregates.stale_site_ids()) >= len(sites)

    client.force_login(national_team)
    exported = client.get(reverse("dashboards:national_export", args=["csv"])).content.decode("utf-8-sig")
    lines = {r[0]: r for r in csv.reader(io.StringIO(exported), delimiter=";") if r}
    assert [lines[site.name][4:6] for site in sites] == [["5", "5"]] * len(sites)

    content = build_content(target=parse_scope("national"), period=parse_period("T1 2021"))
    assert content["steering"]["in_period_sum"] == 5 * len(sites)
    assert figure_differences() == []
