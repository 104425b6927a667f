import datetime
from decimal import Decimal

import pytest

from evaluation.figures.aggregates import rebuild_all_stats
from pilotage.models import Meeting
from sites.models import Site
from tests.evaluation.factories import LogbookEntryFactory
from tests.pilotage.factories import MeetingFactory
from tests.reports.factories import SurveyFactory, SurveyRecipientFactory
from tests.sites.factories import FacilitatorAssignmentFactory

D = datetime.date


@pytest.fixture
def evaluation_data(db):
    """Q3 2020 as the interim evaluation read it, in small: 15 facilitated sites (0,4 to 1,2 ETP,
    mean 0,8; six recruited in Q4 2019), a flash survey with 17 answers out of 30 (57 %), steering
    meetings, and a logbook entry whose text tries to inject markup."""
    sites = {site.slug: site for site in Site.objects.filter(slug__in=["marseille", "grenoble", "tourcoing"])}
    fte = {"marseille": "0.4", "tourcoing": "1.2"}
    for index, site in enumerate(Site.objects.order_by("name")):
        start = D(2019, 10, 7) if index < 6 else D(2020, 2, 3)
        FacilitatorAssignmentFactory(site=site, fte=Decimal(fte.get(site.slug, "0.8")), start_date=start)
    survey = SurveyFactory(title="Questionnaire flash aux acteurs institutionnels")
    recipients = list(Site.objects.order_by("name")[:14])
    for index in range(30):
        answered = index < 10 or 14 <= index < 21  # 17 answers from 10 territories
        SurveyRecipientFactory(survey=survey, site=recipients[index % 14], answered=answered)
    for day in (D(2020, 7, 9), D(2020, 9, 17)):
        MeetingFactory(site=sites["marseille"], steering=True, date=day)
    MeetingFactory(site=sites["grenoble"], kind=Meeting.Kind.RESIDENTS_WORKSHOP, date=D(2020, 8, 27))
    LogbookEntryFactory(
        site=sites["marseille"],
        period_start=D(2020, 7, 1),
        period_end=D(2020, 9, 30),
        happened="<script>alert('piège')</script> Stock alimentaire partagé lancé avec 6 associations.",
    )
    # The dashboards' pre-aggregates, as the commit hooks would have refreshed them.
    rebuild_all_stats()
    return sites


class _Broker:
    """Points the Celery app at another broker URL, for real (no mock), and back."""

    def __init__(self, app):
        self.app = app
        self.saved = (app.conf.broker_url, app.conf.task_always_eager)

    def _reset_pools(self):
        from kombu import pools

        # Connections and producers are pooled per broker URL: start from empty pools.
        pools.reset()
        if self.app._pool is not None:
            self.app._pool.force_close_all()
            self.app._pool = None
        self.app.amqp._producer_pool = None

    def point_to(self, url: str) -> None:
        self._reset_pools()
        self.app.conf.broker_url = url
        self.app.conf.task_always_eager = False

    def restore(self) -> None:
        self._reset_pools()
        self.app.conf.broker_url, self.app.conf.task_always_eager = self.saved


@pytest.fixture
def unreachable_broker():
    """A Redis URL nobody listens on: publishing fails the way it does when the broker is down."""
    from atc.celery import app

    broker = _Broker(app)
    broker.point_to("redis://127.0.0.1:1/0")
    yield broker
    broker.restore()
