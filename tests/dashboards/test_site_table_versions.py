"""A page of the site table sorted by a site column is kept under the versions of the sites it
shows: a write on a site it does not show leaves it served from the cache (not computed, the
written site not rebuilt for it), a write on a site it shows is on the next read, and what the
cache serves equals the page rendered on an empty cache either way."""

import datetime
import re

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from evaluation.attention.services import thresholds_update
from evaluation.figures import aggregates, multisite
from evaluation.figures.attention import signals_refresh
from pilotage.models import Meeting
from sites.models import Site
from tests.dashboards.factories import MeetingFactory
from tests.dashboards.test_cached_pages import _meetings_cell, _page
from tests.fragments import empty_cache

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(monkeypatch):
    """The pages of the site table computed (not served from the cache) while the test runs."""
    tables = []
    compute = multisite._site_table

    def counting(*args, **kwargs):
        table = compute(*args, **kwargs)
        tables.append(table)
        return table

    monkeypatch.setattr(multisite, "_site_table", counting)
    return tables


def _attention_cell(page: str, name: str) -> int:
    body = page[page.index('<table class="site-table">') :]
    row = next(r for r in body.split("<tr>")[1:] if f">{name}</a></th>" in r)
    return int(re.sub(r"<[^>]+>|\D", "", re.findall(r"<td[^>]*>(.*?)</td>", row)[0].split("<span")[0]))


def _table(page: str) -> str:
    """The site table's section (the distributions and charts below it may lag by a minute)."""
    start = page.index('<section aria-labelledby="sites-title">')
    return page[start : page.index("</section>", start)]


def _fresh(client, url) -> str:
    empty_cache()
    return _page(client, url)


def _write(how: str, site) -> None:
    if how == "new meeting":
        MeetingFactory(site=site, title="Réunion de quartier")
    else:  # a queryset update: no signal, only the database triggers
        Meeting.objects.filter(pk=Meeting.objects.filter(site=site).order_by("pk")[:1]).update(
            date=F("date") - datetime.timedelta(days=1)
        )


@pytest.mark.parametrize("how", ["new meeting", "bulk update"])
@pytest.mark.parametrize(
    ("reader", "url"),
    [
        ("prefet_delegate", reverse("dashboards:my_sites")),
        ("national_team", reverse("dashboards:national") + "?region=Hauts-de-France"),
    ],
)
def test_a_write_on_a_site_the_page_does_not_show_leaves_the_page_kept(
    client, request, marseille, computed, reader, url, how
):
    MeetingFactory(site=marseille, title="Première réunion")
    aggregates.refresh_all_stale()
    client.force_login(request.getfixturevalue(reader))
    kept = _page(client, url)
    assert "Marseille" not in kept
    computed.clear()

    _write(how, marseille)
    assert _page(client, url) == kept
    assert computed == []
    # Its reader did not rebuild Marseille either: a page showing Marseille will.
    assert marseille.pk in aggregates.stale_site_ids()
    assert _fresh(client, url) == kept


@pytest.mark.parametrize("how", ["new meeting", "bulk update"])
def test_a_write_on_a_site_the_page_shows_is_on_the_next_read(client, national_team, marseille, how):
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    url = reverse("dashboards:national")
    MeetingFactory(site=marseille, title="Première réunion", date=datetime.date(2021, 3, 4))
    before = _page(client, url)
    _write(how, marseille)
    after = _page(client, url)
    if how == "new meeting":
        assert int(_meetings_cell(after, marseille.name)) == int(_meetings_cell(before, marseille.name)) + 1
    assert marseille.pk not in aggregates.stale_site_ids()  # rebuilt by the page that shows it
    assert _table(_fresh(client, url)) == _table(after)


def test_a_page_sorted_by_a_figure_follows_a_write_on_any_site(client, national_team, marseille, tourcoing):
    """Sorted by meetings, a write on Marseille may move Tourcoing's row: such a page is kept under
    every site's data."""
    aggregates.refresh_all_stale()
    client.force_login(national_team)
    url = reverse("dashboards:national") + "?tri=-reunions&region=Hauts-de-France"
    _page(client, url)
    Site.objects.filter(pk=marseille.pk).update(region="Hauts-de-France")
    for day in range(1, 60):
        MeetingFactory(site=marseille, date=datetime.date(2021, 3, 1) + datetime.timedelta(days=day % 28))
    page = _page(client, url)
    assert page.index("Marseille") < page.index("Tourcoing")
    assert _table(_fresh(client, url)) == _table(page)


def test_a_signal_raised_on_a_site_the_page_shows_is_on_the_next_read(
    client, prefet_delegate, national_team, tourcoing
):
    """Signals change without a write on the site (new thresholds, the beat's refresh): their
    counter keys the page too."""
    Site.objects.filter(pk=tourcoing.pk).update(start_date=datetime.date(2020, 1, 6))
    Meeting.objects.filter(site=tourcoing, kind=Meeting.Kind.STEERING).delete()
    MeetingFactory(
        site=tourcoing, kind=Meeting.Kind.STEERING, date=timezone.localdate() - datetime.timedelta(days=120)
    )
    aggregates.refresh_all_stale()
    client.force_login(prefet_delegate)
    url = reverse("dashboards:my_sites")
    before = _attention_cell(_page(client, url), tourcoing.name)
    thresholds_update(values={("no_steering", "months"): 3}, user=national_team)
    signals_refresh()  # what the task queued after new thresholds does, touching no site's data
    after = _page(client, url)
    assert _attention_cell(after, tourcoing.name) == before + 1
    assert _fresh(client, url) == after


def test_the_notice_counts_the_stale_sites_the_page_shows_and_leaves_to_the_worker(
    client, prefet_delegate, marseille, monkeypatch
):
    monkeypatch.setattr(multisite, "SYNC_REFRESH_LIMIT", 1)
    aggregates.refresh_all_stale()
    nord = list(Site.objects.filter(slug__in=["tourcoing", "grande-synthe", "roubaix"]))
    for site in [*nord, marseille]:
        MeetingFactory(site=site, title="Réunion de quartier")
    client.force_login(prefet_delegate)
    url = reverse("dashboards:my_sites")
    # Three of the page's sites are stale: the table rebuilds one and leaves the others to the
    # worker (here the distributions below it rebuild them); Marseille, not on the page, is
    # neither counted nor rebuilt.
    assert "Les chiffres de 2 sites sont en cours de mise à jour" in _page(client, url)
    assert aggregates.stale_site_ids() == [marseille.pk]
    assert "en cours de mise à jour" not in _page(client, url)
    aggregates.refresh_all_stale()
    page = _page(client, url)
    assert "en cours de mise à jour" not in page
    assert _fresh(client, url) == page
