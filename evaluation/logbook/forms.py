"""The logbook entry form: a period, what happened, and links to the site's meetings and actions."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from atc.bounds import BoundedModelForm
from atc.concurrency import VersionedFormMixin
from evaluation.models import LogbookEntry
from pilotage.models import Action, Meeting


class MeetingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.date:%d/%m/%Y} — {obj.title}"


class LogbookEntryForm(VersionedFormMixin, BoundedModelForm):
    meetings = MeetingChoiceField(
        queryset=Meeting.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Réunions liées"),
        error_messages={"invalid_choice": _("Choisissez parmi les réunions de ce site.")},
        help_text=_("Les réunions du site dont parle cette entrée."),
    )
    actions = forms.ModelMultipleChoiceField(
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Actions liées"),
        error_messages={"invalid_choice": _("Choisissez parmi les actions de ce site.")},
    )

    class Meta:
        model = LogbookEntry
        fields = [
            "kind",
            "period_start",
            "period_end",
            "happened",
            "difficulties",
            "lessons",
            "changes_of_course",
            "next_steps",
            "time_spent_hours",
            "support_needed",
        ]
        localized_fields = ["time_spent_hours"]
        widgets = {
            "time_spent_hours": forms.TextInput(attrs={"inputmode": "decimal"}),
            "period_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "period_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "happened": forms.Textarea(attrs={"rows": 6}),
            "difficulties": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
            "changes_of_course": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
            "support_needed": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "kind": _("Un bilan de période par trimestre ; les autres types pour une note ponctuelle."),
            "time_spent_hours": _("Temps consacré à l'animation sur la période, en heures (ex. 120,5)."),
            "support_needed": _("Ce dont vous auriez besoin : tête de réseau, équipe nationale, État…"),
        }
        error_messages = {
            "happened": {"required": _("Décrivez ce qui s'est passé pendant la période.")},
            "period_start": {
                "required": _("Indiquez le début de la période."),
                "invalid": _("Saisissez une date valide (JJ/MM/AAAA)."),
            },
            "period_end": {
                "required": _("Indiquez la fin de la période."),
                "invalid": _("Saisissez une date valide (JJ/MM/AAAA)."),
            },
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meetings"].queryset = Meeting.objects.filter(site=site).order_by("-date", "-id")
        self.fields["actions"].queryset = Action.objects.filter(site=site).order_by("title")
        if self.instance.pk:
            self.initial["meetings"] = list(self.instance.meetings.values_list("pk", flat=True))
            self.initial["actions"] = list(self.instance.actions.values_list("pk", flat=True))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Période"), Div("kind", "period_start", "period_end", css_class="grid-fields")),
            Fieldset(
                _("Récit"),
                "happened",
                "difficulties",
                "lessons",
                "changes_of_course",
                "next_steps",
            ),
            Fieldset(_("Moyens"), "time_spent_hours", "support_needed"),
            Fieldset(_("Liens"), "meetings", "actions"),
            "version",
        )
        self.helper.add_input(Submit("submit", _("Enregistrer l'entrée")))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("La fin de la période doit suivre son début."))
        return cleaned
