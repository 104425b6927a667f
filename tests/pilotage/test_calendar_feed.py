"""Calendar subscription: a personal secret address that calendar apps read without a session, the
meetings at their site's local time (read with a real iCalendar parser), and revocation."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from atc.account_services import role_end
from atc.personal_data import personal_data_erase, personal_data_export
from pilotage.calendars import services
from pilotage.models import Action, ActionStatusChange, CalendarFeed
from sites.models import Site
from tests.pilotage.factories import ActionFactory, MeetingFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
SOON = datetime.date.today() + datetime.timedelta(days=10)


def feed_path(key: str) -> str:
    return reverse("calendars:feed", args=[key])


def subscribe(client, user) -> str:
    """Create the address through the page, as a person does, and read it off the page."""
    client.force_login(user)
    page = client.post(reverse("calendars:subscription")).content.decode()
    prefix = f'value="{django_settings.SITE_URL}'
    start = page.index(prefix + "/agenda/") + len(prefix)
    path = page[start : page.index('"', start)]
    client.logout()
    return path


def events(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def fort_de_france(db):
    site = Site.objects.get(slug="fort-de-france")
    assert site.time_zone == "America/Martinique"  # given by the migration, from département 972
    return site


def test_a_calendar_app_reads_the_feed_without_a_session_at_each_sites_local_time(
    client, settings, national_team, marseille, fort_de_france
):
    settings.SITE_URL = "https://atc.example.org"
    MeetingFactory(
        site=fort_de_france, title="COPIL Fort-de-France", date=SOON, start_time=datetime.time(18, 0)
    )
    MeetingFactory(
        site=marseille,
        title="COPIL Marseille",
        date=SOON,
        start_time=datetime.time(18, 0),
        duration_minutes=60,
    )
    client.force_login(national_team)
    page = client.post(reverse("calendars:subscription")).content.decode()
    assert 'value="https://atc.example.org/agenda/' in page
    assert 'href="webcal://atc.example.org/agenda/' in page
    key = page.split('value="https://atc.example.org/agenda/')[1].split(".ics")[0]
    client.logout()

    response = client.get(feed_path(key))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response.content)
    martinique = found["COPIL Fort-de-France"]["DTSTART"].dt
    assert martinique.tzinfo is not None
    # 18:00 in Martinique (UTC-4, no summer time) is 22:00 UTC, whatever the season.
    assert martinique.astimezone(UTC).time() == datetime.time(22, 0)
    assert martinique.astimezone(zoneinfo.ZoneInfo("America/Martinique")).time() == datetime.time(18, 0)
    paris = found["COPIL Marseille"]["DTSTART"].dt
    assert paris.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).time() == datetime.time(18, 0)
    assert found["COPIL Marseille"]["DTEND"].dt - paris == datetime.timedelta(hours=1)
    # Event ids are on the configured public address, never the request's host.
    assert all(str(event["UID"]).endswith("@atc.example.org") for event in found.values())


def test_the_calendars_own_zone_descriptions_give_the_right_offsets(fort_de_france, marseille):
    """Apps that do not know the zone by name read the VTIMEZONE we write: check its offsets."""
    MeetingFactory(site=fort_de_france, title="A", date=SOON, start_time=datetime.time(9, 0))
    MeetingFactory(site=marseille, title="B", date=SOON, start_time=datetime.time(9, 0))
    from pilotage.ical import meetings_calendar
    from pilotage.models import Meeting

    body = meetings_calendar(Meeting.objects.select_related("site"), name="x", domain="atc.example.org")
    calendar = icalendar.Calendar.from_ical(body)
    zones = {str(tz["TZID"]): tz.to_tz() for tz in calendar.walk("VTIMEZONE")}
    assert set(zones) == {"America/Martinique", "Europe/Paris"}
    for day in (
        datetime.datetime(2025, 1, 15, 12),
        datetime.datetime(2025, 7, 15, 12),
        datetime.datetime(2026, 3, 29, 12),
    ):
        for name, described in zones.items():
            real = zoneinfo.ZoneInfo(name)
            assert day.replace(tzinfo=described).utcoffset() == day.replace(tzinfo=real).utcoffset(), (
                name,
                day,
            )


def test_the_feed_lists_only_the_sites_the_person_may_read_now(client, prefet_delegate, tourcoing, grenoble):
    MeetingFactory(site=tourcoing, title="Réunion de Tourcoing", date=SOON)
    MeetingFactory(site=grenoble, title="Réunion de Grenoble", date=SOON)
    MeetingFactory(site=tourcoing, title="Réunion d'il y a un an", date=SOON - datetime.timedelta(days=375))
    path = subscribe(client, prefet_delegate)
    assert set(events(client.get(path).content)) == {"Réunion de Tourcoing"}
    for role in prefet_delegate.roles.all():
        role_end(role=role)
    assert events(client.get(path).content) == {}


def test_a_new_address_closes_the_old_one_and_revoking_closes_both(client, facilitator):
    first = subscribe(client, facilitator)
    assert client.get(first).status_code == 200
    second = subscribe(client, facilitator)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    client.force_login(facilitator)
    response = client.post(reverse("calendars:revoke"), follow=True)
    assert "ne répond plus" in response.content.decode()
    client.logout()
    assert client.get(second).status_code == 404


@pytest.mark.parametrize("key", ["x", "a" * 43, "../../etc/passwd", "%00", "é" * 200, "<script>"])
def test_an_unknown_or_hostile_key_answers_404(client, facilitator, key):
    services.feed_create(user=facilitator)
    assert client.get(f"/agenda/{key}.ics").status_code == 404


def test_only_the_keys_hash_is_stored_and_the_key_has_256_bits(facilitator):
    key = services.feed_create(user=facilitator)
    feed = CalendarFeed.objects.get(user=facilitator)
    assert key not in feed.key_hash and len(feed.key_hash) == 64
    assert len(key) >= 43  # 32 random bytes in URL-safe base64


def test_a_read_records_its_time_once_an_hour_at_most(facilitator):
    key = services.feed_create(user=facilitator)
    now = datetime.datetime(2026, 5, 1, 10, tzinfo=UTC)
    services.feed_for_key(key, now=now)
    services.feed_for_key(key, now=now + datetime.timedelta(minutes=30))
    assert CalendarFeed.objects.get().last_used_at == now
    services.feed_for_key(key, now=now + datetime.timedelta(hours=2))
    assert CalendarFeed.objects.get().last_used_at == now + datetime.timedelta(hours=2)


def test_erasing_a_person_closes_their_feed_and_the_export_lists_it(client, facilitator):
    path = subscribe(client, facilitator)
    assert len(personal_data_export(user=facilitator)["calendar_feed"]) == 1
    personal_data_erase(user=facilitator)
    assert not CalendarFeed.objects.exists()
    assert client.get(path).status_code == 404


def test_markup_in_a_meeting_title_stays_text_in_the_feed(client, facilitator, marseille):
    MeetingFactory(site=marseille, title="<b>COPIL</b>; ordre, du jour", date=SOON)
    path = subscribe(client, facilitator)
    assert "<b>COPIL</b>; ordre, du jour" in events(client.get(path).content)


def test_the_feed_reads_a_constant_number_of_queries(
    client, facilitator, marseille, django_assert_max_num_queries
):
    path = subscribe(client, facilitator)
    MeetingFactory.create_batch(3, site=marseille, date=SOON)
    with django_assert_max_num_queries(8) as few:
        client.get(path)
    MeetingFactory.create_batch(30, site=marseille, date=SOON)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(path)


@pytest.mark.parametrize(
    ("slug", "shown"), [("fort-de-france", "10/01/2026 08:00"), ("marseille", "10/01/2026 13:00")]
)
def test_a_site_page_shows_times_in_the_sites_zone(client, national_team, slug, shown):
    """A status change at 12:00 UTC reads 08:00 on a Martinique site's page, 13:00 in Marseille,
    and the next page without a site is back in Paris time."""
    site = Site.objects.get(slug=slug)
    action = ActionFactory(site=site)
    ActionStatusChange.objects.create(
        action=action,
        to_status=Action.Status.RUNNING,
        changed_at=datetime.datetime(2026, 1, 10, 12, tzinfo=UTC),
    )
    client.force_login(national_team)
    page = client.get(reverse("pilotage:action_detail", args=[site.slug, action.pk])).content.decode()
    assert shown in page
    services.feed_create(user=national_team)
    CalendarFeed.objects.update(created_at=datetime.datetime(2026, 1, 10, 23, 30, tzinfo=UTC))
    # 23:30 UTC is already the 11th in Paris: the zone did not stick to the worker thread.
    assert "active depuis le 11/01/2026" in client.get(reverse("calendars:subscription")).content.decode()
