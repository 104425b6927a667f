"""Forms of the indicators: their definition (national team) and the values a site enters."""

from decimal import Decimal

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from evaluation.indicators.rules import rule_choices
from evaluation.models import Indicator


class IndicatorForm(BoundedModelForm):
    computation = forms.ChoiceField(
        label=_("Règle de calcul"),
        required=False,
        help_text=_("Pour un indicateur calculé : la règle qui le tire des données de la plateforme."),
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "code",
            "definition",
            "unit",
            "source",
            "computation",
            "periodicity",
            "decimal_places",
            "default_objective",
            "is_active",
        ]
        help_texts = {
            "code": _("Identifiant court, en minuscules et tirets (ex. habitants-mobilises)."),
            "default_objective": _("Objectif par site et par période ; vide s'il n'y en a pas."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computation"].choices = [("", _("— aucune (indicateur saisi) —")), *rule_choices()]

    def clean(self):
        cleaned = super().clean()
        source, rule = cleaned.get("source"), cleaned.get("computation")
        if source == Indicator.Source.COMPUTED and not rule:
            self.add_error("computation", _("Choisissez la règle de calcul de cet indicateur."))
        if source == Indicator.Source.ENTERED:
            cleaned["computation"] = ""
        return cleaned


class IndicatorValuesForm(forms.Form):
    """One field per entered indicator for a site and a period; blank means not entered."""

    def __init__(self, *args, indicators, values, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            current = values.get(indicator.pk)
            places = indicator.decimal_places
            self.fields[f"value_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name} ({indicator.unit})",
                # Escaped here too: Django's own form templates print help texts with |safe, and a
                # definition is stored text (crispy's template is overridden to escape it as well).
                help_text=escape(indicator.definition),
                required=False,
                localize=True,
                min_value=Decimal("0"),
                max_value=bounds.RANGES["indicator"].high,
                max_digits=10 + places,
                decimal_places=places,
                # Shown with the indicator's own places: « 74 » people, never « 74,00 ».
                initial=round(current.value, places) if current else None,
                error_messages={
                    "invalid": _("Saisissez un nombre (virgule pour les décimales), ou laissez vide.")
                    if places
                    else _("Saisissez un nombre entier, ou laissez vide."),
                    "max_decimal_places": _("Ce nombre est entier : pas de décimales.")
                    if not places
                    else _("Au plus %(places)s chiffre(s) après la virgule.") % {"places": places},
                    "min_value": _("La valeur ne peut pas être négative."),
                    "max_value": bounds.RANGES["indicator"].message,
                },
            )

    def entered(self) -> dict[int, Decimal | None]:
        """{indicator id: value or None (cleared)}."""
        return {i.pk: self.cleaned_data.get(f"value_{i.pk}") for i in self.indicators}
