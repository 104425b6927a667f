"""The statistics service: pre-aggregates stay right when the data changes, figures are correct."""

import datetime

from atc import periods
from evaluation.figures import cache as figure_cache
from evaluation.figures import site as site_figures
from pilotage.models import Meeting
from sites.models import SiteDataVersion
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


def _quarters(site) -> dict:
    """The site's pre-aggregated quarters as the dashboard reads them (rebuilt first when stale)."""
    return {q.quarter: q for q in site_figures.site_dashboard(site=site).quarters}


def test_a_saved_meeting_reaches_its_quarter_at_the_next_read(marseille):
    MeetingFactory(site=marseille, steering=True, date=D(2021, 2, 3), attendees_residents=5)
    MeetingFactory(site=marseille, date=D(2021, 2, 10))
    assert SiteDataVersion.objects.get(site=marseille).aggregated_version < marseille.data_version.version
    row = _quarters(marseille)[D(2021, 1, 1)]
    assert (row.meetings, row.steering_meetings, row.attendees_residents) == (2, 1, 11)
    assert row.steering_attendance["residents"] == 5
    version = SiteDataVersion.objects.get(site=marseille)
    assert version.aggregated_version == version.version


def test_moving_and_deleting_a_meeting_moves_the_figures(marseille):
    meeting = MeetingFactory(site=marseille, date=D(2021, 2, 3))
    assert _quarters(marseille)[D(2021, 1, 1)].meetings == 1
    Meeting.objects.filter(pk=meeting.pk).update(date=D(2021, 5, 3))  # no signal: the trigger sees it
    quarters = _quarters(marseille)
    assert (quarters[D(2021, 1, 1)].meetings, quarters[D(2021, 4, 1)].meetings) == (0, 1)
    Meeting.objects.filter(pk=meeting.pk).delete()
    assert not any(q.meetings for q in _quarters(marseille).values())


def test_partner_pairs_count_co_participation(marseille):
    state = PartnerOrganisationFactory(site=marseille, state=True)
    city = PartnerOrganisationFactory(site=marseille, local_authority=True)
    association = PartnerOrganisationFactory(site=marseille)
    meeting = MeetingFactory(site=marseille, date=D(2021, 2, 3))
    meeting.organisations.set([state, city, association])
    ActionFactory(site=marseille, start_date=D(2021, 3, 1), partners=[association, city])
    row = _quarters(marseille)[D(2021, 1, 1)]
    assert (row.partners, row.partner_pairs, row.cross_category_pairs) == (3, 3, 3)
    coop = site_figures.cooperation(site=marseille)
    weights = {frozenset((a.name, b.name)): n for a, b, n in coop.pairs}
    assert weights[frozenset((city.name, association.name))] == 2
    assert weights[frozenset((state.name, city.name))] == 1


def test_overview_figures_lag_a_change_by_at_most_the_declared_delay(monkeypatch, marseille):
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
    MeetingFactory(site=marseille)  # a change long after the computation: computed again at once
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 2
    now[0] += 10
    MeetingFactory(site=marseille)  # a change soon after it: served as it was…
    now[0] += lag - 11
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 2
    now[0] += 2  # …until the delay has passed since the computation, so at most `lag` seconds late
    assert figure_cache.cached(parts, compute, lag_seconds=lag) == 3
    assert figure_cache.cached(parts, compute) == 4  # without a delay, exact to the last change
