"""Review comment threads: a comment on a site, its replies, and its « traité » status.

Every write goes through these functions (views today; a notification layer can hook on them
later), each taking plain data and returning the row it wrote."""

from django.db import transaction
from django.utils import timezone

from sites.models import ReviewComment, ReviewReply, Site


@transaction.atomic
def comment_create(*, site: Site, author, body: str) -> ReviewComment:
    """A new, open review comment on the site's dashboard."""
    return ReviewComment.objects.create(site=site, author=author, body=body)


@transaction.atomic
def comment_reply(*, comment: ReviewComment, user, body: str) -> ReviewReply:
    """A reply added at the end of the comment's thread; the comment's status is left as it is."""
    return ReviewReply.objects.create(comment=comment, author=user, body=body)


@transaction.atomic
def comment_handle(*, comment: ReviewComment, user) -> ReviewComment:
    """Mark the comment handled by `user`, now. Marking a handled comment again keeps who and when
    it was first handled."""
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.handled_at is None:
        comment.handled_at = timezone.now()
        comment.handled_by = user
        comment.save(update_fields=["handled_at", "handled_by"])
    return comment


@transaction.atomic
def comment_reopen(*, comment: ReviewComment, user) -> ReviewComment:
    """Open the comment again (the answer did not settle it): who and when it was handled are cleared.
    `user` is the person reopening, kept in the signature for the notification layer."""
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    if comment.handled_at is not None:
        comment.handled_at = None
        comment.handled_by = None
        comment.save(update_fields=["handled_at", "handled_by"])
    return comment
