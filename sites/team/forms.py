"""Forms of the team pages: a person's arrival, a change of their FTE, their departure."""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from atc.models import Role, User
from sites.models import FacilitatorAssignment


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


class ArrivalForm(BoundedModelForm):
    """A person who begins to facilitate the site (or to support or share the function)."""

    class Meta:
        model = FacilitatorAssignment
        fields = ["person_name", "user", "position", "fte", "contract_type", "start_date"]
        labels = {"start_date": _("Date d'arrivée"), "user": _("Compte sur la plateforme")}
        widgets = {"start_date": DateInput(), "fte": forms.NumberInput(attrs={"step": "0.05"})}
        help_texts = {
            "person_name": _("Prénom et nom, par exemple « Leïla Benali »."),
            "user": _("Facultatif : le compte de la personne, si elle en a un sur ce site."),
            "position": _(
                "« Fonction partagée » : la fonction d'animation est répartie entre plusieurs "
                "professionnel·les."
            ),
            "fte": _("Entre 0,1 et 2,0 ETP, par exemple 0,5 pour un mi-temps."),
        }
        error_messages = {
            "person_name": {"required": _("Indiquez le nom de la personne.")},
            "fte": {"required": _("Indiquez le temps dédié, par exemple 1 ou 0,5.")},
            "start_date": {"required": _("Indiquez la date d'arrivée, par exemple 01/09/2026.")},
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        # The accounts of the site's team: a facilitator's or a host director's account.
        accounts = Role.objects.current().filter(
            kind__in=[Role.Kind.FACILITATOR, Role.Kind.HOST_DIRECTOR], sites=site
        )
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, id__in=accounts.values("user_id")
        ).order_by("last_name", "first_name", "email")
        self.fields["user"].empty_label = _("Aucun compte")

    def clean_person_name(self):
        name = " ".join(self.cleaned_data["person_name"].split())
        if not name:
            raise forms.ValidationError(_("Indiquez le nom de la personne."))
        return name


class FteChangeForm(forms.Form):
    """A new FTE for a person in post, from a given day."""

    fte = forms.DecimalField(
        label=_("Nouveau temps dédié (ETP)"),
        max_digits=3,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
        help_text=_("Entre 0,1 et 2,0 ETP."),
        error_messages={"required": _("Indiquez le nouveau temps dédié, par exemple 0,8.")},
    )
    since = forms.DateField(
        label=_("À compter du"),
        widget=DateInput(),
        error_messages={"required": _("Indiquez la date du changement, par exemple 01/01/2027.")},
    )

    def __init__(self, *args, assignment: FacilitatorAssignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        bounds.bound_field(self.fields["fte"], "fte")
        bounds.bound_field(self.fields["since"], "date")

    def clean_fte(self):
        fte = self.cleaned_data["fte"]
        if fte == self.assignment.fte:
            raise forms.ValidationError(_("C'est déjà le temps dédié de la personne : indiquez le nouveau."))
        return fte

    def clean_since(self):
        since = self.cleaned_data["since"]
        a = self.assignment
        if since < a.start_date:
            raise forms.ValidationError(
                _("La personne est arrivée le %(day)s : indiquez une date à partir de celle-ci.")
                % {"day": _day(a.start_date)}
            )
        if a.end_date is not None and since > a.end_date:
            raise forms.ValidationError(
                _("La personne est partie le %(day)s : indiquez une date jusqu'à celle-ci.")
                % {"day": _day(a.end_date)}
            )
        return since


class DepartureForm(forms.Form):
    """A person's last day, why they left and what they handed over."""

    end_date = forms.DateField(
        label=_("Dernier jour"),
        widget=DateInput(),
        error_messages={"required": _("Indiquez le dernier jour de la personne, par exemple 30/06/2027.")},
    )
    reason = forms.ChoiceField(
        label=_("Motif du départ"),
        choices=[("", "---------"), *FacilitatorAssignment.DepartureReason.choices],
        error_messages={"required": _("Choisissez le motif du départ (« Autre » si aucun ne convient).")},
    )
    details = forms.CharField(
        label=_("Précisions sur le départ"),
        max_length=300,
        required=False,
        help_text=_("Facultatif, 300 caractères au plus."),
    )
    handover_note = forms.CharField(
        label=_("Note de passation"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce que la personne transmet : contacts, dossiers en cours, prochaines échéances."),
    )

    def __init__(self, *args, assignment: FacilitatorAssignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        bounds.bound_field(self.fields["end_date"], "date")

    def clean_end_date(self):
        end = self.cleaned_data["end_date"]
        if end < self.assignment.start_date:
            raise forms.ValidationError(
                _(
                    "Le départ ne peut pas précéder l'arrivée (le %(day)s) : indiquez un dernier jour "
                    "à partir de cette date."
                )
                % {"day": _day(self.assignment.start_date)}
            )
        return end

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason") == FacilitatorAssignment.DepartureReason.OTHER
            and not cleaned.get("details", "").strip()
        ):
            self.add_error("details", _("Précisez le motif du départ, puisque vous avez choisi « Autre »."))
        return cleaned
