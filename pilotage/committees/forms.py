"""Forms of a site's committees: the committee itself, a seat, the end of a seat."""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from pilotage.forms import DateInput
from pilotage.models import Committee, CommitteeMember
from sites.models import OrganisationCategory, PartnerOrganisation

# The categories whose members are residents: a name only with the person's consent.
RESIDENT_CATEGORIES = {OrganisationCategory.RESIDENTS, OrganisationCategory.CITIZENS_COUNCIL}


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


class CommitteeForm(BoundedModelForm):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(k.value, k.label) for k in Committee.Kind if k != Committee.Kind.NATIONAL],
        help_text=_("L'instance de pilotage du site, un groupe de travail ou une équipe projet."),
    )

    class Meta:
        model = Committee
        fields = ["kind", "name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": _("Par exemple « Comité de pilotage ATC Frais Vallon » ou « Groupe jeunesse »."),
            "is_active": _(
                "Décochez quand l'instance ne se réunit plus (ses sièges restent dans l'historique)."
            ),
        }
        error_messages = {"name": {"required": _("Donnez un nom à l'instance.")}}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Donnez un nom à l'instance."))
        clash = Committee.objects.filter(site=self.instance.site, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Une instance s'appelle déjà « %(name)s » sur ce site : choisissez un autre nom.")
                % {"name": name}
            )
        return name


class SeatForm(BoundedModelForm):
    """A seat: an organisation picked among the site's partners or typed, its category, the person
    who holds it (a resident's name only with their consent), their function and dates."""

    new_organisation = forms.CharField(
        label=_("… ou nouvelle organisation"),
        max_length=200,
        required=False,
        help_text=_("Si elle n'est pas dans la liste : son nom. Elle sera ajoutée aux partenaires du site."),
    )

    class Meta:
        model = CommitteeMember
        fields = [
            "organisation",
            "new_organisation",
            "category",
            "person_name",
            "name_consent",
            "title",
            "start_date",
            "end_date",
        ]
        labels = {"organisation": _("Organisation partenaire")}
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        help_texts = {
            "category": _("Vide : la catégorie de l'organisation choisie."),
            "title": _("Par exemple « Directrice » ou « Chargé de mission politique de la ville »."),
            "start_date": _("Facultatif."),
            "end_date": _("Vide tant que le siège est occupé."),
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["organisation"].queryset = PartnerOrganisation.objects.filter(site=site).order_by("name")
        self.fields["organisation"].required = False
        self.fields["category"].required = False

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        typed = " ".join(cleaned.get("new_organisation", "").split())
        cleaned["new_organisation"] = typed
        if organisation and typed:
            self.add_error(
                "new_organisation",
                _("Choisissez l'organisation dans la liste ou tapez son nom, pas les deux."),
            )
        elif not organisation and not typed and "organisation" not in self.errors:
            self.add_error(
                "organisation", _("Choisissez l'organisation dans la liste ou tapez son nom en dessous.")
            )
        if typed and not organisation:
            existing = PartnerOrganisation.objects.filter(site=self.site, name__iexact=typed).first()
            if existing is not None:
                cleaned["organisation"], cleaned["new_organisation"] = existing, ""
                organisation = existing
        if not cleaned.get("category"):
            if organisation:
                cleaned["category"] = organisation.category
            elif "category" not in self.errors:
                self.add_error("category", _("Choisissez la catégorie de la nouvelle organisation."))
        if (
            cleaned.get("category") in RESIDENT_CATEGORIES
            and cleaned.get("person_name", "").strip()
            and not cleaned.get("name_consent")
        ):
            self.add_error(
                "name_consent",
                _(
                    "Le nom d'un·e habitant·e ne peut être enregistré qu'avec son accord : "
                    "cochez cette case ou laissez le nom vide."
                ),
            )
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                _(
                    "La fin du siège ne peut pas précéder son début (le %(day)s) : "
                    "corrigez l'une des deux dates."
                )
                % {"day": _day(start)},
            )
        return cleaned


class SeatEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Dernier jour du siège"),
        widget=DateInput(),
        error_messages={"required": _("Indiquez le dernier jour, par exemple 31/12/2026.")},
    )

    def __init__(self, *args, seat: CommitteeMember, **kwargs):
        super().__init__(*args, **kwargs)
        self.seat = seat
        bounds.bound_field(self.fields["end_date"], "date")

    def clean_end_date(self):
        end = self.cleaned_data["end_date"]
        if self.seat.start_date and end < self.seat.start_date:
            raise forms.ValidationError(
                _("Le siège a commencé le %(day)s : indiquez un dernier jour à partir de cette date.")
                % {"day": _day(self.seat.start_date)}
            )
        return end
