"""The statistics service: pre-aggregates stay right when the data changes, figures are correct."""

import datetime

from atc import periods
from evaluation.figures import cache as figure_cache
from evaluation.figures import site as site_figures
from pilotage.models import Meeting
from sites.models import SiteQuarterStats
from tests.dashboards.factories import ActionFactory, MeetingFactory, PartnerOrganisationFactory

D = datetime.date


def test_quarter_helpers():
    assert periods.quarter_of(D(2021, 5, 17)) == D(2021, 4, 1)
    assert periods.quarter_label(D(2021, 4, 1)) == "T2 2021"
    assert periods.quarter_param(D(2021, 10, 1)) == "2021-T4"
    assert periods.parse_quarter("2021-T4") == D(2021, 10, 1)
    assert periods.parse_quarter("2021-Q1") == D(2021, 1, 1)
    assert periods.quarters_between(D(2020, 11, 3), D(2021, 4, 2)) == [
        D(2020, 10, 1),
        D(2021, 1, 1),
        D(2021, 4, 1),
    ]


def test_a_saved_meeting_refreshes_its_quarter_on_commit(marseille, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        MeetingFactory(site=marseille, steering=True, date=D(2021, 2, 3), attendees_residents=5)
        MeetingFactory(site=marseille, date=D(2021, 2, 10))
    row = SiteQuarterStats.objects.get(site=marseille, quarter=D(2021, 1, 1))
    assert (row.meetings, row.steering_meetings, row.attendees_residents) == (2, 1, 11)
    assert row.steering_attendance["residents"] == 5


def test_moving_and_deleting_a_meeting_moves_the_figures(marseille, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory(site=marseille, date=D(2021, 2, 3))
    with django_capture_on_commit_callbacks(execute=True):
        meeting.date = D(2021, 5, 3)
        meeting.save()
    by_quarter = dict(SiteQuarterStats.objects.filter(site=marseille).values_list("quarter", "meetings"))
    assert by_quarter.get(D(2021, 1, 1), 0) == 0
    assert by_quarter[D(2021, 4, 1)] == 1
    with django_capture_on_commit_callbacks(execute=True):
        Meeting.objects.filter(pk=meeting.pk).delete()
    assert not SiteQuarterStats.objects.filter(site=marseille, meetings__gt=0).exists()


def test_partner_pairs_count_co_participation(marseille, django_capture_on_commit_callbacks):
    state = PartnerOrganisationFactory(site=marseille, state=True)
    city = PartnerOrganisationFactory(site=marseille, local_authority=True)
    association = PartnerOrganisationFactory(site=marseille)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = MeetingFactory(site=marseille, date=D(2021, 2, 3))
        meeting.organisations.set([state, city, association])
        ActionFactory(site=marseille, start_date=D(2021, 3, 1), partners=[association, city])
    row = SiteQuarterStats.objects.get(site=marseille, quarter=D(2021, 1, 1))
    assert (row.partners, row.partner_pairs, row.cross_category_pairs) == (3, 3, 3)
    coop = site_figures.cooperation(site=marseille)
    weights = {frozenset((a.name, b.name)): n for a, b, n in coop.pairs}
    assert weights[frozenset((city.name, association.name))] == 2
    assert weights[frozenset((state.name, city.name))] == 1


def test_overview_figures_lag_a_change_by_at_most_the_declared_delay(monkeypatch):
    """Distributions and quarterly totals over every site are served from the cache for up to
    OVERVIEW_LAG_SECONDS after a change, then computed again; without a change, until the next."""
    computed = []

    def compute():
        computed.append(len(computed) + 1)
        return computed[-1]

    now = [1_000_000.0]
    monkeypatch.setattr(figure_cache.time, "time", lambda: now[0])
    lag = figure_cache.OVERVIEW_LAG_SECONDS
    parts = ("overview-test",)
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 1
    now[0] += 10 * lag
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 1  # nothing changed: still valid
    figure_cache.bump_stats_version()  # a change long after the computation: computed again at once
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 2
    now[0] += 10
    figure_cache.bump_stats_version()  # a change soon after it: served as it was…
    now[0] += lag - 11
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 2
    now[0] += 2  # …until the delay has passed since the computation, so at most `lag` seconds late
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 3
    assert figure_cache.cached(parts, compute) == 4  # without a delay, exact to the last change
