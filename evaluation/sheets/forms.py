"""The experience sheet form: the structured text, the actions it tells about, the consent of
anyone named in it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from diagnostics.models import Theme
from evaluation.models import ExperienceSheet
from pilotage.models import Action
from sites.models import Network, OrganisationCategory, PriorityModel

TEXTAREA = forms.Textarea(attrs={"rows": 5})


class SheetForm(forms.ModelForm):
    actions = forms.ModelMultipleChoiceField(
        label=_("Actions dont la fiche parle"),
        queryset=Action.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ExperienceSheet
        fields = [
            "title",
            "theme",
            "actions",
            *ExperienceSheet.PUBLIC_TEXT_FIELDS[1:],
            "name_consent",
            "name_consent_note",
        ]
        widgets = dict.fromkeys(ExperienceSheet.PUBLIC_TEXT_FIELDS[1:], TEXTAREA)
        error_messages = {
            "title": {"required": _("Donnez un titre à la fiche.")},
            "context": {"required": _("Décrivez le contexte : le quartier, la situation de départ.")},
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = Action.objects.filter(site=site).order_by("title")
        self.fields["theme"].queryset = Theme.objects.all()
        if self.instance.pk:
            self.fields["actions"].initial = list(self.instance.actions.values_list("pk", flat=True))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name_consent") and not (cleaned.get("name_consent_note") or "").strip():
            self.add_error(
                "name_consent_note", _("Dites qui a donné son accord, quand et comment, ou décochez la case.")
            )
        return cleaned


class LibraryFilterForm(forms.Form):
    """The library's filters; an unknown value is ignored, never an error page."""

    theme = forms.ModelChoiceField(label=_("Thématique"), queryset=Theme.objects.all(), required=False)
    priority_model = forms.ChoiceField(label=_("Modèle prioritaire"), required=False)
    network = forms.ChoiceField(label=_("Tête de réseau"), required=False)
    partner_category = forms.ChoiceField(label=_("Catégorie de partenaire"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority_model"].choices = [
            ("", _("Tous")),
            *PriorityModel.objects.values_list("code", "label"),
        ]
        self.fields["network"].choices = [("", _("Toutes")), *Network.objects.values_list("code", "name")]
        self.fields["partner_category"].choices = [("", _("Toutes")), *OrganisationCategory.choices]
        self.fields["theme"].empty_label = _("Toutes")

    def apply(self, sheets):
        if not self.is_valid():
            return sheets
        data = self.cleaned_data
        if data.get("theme"):
            sheets = sheets.filter(theme=data["theme"])
        if data.get("priority_model"):
            sheets = sheets.filter(site__priority_models__code=data["priority_model"])
        if data.get("network"):
            sheets = sheets.filter(site__network__code=data["network"])
        if data.get("partner_category"):
            sheets = sheets.filter(actions__partners__category=data["partner_category"])
        return sheets.distinct()
