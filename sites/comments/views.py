"""Review comment threads: replying, marking « traité », reopening, and a person's own comments.

The thread itself is shown on the site's dashboard (evaluation.dashboards); these views write
through `sites.comments.services` and return there."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from atc.permissions import can_handle_comment, can_reply_to_comment, get_object_for_site, log_refusal
from sites.access import get_site_for_user
from sites.comments import services
from sites.comments.forms import ReviewReplyForm
from sites.models import ReviewComment, ReviewReply


@dataclass
class Thread:
    """A comment as a page shows it: with its replies, and what the reader may do with it."""

    comment: ReviewComment
    may_reply: bool
    may_handle: bool

    @property
    def reply_form(self) -> ReviewReplyForm:
        return ReviewReplyForm(comment=self.comment)


def thread_comments(comments):
    """Comments with what their threads show (author, replies, who handled them), open first."""
    replies = ReviewReply.objects.select_related("author")
    return (
        comments.open_first()
        .select_related("author", "handled_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
    )


def threads_for(user, comments) -> list[Thread]:
    """The threads of already fetched comments (each with its `site`), with the reader's rights."""
    return [
        Thread(
            comment=comment,
            may_reply=can_reply_to_comment(user, comment.site),
            may_handle=can_handle_comment(user, comment),
        )
        for comment in comments
    ]


def _comment_for(request, slug, pk):
    site = get_site_for_user(request, slug)
    return get_object_for_site(request, ReviewComment.objects.select_related("site"), site, pk)


def _back_to_thread(comment):
    return redirect(reverse("dashboards:site", args=[comment.site.slug]) + f"#commentaire-{comment.pk}")


@require_POST
def comment_reply(request, slug, pk):
    """Answer a review comment from the site's dashboard; a refused text comes back on its own page."""
    comment = _comment_for(request, slug, pk)
    if not can_reply_to_comment(request.user, comment.site):
        log_refusal(request, "cannot_reply_comment", comment.pk)
        raise PermissionDenied(
            _("Seul·es l'équipe du site, ses délégué·es du préfet et l'équipe nationale peuvent répondre.")
        )
    form = ReviewReplyForm(request.POST, comment=comment)
    if not form.is_valid():
        return render(request, "sites/comments/reply.html", {"comment": comment, "form": form})
    services.comment_reply(comment=comment, user=request.user, body=form.cleaned_data["body"])
    messages.success(request, _("Votre réponse est enregistrée."))
    return _back_to_thread(comment)


def _require_handler(request, comment):
    if not can_handle_comment(request.user, comment):
        log_refusal(request, "cannot_handle_comment", comment.pk)
        raise PermissionDenied(
            _(
                "Seul·es l'équipe du site, l'auteur·rice du commentaire et l'équipe nationale "
                "peuvent changer son statut."
            )
        )


@require_POST
def comment_handle(request, slug, pk):
    """Mark a review comment « traité » (who and when are recorded)."""
    comment = _comment_for(request, slug, pk)
    _require_handler(request, comment)
    services.comment_handle(comment=comment, user=request.user)
    messages.success(request, _("Le commentaire est marqué comme traité."))
    return _back_to_thread(comment)


@require_POST
def comment_reopen(request, slug, pk):
    """Open a handled review comment again."""
    comment = _comment_for(request, slug, pk)
    _require_handler(request, comment)
    services.comment_reopen(comment=comment, user=request.user)
    messages.success(request, _("Le commentaire est rouvert."))
    return _back_to_thread(comment)


def my_comments(request):
    """The signed-in person's review comments on the sites they read, open ones first."""
    comments = thread_comments(ReviewComment.objects.written_by(request.user)).select_related("site")
    threads = threads_for(request.user, comments)
    context = {
        "open_threads": [t for t in threads if t.comment.is_open],
        "handled_threads": [t for t in threads if not t.comment.is_open],
    }
    return render(request, "sites/comments/mine.html", context)
