"""The forms of a review comment thread: the comment itself and a reply."""

from django import forms
from django.utils.translation import gettext_lazy

from sites.models import ReviewComment, ReviewReply


class _ThreadTextForm(forms.ModelForm):
    """A comment or a reply: its text, stripped by the form field, never empty (the model caps it at
    5,000 characters)."""

    empty_message = gettext_lazy("Écrivez votre texte avant de l'enregistrer.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].error_messages["required"] = self.empty_message


class ReviewCommentForm(_ThreadTextForm):
    empty_message = gettext_lazy("Écrivez votre commentaire avant de l'enregistrer.")

    class Meta:
        model = ReviewComment
        fields = ["body"]
        labels = {"body": gettext_lazy("Votre commentaire de suivi")}
        help_texts = {
            "body": gettext_lazy("L'équipe du site le lira sur ce tableau de bord. 5 000 caractères au plus.")
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}


class ReviewReplyForm(_ThreadTextForm):
    empty_message = gettext_lazy("Écrivez votre réponse avant de l'enregistrer.")

    class Meta:
        model = ReviewReply
        fields = ["body"]
        labels = {"body": gettext_lazy("Votre réponse")}
        help_texts = {"body": gettext_lazy("5 000 caractères au plus.")}
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, comment: ReviewComment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if comment is not None:
            # One reply form per thread on the dashboard: ids must stay unique on the page.
            self.prefix = f"reponse-{comment.pk}"
