from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.search.services import KINDS, MAX_QUERY_LENGTH, clean_query


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        # Checked by clean_q, not by the browser: a pasted longer text gets the message below.
        strip=True,
        help_text=_("Un ou plusieurs mots ; les accents et les majuscules ne comptent pas."),
    )
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("Tous les types"))] + [(kind.key, kind.label) for kind in KINDS],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)

    def clean_q(self) -> str:
        raw = self.cleaned_data["q"]
        if len(raw) > MAX_QUERY_LENGTH:
            raise forms.ValidationError(
                _("La recherche est limitée à %(max)s caractères : raccourcissez-la."),
                params={"max": MAX_QUERY_LENGTH},
            )
        return clean_query(raw)
