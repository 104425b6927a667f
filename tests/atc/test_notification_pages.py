"""The notification pages: the inbox (unread first, filter, mark read one or all, the link to the
object), the header's unread count, the preferences form, and the unsubscribe page reached from an
e-mail without signing in."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from atc.models import Notification
from atc.notifications import kinds
from atc.notifications.services import unsubscribe_token
from tests.atc.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _at(minutes_ago):
    return timezone.now() - dt.timedelta(minutes=minutes_ago)


@pytest.fixture
def inbox(facilitator, marseille):
    return {
        "old_unread": NotificationFactory(
            recipient=facilitator, title="Ancienne non lue", created_at=_at(60), site=marseille
        ),
        "recent_read": NotificationFactory(
            recipient=facilitator, title="Récente lue", created_at=_at(1), read=True
        ),
        "recent_unread": NotificationFactory(
            recipient=facilitator, title="Récente non lue", created_at=_at(5), url="/sites/marseille/"
        ),
    }


def _titles(response):
    text = response.content.decode()
    found = [
        (text.index(title), title)
        for title in ("Ancienne non lue", "Récente lue", "Récente non lue")
        if title in text
    ]
    return [title for _i, title in sorted(found)]


def test_the_inbox_shows_unread_first_then_by_date(client, facilitator, inbox):
    client.force_login(facilitator)
    response = client.get(reverse("notifications:inbox"))
    assert _titles(response) == ["Récente non lue", "Ancienne non lue", "Récente lue"]
    by_date = client.get(reverse("notifications:inbox"), {"tri": "date"})
    assert _titles(by_date) == ["Récente lue", "Récente non lue", "Ancienne non lue"]
    unread = client.get(reverse("notifications:inbox"), {"etat": "non-lues"})
    assert _titles(unread) == ["Récente non lue", "Ancienne non lue"]
    assert "2 notifications non lues" in unread.content.decode()


def test_bad_filter_values_fall_back_without_an_error(client, facilitator, inbox):
    client.force_login(facilitator)
    response = client.get(reverse("notifications:inbox"), {"etat": "<b>x</b>", "tri": "\x00", "page": "9999"})
    assert response.status_code == 200
    assert "Récente non lue" in response.content.decode()


def test_the_header_counts_the_unread_notifications(client, facilitator, inbox):
    client.force_login(facilitator)
    page = client.get(reverse("home")).content.decode()
    assert '<span class="badge">2<span class="visually-hidden"> non lues</span></span>' in page


def test_opening_a_notification_marks_it_read_and_leads_to_its_object(client, facilitator, inbox):
    client.force_login(facilitator)
    response = client.get(reverse("notifications:open", args=[inbox["recent_unread"].pk]))
    assert response.status_code == 302 and response["Location"] == "/sites/marseille/"
    inbox["recent_unread"].refresh_from_db()
    assert inbox["recent_unread"].read_at is not None
    page = client.get(reverse("home")).content.decode()
    assert '<span class="badge">1<span class="visually-hidden">' in page


def test_marking_one_read_then_all_read(client, facilitator, inbox):
    client.force_login(facilitator)
    response = client.post(
        reverse("notifications:mark_read", args=[inbox["old_unread"].pk]), {"next": "//evil.example/"}
    )
    assert response["Location"] == reverse("notifications:inbox")
    assert Notification.objects.filter(recipient=facilitator).unread().count() == 1
    response = client.post(reverse("notifications:mark_all_read"), follow=True)
    assert "1 notification marquée comme lue." in response.content.decode()
    assert not Notification.objects.filter(recipient=facilitator).unread().exists()
    assert '<span class="visually-hidden"> non lues' not in client.get(reverse("home")).content.decode()


def test_someone_elses_notification_is_not_found(client, host_director, inbox):
    client.force_login(host_director)
    assert client.get(reverse("notifications:open", args=[inbox["old_unread"].pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[inbox["old_unread"].pk])).status_code == 404
    client.post(reverse("notifications:mark_all_read"))
    assert Notification.objects.filter(recipient__email="facilitator@example.org").unread().count() == 2
    assert "Ancienne non lue" not in client.get(reverse("notifications:inbox")).content.decode()


def test_markup_in_a_notification_is_shown_as_text(client, facilitator):
    planted = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    NotificationFactory(recipient=facilitator, title=planted, body=planted + "\nligne 2")
    client.force_login(facilitator)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_inbox_queries_do_not_grow_with_the_notifications(
    client, facilitator, marseille, django_assert_max_num_queries
):
    client.force_login(facilitator)
    NotificationFactory.create_batch(3, recipient=facilitator, site=marseille)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("notifications:inbox"))
    NotificationFactory.create_batch(40, recipient=facilitator, site=marseille)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("notifications:inbox"))
    assert "Page 1 sur 2" in page.content.decode()


def test_the_preferences_are_one_choice_per_kind(client, facilitator):
    client.force_login(facilitator)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "« Appui souhaité » dans un carnet de bord de mon réseau" in page
    assert "Résumé quotidien" in page and "vers 7 h" in page
    data = dict.fromkeys(kinds.KINDS, "immediate") | {kinds.SIGNAL: "weekly", kinds.COMMENT: "never"}
    response = client.post(reverse("notifications:preferences"), data, follow=True)
    assert "Vos préférences de notification sont enregistrées." in response.content.decode()
    assert (
        dict(facilitator.notification_preferences.values_list("kind", "frequency"))[kinds.SIGNAL] == "weekly"
    )


def test_a_bad_preference_is_refused_in_french_and_nothing_is_saved(client, facilitator):
    client.force_login(facilitator)
    data = dict.fromkeys(kinds.KINDS, "immediate") | {kinds.SIGNAL: "hourly"}
    data.pop(kinds.COMMENT)
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Choisissez une fréquence pour ce type de notification." in text
    assert "Sélectionnez un choix valide" in text
    assert not facilitator.notification_preferences.exists()


def test_the_unsubscribe_page_asks_then_unsubscribes_without_signing_in(client):
    person = UserFactory()
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(user=person, kinds=[kinds.COMMENT])])
    page = client.get(url)
    assert page.status_code == 200
    assert "Commentaire de suivi sur un de mes sites" in page.content.decode()
    assert "Confirmer le désabonnement" in page.content.decode()
    assert not person.notification_preferences.exists()
    done = client.post(url)
    assert "C’est fait" in done.content.decode()
    assert dict(person.notification_preferences.values_list("kind", "frequency")) == {"comment": "never"}


def test_an_altered_unsubscribe_link_answers_a_french_page(client):
    person = UserFactory()
    token = unsubscribe_token(user=person, kinds=[kinds.COMMENT])
    response = client.post(reverse("notifications:unsubscribe", args=[token.replace(":", ":x", 1)]))
    assert response.status_code == 400
    assert "n’est pas valide" in response.content.decode()
    assert not person.notification_preferences.exists()
    huge = client.get(reverse("notifications:unsubscribe", args=["A" * 5000]))
    assert huge.status_code == 400


def test_a_notification_about_a_site_no_longer_read_leaves_the_inbox(
    client, facilitator, grenoble, marseille
):
    NotificationFactory(recipient=facilitator, site=grenoble, title="Sur Grenoble", dedupe_key="g")
    kept = NotificationFactory(recipient=facilitator, site=marseille, title="Sur Marseille", dedupe_key="m")
    client.force_login(facilitator)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Sur Marseille" in page and "Sur Grenoble" not in page
    assert '<span class="badge">1<span class="visually-hidden">' in page
    facilitator.roles.update(end_date=timezone.localdate())
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "Sur Marseille" not in page and "non lues" not in page
    assert client.get(reverse("notifications:open", args=[kept.pk])).status_code == 404
