from django import forms
from django.utils.translation import gettext_lazy as _

from atc.notifications.kinds import KINDS, Frequency


class PreferencesForm(forms.Form):
    """One choice of frequency per kind of notification."""

    def __init__(self, *args, initial_frequencies: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for code, kind in KINDS.items():
            self.fields[code] = forms.ChoiceField(
                label=kind.label,
                choices=Frequency.choices,
                initial=initial_frequencies[code],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choisissez une fréquence pour ce type de notification.")},
            )


class InboxFilterForm(forms.Form):
    """The inbox's filter and order, read from the query string (bad values fall back)."""

    etat = forms.ChoiceField(
        label=_("Afficher"),
        choices=[("toutes", _("Toutes")), ("non-lues", _("Non lues seulement"))],
        required=False,
    )
    tri = forms.ChoiceField(
        label=_("Ordre"),
        choices=[("non-lues", _("Non lues d’abord")), ("date", _("Par date"))],
        required=False,
    )
