"""The site team's public page form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import SiteShowcase
from pilotage.models import Action


class ShowcaseForm(forms.ModelForm):
    achievements = forms.ModelMultipleChoiceField(
        label=_("Réalisations à montrer"),
        help_text=_("Seules les actions à l'état « Réalisée » peuvent être montrées."),
        queryset=Action.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = SiteShowcase
        fields = ["presentation", "achievements", "name_consent", "name_consent_note"]
        widgets = {"presentation": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "presentation": {"required": _("Écrivez quelques lignes de présentation pour le public.")}
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["achievements"].queryset = Action.objects.filter(
            site=site, status=Action.Status.DONE
        ).order_by("title")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name_consent") and not (cleaned.get("name_consent_note") or "").strip():
            self.add_error(
                "name_consent_note", _("Dites qui a donné son accord, quand et comment, ou décochez la case.")
            )
        return cleaned
