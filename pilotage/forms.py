"""Forms of the steering pages. Every queryset is limited to the site the page belongs to, so a
committee, partner, meeting or finding of another site posted by hand is refused."""

from collections import Counter

from crispy_forms.helper import FormHelper
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from atc.concurrency import VersionedFormMixin
from diagnostics.models import Finding, Theme
from pilotage.models import (
    ATTENDANCE_FIELDS,
    Action,
    Committee,
    Decision,
    Meeting,
    MeetingParticipant,
    action_state_problems,
)
from pilotage.uploads import accepted_formats_label, check_upload
from sites.models import OrganisationCategory, PartnerOrganisation

NOT_NEGATIVE = _("Saisissez un nombre positif ou nul (0 si personne).")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices of a few rows of the site (its committees, its partners, its findings), read in
    one query kept on the field's queryset, so that asking whether there are any
    (`pilotage/_multiple_choice.html`) and listing them cost that one query. Django's iterator
    reads them again at each pass, through a server-side cursor on PostgreSQL (three round trips)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedChoiceField(forms.ModelChoiceField):
    iterator = ListedChoiceIterator


class ListedMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class MeetingForm(VersionedFormMixin, BoundedModelForm):
    """One page to log a meeting: what, when, who came (counts by category), agenda, minutes."""

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "date",
            "format",
            "committee",
            "title",
            "start_time",
            "duration_minutes",
            "location",
            *ATTENDANCE_FIELDS.values(),
            "organisations",
            "agenda",
            "minutes",
            "minutes_status",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "organisations": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 6}),
        }
        field_classes = {"committee": ListedChoiceField, "organisations": ListedMultipleChoiceField}
        help_texts = {
            "committee": _("Pour une réunion d'instance : la liste des membres s'affiche."),
            "minutes_status": _(
                "Une fois rédigé, soumettez le compte rendu pour validation depuis la page de la réunion."
            ),
        }
        error_messages = {
            "date": {"invalid": _("Saisissez une date valide, par exemple 14/03/2021.")},
            "start_time": {"invalid": _("Saisissez une heure valide, par exemple 14:30.")},
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.helper = _helper()
        site_kinds = [choice for choice in Meeting.Kind.choices if choice[0] not in Meeting.NATIONAL_KINDS]
        self.fields["kind"].choices = site_kinds
        self.fields["committee"].queryset = Committee.objects.filter(site=site, is_active=True)
        self.fields["committee"].empty_label = _("Aucune (réunion hors instance)")
        # With htmx, choosing a committee brings its roster in without leaving the page.
        self.fields["committee"].widget.attrs.update(
            {
                "data-hx-get": reverse("pilotage:meeting_roster", args=[site.slug]),
                "data-hx-target": "#roster",
                "data-hx-trigger": "change",
                "data-hx-include": "[name='date']",
            }
        )
        self.fields["organisations"].queryset = PartnerOrganisation.objects.filter(site=site)
        self._minutes_workflow_fields()
        self.fields["committee"].error_messages["invalid_choice"] = _(
            "Choisissez une instance de ce site dans la liste."
        )
        self.fields["organisations"].error_messages["invalid_choice"] = _(
            "Choisissez des organisations partenaires de ce site."
        )
        self.fields["title"].error_messages["required"] = _(
            "Donnez un intitulé à la réunion, par exemple « Comité de pilotage de mars »."
        )
        self.fields["duration_minutes"].error_messages["max_value"] = _(
            "Une réunion dure au plus 1 440 minutes (24 heures)."
        )
        for name in ATTENDANCE_FIELDS.values():
            field = self.fields[name]
            field.required = False
            field.widget.attrs.update({"min": 0, "inputmode": "numeric"})
            field.error_messages["min_value"] = NOT_NEGATIVE
            field.error_messages["invalid"] = NOT_NEGATIVE

    def _minutes_workflow_fields(self):
        """The form writes a draft only (or no minutes): submitting and validating are steps of
        the meeting page (pilotage.services.minutes_*). Submitted minutes stay editable by the
        team; validated minutes are shown read-only until reopened."""
        status = self.instance.minutes_status
        if status in (Meeting.MinutesStatus.SUBMITTED, Meeting.MinutesStatus.VALIDATED):
            del self.fields["minutes_status"]
        else:
            self.fields["minutes_status"].choices = [
                (Meeting.MinutesStatus.NONE, Meeting.MinutesStatus.NONE.label),
                (Meeting.MinutesStatus.DRAFT, Meeting.MinutesStatus.DRAFT.label),
            ]
            self.fields["minutes_status"].error_messages["invalid_choice"] = _(
                "Choisissez « Pas de compte rendu » ou « Brouillon » : la validation se fait depuis la "
                "page de la réunion."
            )
        if status == Meeting.MinutesStatus.VALIDATED:
            minutes = self.fields["minutes"]
            minutes.disabled = True
            minutes.help_text = _(
                "Compte rendu validé : rouvrez-le depuis la page de la réunion pour le modifier."
            )

    roster_mode = False

    def use_roster(self, stored_present):
        """The meeting's attendance follows its roster (pilotage.services.attendance_from_roster):
        the counts typed here are the people without a seat, the organisations checked those of
        people without a seat. Editing shows what the stored totals leave beyond the members
        present (`stored_present`)."""
        self.roster_mode = True
        self.fields["organisations"].label = _("Organisations des personnes sans siège")
        self.fields["organisations"].help_text = _(
            "Les organisations des membres présent·es sont comptées d'elles-mêmes : cochez seulement "
            "celles d'autres personnes venues."
        )
        if self.instance.pk is None or self.is_bound:
            return
        by_category = Counter(member.category for member in stored_present)
        for category, name in ATTENDANCE_FIELDS.items():
            self.initial[name] = max(0, getattr(self.instance, name) - by_category[category])
        seated = {member.organisation_id for member in stored_present}
        self.initial["organisations"] = [
            organisation.pk
            for organisation in self.instance.organisations.all()
            if organisation.pk not in seated
        ]

    @property
    def minutes_locked(self) -> bool:
        return self.instance.minutes_status == Meeting.MinutesStatus.VALIDATED

    def attendance_fields(self):
        return [self[name] for name in ATTENDANCE_FIELDS.values()]

    def when_fields(self):
        return [self[name] for name in ("kind", "date", "format")]

    def detail_fields(self):
        """The fields after the committee's (which lists the site's own committees)."""
        return [self[name] for name in ("title", "start_time", "duration_minutes", "location")]

    def clean(self):
        cleaned = super().clean()
        for name in ATTENDANCE_FIELDS.values():
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = 0
        return cleaned


class RosterForm(forms.Form):
    """Presence of each member of the meeting's committee, one radio group per member."""

    def __init__(self, *args, members, participants=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        known = {p.member_id: p.presence for p in participants or []}
        for member in self.members:
            self.fields[self.field_name(member)] = forms.ChoiceField(
                label=str(member),
                choices=MeetingParticipant.Presence.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=known.get(member.pk),
                error_messages={"invalid_choice": _("Choisissez présent·e, excusé·e ou absent·e.")},
            )

    @staticmethod
    def field_name(member) -> str:
        return f"presence_{member.pk}"

    def presences(self) -> dict:
        """{member: presence} for the members whose presence was given."""
        return {
            member: self.cleaned_data[self.field_name(member)]
            for member in self.members
            if self.cleaned_data.get(self.field_name(member))
        }

    def rows(self):
        return [(member, self[self.field_name(member)]) for member in self.members]


def _extra_count_field(label) -> forms.IntegerField:
    field = bounds.bound_field(
        forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        ),
        "count",
    )
    field.error_messages["min_value"] = NOT_NEGATIVE
    field.error_messages["invalid"] = NOT_NEGATIVE
    return field


class TallyForm(VersionedFormMixin, forms.Form):
    """The paper sign-in sheet typed back: the members who signed, then the people without a seat
    by category (and their organisations when known)."""

    organisations = ListedMultipleChoiceField(
        label=_("Organisations des personnes sans siège"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les organisations des membres qui ont signé sont comptées d'elles-mêmes."),
        error_messages={"invalid_choice": _("Choisissez des organisations partenaires de ce site.")},
    )

    def __init__(self, *args, meeting, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.members = list(members)
        self.stored = {p.member_id: p.presence for p in meeting.participants.all()}
        self.fields["version"].initial = meeting.version
        present = MeetingParticipant.Presence.PRESENT
        for member in self.members:
            self.fields[self.signed_name(member)] = forms.BooleanField(
                label=_("A signé"), required=False, initial=self.stored.get(member.pk) == present
            )
        present_members = [m for m in self.members if self.stored.get(m.pk) == present]
        by_category = Counter(member.category for member in present_members)
        for category, name in ATTENDANCE_FIELDS.items():
            self.fields[self.extra_name(category)] = _extra_count_field(OrganisationCategory(category).label)
            self.fields[self.extra_name(category)].initial = max(
                0, getattr(meeting, name) - by_category[category]
            )
        self.fields["organisations"].queryset = PartnerOrganisation.objects.filter(site=meeting.site_id)
        seated = {member.organisation_id for member in present_members}
        self.fields["organisations"].initial = [
            organisation.pk for organisation in meeting.organisations.all() if organisation.pk not in seated
        ]

    @staticmethod
    def signed_name(member) -> str:
        return f"signed_{member.pk}"

    @staticmethod
    def extra_name(category) -> str:
        return f"extra_{category}"

    def member_rows(self):
        return [(member, self[self.signed_name(member)]) for member in self.members]

    def extra_fields(self):
        return [self[self.extra_name(category)] for category in ATTENDANCE_FIELDS]

    def presences(self) -> dict:
        """Who signed is present; who did not stays excused if they had sent word, else absent."""
        presence = MeetingParticipant.Presence
        result = {}
        for member in self.members:
            if self.cleaned_data.get(self.signed_name(member)):
                result[member] = presence.PRESENT
            elif self.stored.get(member.pk) == presence.EXCUSED:
                result[member] = presence.EXCUSED
            else:
                result[member] = presence.ABSENT
        return result

    def extra(self) -> dict[str, int]:
        return {
            category: self.cleaned_data.get(self.extra_name(category)) or 0 for category in ATTENDANCE_FIELDS
        }


class DecisionForm(BoundedModelForm):
    class Meta:
        model = Decision
        fields = ["text"]
        widgets = {"text": forms.TextInput(attrs={"maxlength": 2000})}
        labels = {"text": _("Décision")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The empty lines offered for new decisions are optional (left blank, they are skipped):
        # no "required" mark on them.
        if not self.instance.pk:
            self.fields["text"].required = False


class BaseDecisionFormSet(forms.BaseModelFormSet):
    def __init__(self, *args, meeting=None, **kwargs):
        queryset = meeting.decisions.all() if meeting and meeting.pk else Decision.objects.none()
        super().__init__(*args, queryset=queryset, prefix="decisions", **kwargs)


def decision_formset_class(*, extra: int):
    return forms.modelformset_factory(
        Decision,
        form=DecisionForm,
        formset=BaseDecisionFormSet,
        extra=extra,
        can_delete=True,
        max_num=50,
        validate_max=True,
    )


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False)
    date_from = bounds.bound_field(forms.DateField(label=_("Du"), required=False, widget=DateInput()), "date")
    date_to = bounds.bound_field(forms.DateField(label=_("Au"), required=False, widget=DateInput()), "date")
    committee = forms.ModelChoiceField(label=_("Instance"), queryset=Committee.objects.none(), required=False)
    minutes_status = forms.ChoiceField(label=_("Compte rendu"), required=False)
    # The meetings whose minutes the site is expected to validate (Meeting.MINUTES_KINDS).
    TO_VALIDATE = "to_validate"

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Tous les types")), *Meeting.Kind.choices]
        self.fields["minutes_status"].choices = [
            ("", _("Tous")),
            *Meeting.MinutesStatus.choices,
            (self.TO_VALIDATE, _("À valider (pilotage et groupes de travail)")),
        ]
        self.fields["committee"].queryset = Committee.objects.filter(site=site)
        self.fields["committee"].empty_label = _("Toutes les instances")
        self.fields["committee"].error_messages["invalid_choice"] = _("Choisissez une instance de ce site.")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("La date de fin doit suivre la date de début."))
        return cleaned

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["date_from"]:
            queryset = queryset.filter(date__gte=data["date_from"])
        if data["date_to"]:
            queryset = queryset.filter(date__lte=data["date_to"])
        if data["committee"]:
            queryset = queryset.filter(committee=data["committee"])
        if data["minutes_status"] == self.TO_VALIDATE:
            queryset = queryset.filter(kind__in=Meeting.MINUTES_KINDS).exclude(
                minutes_status=Meeting.MinutesStatus.VALIDATED
            )
        elif data["minutes_status"]:
            queryset = queryset.filter(minutes_status=data["minutes_status"])
        return queryset


class ActionForm(VersionedFormMixin, BoundedModelForm):
    """An action with its links; a partner missing from the list can be created on the spot."""

    new_partner_name = forms.CharField(
        label=_("Nouvelle organisation partenaire"),
        max_length=200,
        required=False,
        help_text=_("Si elle n'est pas dans la liste : son nom, puis sa catégorie."),
    )
    new_partner_category = forms.ChoiceField(
        label=_("Catégorie de la nouvelle organisation"),
        choices=[("", "---------"), *OrganisationCategory.choices],
        required=False,
    )

    class Meta:
        model = Action
        fields = [
            "title",
            "theme",
            "status",
            "progress",
            "residents_reached",
            "start_date",
            "end_date",
            "partners",
            "meeting",
            "findings",
            "description",
            "outcomes",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "partners": forms.CheckboxSelectMultiple,
            "findings": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "outcomes": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"partners": ListedMultipleChoiceField, "findings": ListedMultipleChoiceField}
        help_texts = {
            "progress": _("Un pourcentage, de 0 à 100."),
            "meeting": _("La réunion où l'action a été décidée."),
        }

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.helper = _helper()
        self.fields["theme"].queryset = Theme.objects.all()
        self.fields["partners"].queryset = PartnerOrganisation.objects.filter(site=site)
        self.fields["meeting"].queryset = Meeting.objects.filter(site=site)
        self.fields["findings"].queryset = Finding.objects.filter(site=site).select_related("theme")
        self.fields["title"].error_messages["required"] = _(
            "Donnez un intitulé à l'action, par exemple « Stock alimentaire partagé »."
        )
        for name, message in (
            ("partners", _("Choisissez des organisations partenaires de ce site.")),
            ("meeting", _("Choisissez une réunion de ce site.")),
            ("findings", _("Choisissez des constats du diagnostic de ce site.")),
        ):
            self.fields[name].error_messages["invalid_choice"] = message
        self.fields["progress"].widget.attrs.update({"min": 0, "max": 100})
        self.fields["progress"].error_messages.update(
            {
                "max_value": _("L'avancement est un pourcentage : 100 au plus."),
                "min_value": _("L'avancement est un pourcentage : 0 au moins."),
            }
        )
        self.fields["residents_reached"].error_messages["min_value"] = NOT_NEGATIVE

    def clean_new_partner_name(self):
        name = " ".join(self.cleaned_data["new_partner_name"].split())
        if name and PartnerOrganisation.objects.filter(site=self.site, name__iexact=name).exists():
            raise forms.ValidationError(
                _("« %(name)s » existe déjà : cochez-la dans la liste des partenaires.") % {"name": name}
            )
        return name

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Action.Status.DONE
            and not cleaned.get("end_date")
            and "end_date" not in self.errors
        ):
            # Done without an end date: it ended today.
            cleaned["end_date"] = timezone.localdate()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date",
                _("La date de fin doit être égale ou postérieure à la date de début."),
            )
        if cleaned.get("new_partner_name") and not cleaned.get("new_partner_category"):
            self.add_error(
                "new_partner_category",
                _("Choisissez la catégorie de la nouvelle organisation."),
            )
        today = timezone.localdate()
        for field, message in action_state_problems(
            status=cleaned.get("status"),
            progress=cleaned.get("progress"),
            end_date=cleaned.get("end_date"),
            today=today,
        ):
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


class ActionStatusForm(VersionedFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Nouvel état"),
        choices=Action.Status.choices,
        error_messages={"invalid_choice": _("Choisissez un état dans la liste.")},
    )


# The id of the attachments' upload form (templates/pilotage/_attachment_forms.html).
UPLOAD_FORM_ID = "attachment-upload"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        error_messages={
            "required": _("Choisissez un fichier à joindre."),
            "empty": _("Le fichier est vide : choisissez un autre fichier."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(formats)s, 10 Mo au plus.") % {
            "formats": accepted_formats_label()
        }
        self.fields["file"].widget.attrs["accept"] = ".pdf,.odt,.docx,.xlsx,.ods,.csv,.jpg,.jpeg,.png"
        # The field names its form, which carries the CSRF token: a page may keep the field in a
        # cached fragment and render the form outside it (pilotage/_attachment_forms.html).
        self.fields["file"].widget.attrs["form"] = UPLOAD_FORM_ID

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        self.checked = check_upload(uploaded)
        return uploaded
