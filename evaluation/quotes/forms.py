"""The form of an actor's quote (« paroles d'acteurs »): the words, the speaker's role, and their
name only with their recorded consent (Quote.clean says what to do otherwise)."""

from django import forms

from atc.bounds import BoundedModelForm
from evaluation.models import Quote


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class QuoteForm(BoundedModelForm):
    class Meta:
        model = Quote
        fields = ["text", "speaker_role", "said_on", "speaker_name", "name_consent", "consent_on"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "said_on": DateInput(),
            "consent_on": DateInput(),
        }
