"""Review comment threads: a comment on a site, its replies, and its « traité » status.

Every write goes through these functions, each taking plain data and returning the row it wrote;
a new comment tells the site team, a reply the thread's earlier participants (atc.notifications)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.models import User
from atc.notifications import kinds
from atc.notifications.services import notify
from atc.permissions import readable_sites, site_team
from sites.models import ReviewComment, ReviewReply, Site

EXCERPT_CHARS = 300


def _thread_path(comment: ReviewComment) -> str:
    return reverse("dashboards:site", args=[comment.site.slug]) + f"#commentaire-{comment.pk}"


def _excerpt(body: str) -> str:
    return body if len(body) <= EXCERPT_CHARS else body[: EXCERPT_CHARS - 1].rstrip() + "…"


@transaction.atomic
def comment_create(*, site: Site, author, body: str) -> ReviewComment:
    """A new, open review comment on the site's dashboard; the site team is notified."""
    comment = ReviewComment.objects.create(site=site, author=author, body=body)
    notify(
        kinds.COMMENT,
        recipients=site_team(site).exclude(pk=author.pk),
        title=_("Nouveau commentaire de %(author)s sur %(site)s") % {"author": author, "site": site.name},
        body=_excerpt(body),
        url=_thread_path(comment),
        dedupe_key=f"comment:{comment.pk}",
        site=site,
    )
    return comment


@transaction.atomic
def comment_reply(*, comment: ReviewComment, user, body: str) -> ReviewReply:
    """A reply added at the end of the comment's thread; the comment's status is left as it is.
    The comment's author and the earlier repliers are notified, never the writer."""
    reply = ReviewReply.objects.create(comment=comment, author=user, body=body)
    participants = {comment.author_id} | set(
        comment.replies.exclude(pk=reply.pk).values_list("author_id", flat=True)
    )
    participants.discard(user.pk)
    participants.discard(None)
    # Someone who no longer reads the site (a role ended) is not told what is said on it.
    readers = [
        person
        for person in User.objects.filter(pk__in=sorted(participants))
        if readable_sites(person, Site.objects.filter(pk=comment.site_id)).exists()
    ]
    notify(
        kinds.COMMENT_REPLY,
        recipients=readers,
        title=_("%(author)s a répondu au commentaire sur %(site)s")
        % {"author": user, "site": comment.site.name},
        body=_excerpt(body),
        url=_thread_path(comment),
        dedupe_key=f"comment-reply:{reply.pk}",
        site=comment.site,
    )
    return reply


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
