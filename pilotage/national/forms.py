"""Forms of the national monitoring committee: its members and its meetings or national events."""

from django import forms
from django.utils.translation import gettext_lazy as _

from atc.bounds import BoundedModelForm
from pilotage.models import ATTENDANCE_FIELDS, CommitteeMember, Meeting


class NationalMemberForm(BoundedModelForm):
    class Meta:
        model = CommitteeMember
        fields = ["organisation_name", "person_name", "title", "category", "start_date", "end_date"]
        labels = {"organisation_name": _("Organisation")}
        help_texts = {
            "organisation_name": _("Par exemple : ANCT, Question de Ville, un laboratoire…"),
            "start_date": _("Facultatif. Format : 22/11/2026."),
        }

    def clean_organisation_name(self):
        name = self.cleaned_data["organisation_name"].strip()
        if not name:
            raise forms.ValidationError(_("Indiquez l'organisation représentée."))
        return name


class NationalMeetingForm(BoundedModelForm):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[
            (kind.value, kind.label)
            for kind in (Meeting.Kind.NATIONAL_COMMITTEE, Meeting.Kind.NATIONAL_EVENT)
        ],
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "date",
            "format",
            "location",
            "agenda",
            "minutes",
            "minutes_status",
            *ATTENDANCE_FIELDS.values(),
        ]
        labels = {"minutes": _("Compte rendu ou synthèse")}
        help_texts = {
            "minutes": _(
                "Pour un événement national : la synthèse écrite (groupes de travail, propositions…)."
            ),
            "date": _("Format : 22/11/2026."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The submit/validate workflow is the sites' (their host directors validate); the national
        # team sets its own meetings' minutes directly, without the « submitted » step.
        self.fields["minutes_status"].choices = [
            choice for choice in Meeting.MinutesStatus.choices if choice[0] != Meeting.MinutesStatus.SUBMITTED
        ]
