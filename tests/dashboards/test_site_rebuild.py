"""One site's rebuild (`refresh_site_stats`): what it stores equals what the records give, whatever
the writes before it, while it writes only the quarters that changed and runs a bounded number of
queries (it runs after every meeting written on a busy site)."""

import datetime
import itertools

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.figures import aggregates, attention
from evaluation.models import AttentionSignal, IndicatorValue, LogbookEntry
from pilotage.models import Action, Committee, Meeting
from sites.models import OrganisationCategory, PartnerOrganisation, Site, SiteQuarterStats
from tests.pilotage.factories import ActionFactory, MeetingFactory
from tests.reports.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

serial = itertools.count(1)
# Around today: the rules read the last months (steering, minutes, overdue actions, reporting).
TODAY = datetime.date.today()
days = st.dates(min_value=TODAY - datetime.timedelta(days=900), max_value=TODAY + datetime.timedelta(days=60))
counts = st.integers(min_value=0, max_value=12)
kinds = st.sampled_from(
    [
        Meeting.Kind.STEERING,
        Meeting.Kind.WORKING_GROUP,
        Meeting.Kind.PARTNERS_WORKSHOP,
        Meeting.Kind.PUBLIC_EVENT,
        Meeting.Kind.BILATERAL,
    ]
)
index = st.integers(min_value=0, max_value=30)

WRITES = st.one_of(
    st.tuples(st.just("meeting"), kinds, days, counts, counts, st.booleans()),
    st.tuples(st.just("move_meeting"), index, days),
    st.tuples(st.just("delete_meeting"), index),
    st.tuples(st.just("attendance"), index, counts),
    # An action's end is its start (or today) plus a length in days.
    st.tuples(
        st.just("action"),
        st.sampled_from(list(Action.Status.values)),
        st.none() | days,
        st.none() | st.integers(min_value=0, max_value=400),
    ),
    st.tuples(st.just("delete_action"), index),
    st.tuples(st.just("logbook"), days, st.integers(min_value=0, max_value=200), st.booleans()),
    st.tuples(st.just("indicator"), days),
    st.tuples(st.just("meeting_partner"), index, index),
    st.tuples(st.just("action_partner"), index, index),
    st.tuples(st.just("start_date"), st.none() | days),
    st.tuples(st.just("rebuild")),
)


def _nth(queryset, n):
    rows = list(queryset.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def _write(site: Site, write: tuple, group: Committee) -> None:
    what, *args = write
    if what == "meeting":
        kind, day, residents, state, validated = args
        MeetingFactory(
            site=site,
            kind=kind,
            date=day,
            attendees_residents=residents,
            attendees_state=state,
            attendees_association=0,
            committee=group if kind == Meeting.Kind.WORKING_GROUP else None,
            minutes_status=Meeting.MinutesStatus.VALIDATED if validated else Meeting.MinutesStatus.DRAFT,
        )
    elif what == "move_meeting" and (meeting := _nth(Meeting.objects.filter(site=site), args[0])):
        Meeting.objects.filter(pk=meeting.pk).update(date=args[1])
    elif what == "delete_meeting" and (meeting := _nth(Meeting.objects.filter(site=site), args[0])):
        meeting.delete()
    elif what == "attendance" and (meeting := _nth(Meeting.objects.filter(site=site), args[0])):
        Meeting.objects.filter(pk=meeting.pk).update(attendees_association=args[1])
    elif what == "action":
        status, start, length = args
        end = (
            None
            if length is None
            else (start or TODAY - datetime.timedelta(days=200)) + datetime.timedelta(days=length)
        )
        ActionFactory(site=site, status=status, start_date=start, end_date=end)
    elif what == "delete_action" and (action := _nth(Action.objects.filter(site=site), args[0])):
        action.delete()
    elif what == "logbook":
        day, length, periodic = args
        LogbookEntry.objects.create(
            site=site,
            kind=LogbookEntry.Kind.PERIODIC if periodic else LogbookEntry.Kind.EVENT,
            period_start=day,
            period_end=day + datetime.timedelta(days=length),
            happened="Bilan",
        )
    elif what == "indicator":
        IndicatorValue.objects.create(
            indicator=IndicatorFactory(),
            site=site,
            period_start=args[0],
            period_end=args[0] + datetime.timedelta(days=90),
            value=1,
        )
    elif what == "meeting_partner" and (meeting := _nth(Meeting.objects.filter(site=site), args[0])):
        meeting.organisations.add(_nth(PartnerOrganisation.objects.filter(site=site), args[1]))
    elif what == "action_partner" and (action := _nth(Action.objects.filter(site=site), args[0])):
        action.partners.add(_nth(PartnerOrganisation.objects.filter(site=site), args[1]))
    elif what == "start_date":
        Site.objects.filter(pk=site.pk).update(start_date=args[0])


def assert_stored_equals_the_records(site: Site) -> None:
    columns = aggregates.STORED_COLUMNS
    stored = {
        row[0]: row for row in SiteQuarterStats.objects.filter(site=site).order_by().values_list(*columns)
    }
    computed = {
        row.quarter: tuple(getattr(row, column) for column in columns)
        for row in aggregates.compute_site_rows(site.pk)
    }
    assert stored == computed
    open_signals = {signal.rule: signal.reason for signal in AttentionSignal.objects.open().filter(site=site)}
    assert open_signals == attention.evaluate(site_ids=[site.pk])[site.pk]
    assert aggregates.stale_site_ids([site.pk]) == []


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writes=st.lists(WRITES, min_size=1, max_size=12))
def test_a_rebuild_after_any_writes_stores_the_rows_and_signals_the_records_give(marseille, writes):
    with transaction.atomic():
        aggregates.refresh_site_stats(site_id=marseille.pk)
        for n in range(4):
            PartnerOrganisation.objects.create(
                site=marseille, name=f"Partenaire {next(serial)}", category=list(OrganisationCategory)[n]
            )
        group = Committee.objects.create(
            site=marseille, kind=Committee.Kind.WORKING_GROUP, name=f"Groupe {next(serial)}"
        )
        for write in writes:
            if write[0] == "rebuild":
                aggregates.refresh_site_stats(site_id=marseille.pk)
                assert_stored_equals_the_records(marseille)
            else:
                _write(marseille, write, group)
        aggregates.refresh_site_stats(site_id=marseille.pk, only_if_stale=True)
        assert_stored_equals_the_records(marseille)
        transaction.set_rollback(True)


def _stats_writes(queries) -> list[str]:
    """The statements of `queries` that wrote pre-aggregates."""
    return [
        q["sql"].split()[0]
        for q in queries
        if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"} and "sites_sitequarterstats" in q["sql"]
    ]


def test_a_meeting_saved_updates_its_quarter_only(marseille):
    MeetingFactory(site=marseille, date=datetime.date(2022, 2, 1))
    aggregates.refresh_site_stats(site_id=marseille.pk)

    MeetingFactory(site=marseille, date=datetime.date(2023, 5, 10), attendees_residents=9)
    with CaptureQueriesContext(connection) as queries:
        aggregates.refresh_site_stats(site_id=marseille.pk)

    assert _stats_writes(queries) == ["UPDATE"]
    spring = SiteQuarterStats.objects.get(site=marseille, quarter=datetime.date(2023, 4, 1))
    assert (spring.meetings, spring.attendees_residents) == (1, 9)
    assert_stored_equals_the_records(marseille)
    with CaptureQueriesContext(connection) as queries:
        aggregates.refresh_site_stats(site_id=marseille.pk)
    assert _stats_writes(queries) == []  # nothing changed, nothing written


def test_a_start_date_moved_later_rewrites_the_quarters_before_it(marseille):
    aggregates.refresh_site_stats(site_id=marseille.pk)
    Site.objects.filter(pk=marseille.pk).update(start_date=TODAY)
    with CaptureQueriesContext(connection) as queries:
        aggregates.refresh_site_stats(site_id=marseille.pk)
    assert _stats_writes(queries) == ["DELETE", "INSERT"]  # many rows: two statements
    assert not SiteQuarterStats.objects.get(site=marseille, quarter=datetime.date(2021, 1, 1)).in_experiment
    assert_stored_equals_the_records(marseille)


def test_a_rebuild_after_a_meeting_runs_a_bounded_number_of_queries(marseille, django_assert_max_num_queries):
    """Inside the test's transaction: savepoints for the rebuild and the signals count too."""
    for day in (datetime.date(2022, 3, 1), datetime.date(2023, 3, 1), TODAY):
        MeetingFactory(site=marseille, date=day)
    ActionFactory(site=marseille)
    aggregates.refresh_site_stats(site_id=marseille.pk)
    MeetingFactory(site=marseille, kind=Meeting.Kind.PARTNERS_WORKSHOP, date=TODAY)
    with django_assert_max_num_queries(27):
        aggregates.refresh_site_stats(site_id=marseille.pk)
    with django_assert_max_num_queries(26):  # nothing changed: no row written
        aggregates.refresh_site_stats(site_id=marseille.pk)
    assert_stored_equals_the_records(marseille)


def test_the_rules_kept_per_process_read_the_sites_again_each_time(marseille):
    """The rules' querysets are built once per process; the rows they read are read every time,
    all sites at once (the daily sweep) as well as one."""
    Meeting.objects.filter(site=marseille, kind=Meeting.Kind.STEERING).delete()
    Site.objects.filter(pk=marseille.pk).update(start_date=datetime.date(2021, 2, 3))
    assert "03/02/2021" in attention.evaluate()[marseille.pk]["no_steering"]
    Site.objects.filter(pk=marseille.pk).update(start_date=datetime.date(2021, 4, 5))
    assert "05/04/2021" in attention.evaluate()[marseille.pk]["no_steering"]
    assert "05/04/2021" in attention.evaluate(site_ids=[marseille.pk])[marseille.pk]["no_steering"]
