"""Forms of the shared diagnostic: findings and a territory reading (all items at once)."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from atc.concurrency import VersionedFormMixin
from diagnostics.models import Assessment, Diagnostic, Finding


class FindingForm(VersionedFormMixin, BoundedModelForm):
    class Meta:
        model = Finding
        fields = ["theme", "title", "description", "source", "date", "diagnostic"]
        labels = {"title": _("Constat (une phrase)")}
        help_texts = {
            "title": _("Par exemple : « Les associations se connaissent mais travaillent seules »."),
            "source": _("D'où vient ce constat : atelier, questionnaire, entretien…"),
            "diagnostic": _("Facultatif : la version du diagnostic partagé qui l'a retenu."),
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "theme": {"required": _("Choisissez la thématique du constat.")},
            "title": {"required": _("Écrivez le constat en une phrase.")},
            "source": {"required": _("Indiquez d'où vient le constat.")},
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diagnostic"].queryset = Diagnostic.objects.filter(site=site)
        self.fields["diagnostic"].required = False
        self.helper = FormHelper()
        self.helper.render_hidden_fields = True
        self.helper.add_input(Submit("submit", _("Enregistrer le constat")))

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        return date


def score_field_name(item) -> str:
    return f"item_{item.pk}"


class AssessmentEntryForm(forms.Form):
    """One respondent kind's reading of every item on one date; blank items have no reading."""

    date = bounds.bound_field(
        forms.DateField(
            label=_("Date de la lecture"),
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            error_messages={
                "required": _("Indiquez la date de la lecture."),
                "invalid": _("Saisissez une date valide (JJ/MM/AAAA)."),
            },
        ),
        "date",
    )
    respondent_kind = forms.ChoiceField(
        label=_("Qui évalue"),
        choices=Assessment.RespondentKind.choices,
        error_messages={"required": _("Choisissez qui a donné ces notes.")},
    )
    respondents = forms.IntegerField(
        label=_("Nombre de répondant·es"),
        min_value=1,
        max_value=bounds.MAX_COUNT,
        initial=1,
        help_text=_("Les notes sont la moyenne de leurs réponses."),
        error_messages={
            "required": _("Indiquez combien de personnes ont répondu (au moins 1)."),
            "min_value": _("Il faut au moins un·e répondant·e."),
            "max_value": bounds.RANGES["count"].message,
        },
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[score_field_name(item)] = forms.DecimalField(
                label=item.label,
                required=False,
                min_value=Decimal("1"),
                max_value=Decimal("10"),
                max_digits=3,
                decimal_places=1,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 4}),
                error_messages={
                    "invalid": _("Saisissez une note entre 1 et 10, par exemple 6,5."),
                    "min_value": _("La note doit être au moins 1."),
                    "max_value": _("La note ne peut pas dépasser 10."),
                    "max_decimal_places": _("Une seule décimale, par exemple 6,5."),
                    "max_digits": _("Saisissez une note entre 1 et 10, par exemple 6,5."),
                },
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Lecture"),
                Div("date", "respondent_kind", "respondents", css_class="grid-fields"),
            ),
            Fieldset(
                _("Notes de 1 (très faible) à 10 (très fort), une décimale"),
                Div(*(score_field_name(i) for i in self.items), css_class="grid-fields"),
            ),
        )
        self.helper.add_input(Submit("submit", _("Enregistrer la lecture")))

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        return date

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(score_field_name(i)) for i in self.items):
            raise forms.ValidationError(_("Saisissez au moins une note (de 1 à 10)."))
        return cleaned

    def scores(self) -> dict:
        """Item → score (None for an item left blank)."""
        return {item: self.cleaned_data.get(score_field_name(item)) for item in self.items}
