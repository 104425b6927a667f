"""Review comment threads, through their services: replies, « traité » with who and when, reopening."""

import pytest

from sites.comments.services import comment_create, comment_handle, comment_reopen, comment_reply
from sites.models import ReviewComment, SiteDataVersion

pytestmark = pytest.mark.django_db


def test_a_reply_joins_the_thread_in_order_and_leaves_it_open(tourcoing, prefet_delegate, national_team):
    comment = comment_create(site=tourcoing, author=prefet_delegate, body="Le comité a-t-il eu lieu ?")
    comment_reply(comment=comment, user=national_team, body="Oui, le 12 mars.")
    comment_reply(comment=comment, user=prefet_delegate, body="Merci, compte rendu attendu.")
    assert [r.body for r in comment.replies.all()] == ["Oui, le 12 mars.", "Merci, compte rendu attendu."]
    assert ReviewComment.objects.open().filter(pk=comment.pk).exists()


def test_handling_records_who_and_when_once_and_reopening_clears_it(
    tourcoing, prefet_delegate, national_team
):
    comment = comment_create(site=tourcoing, author=prefet_delegate, body="Quel calendrier ?")
    handled = comment_handle(comment=comment, user=national_team)
    assert handled.handled_by == national_team and handled.handled_at is not None
    again = comment_handle(comment=comment, user=prefet_delegate)
    assert again.handled_by == national_team and again.handled_at == handled.handled_at
    assert not ReviewComment.objects.open().exists()

    reopened = comment_reopen(comment=comment, user=prefet_delegate)
    assert reopened.is_open and reopened.handled_by is None
    assert ReviewComment.objects.open().get() == comment


def test_open_threads_come_first(tourcoing, prefet_delegate, national_team):
    older_open = comment_create(site=tourcoing, author=prefet_delegate, body="Ancien, ouvert")
    handled = comment_create(site=tourcoing, author=prefet_delegate, body="Traité")
    newer_open = comment_create(site=tourcoing, author=prefet_delegate, body="Récent, ouvert")
    comment_handle(comment=handled, user=national_team)
    assert list(ReviewComment.objects.filter(site=tourcoing).open_first()) == [
        newer_open,
        older_open,
        handled,
    ]


def test_a_reply_or_a_status_change_marks_the_sites_data_changed(tourcoing, prefet_delegate, national_team):
    """The figure triggers see the thread's writes (whatever the write path)."""
    comment = comment_create(site=tourcoing, author=prefet_delegate, body="Point d'étape")

    def version():
        return SiteDataVersion.objects.get(site=tourcoing).version

    before = version()
    comment_reply(comment=comment, user=national_team, body="Vu.")
    after_reply = version()
    comment_handle(comment=comment, user=national_team)
    assert before < after_reply < version()
