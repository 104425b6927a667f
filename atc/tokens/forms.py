"""The form of a new personal API token: its name and, optionally, the last day it works."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from atc import bounds

# Longest life a token may be given, counted from today.
MAX_LIFETIME = datetime.timedelta(days=366)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=80,
        help_text=_(
            "Pour le reconnaître : l'outil ou le script qui l'utilise, par exemple « Tableur DDETS »."
        ),
    )
    expires_on = bounds.bound_field(
        forms.DateField(
            label=_("Dernier jour de validité (facultatif)"),
            required=False,
            widget=DateInput(),
            help_text=_(
                "Laissez vide pour un jeton sans date de fin ; au plus un an à partir d'aujourd'hui."
            ),
        ),
        "date",
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name or any(ord(char) < 32 for char in name):
            raise forms.ValidationError(_("Donnez au jeton un nom lisible, sans caractère de contrôle."))
        return name

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("Choisissez aujourd'hui ou une date à venir."))
        if day > today + MAX_LIFETIME:
            raise forms.ValidationError(
                _("Un jeton vaut au plus un an : choisissez une date jusqu'au %(day)s.")
                % {"day": date_format(today + MAX_LIFETIME, "SHORT_DATE_FORMAT")}
            )
        return day

    def expires_at(self) -> datetime.datetime | None:
        """The token stops working at the end of the chosen day (local time)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        following = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        return timezone.make_aware(following)
