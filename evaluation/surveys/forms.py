"""The forms of questionnaires, campaigns, recipients, and the answer form built from the questions."""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from atc.bounds import RANGES, BoundedModelForm, bound_field
from evaluation.models import Campaign, CampaignRecipient, Question, Questionnaire
from pilotage.forms import DateInput
from sites.models import Site

# Control characters other than tab and line breaks: pasted by mistake, never meant.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SHORT_TEXT_MAX = 500
LONG_TEXT_MAX = 10000


def _clean_text(value: str) -> str:
    return CONTROL.sub("", value).strip()


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "introduction", "template"]
        help_texts = {
            "template": _(
                "Les modèles intégrés arrivent avec leurs questions, que vous pouvez ensuite modifier."
            ),
            "introduction": _("Affichée en tête du questionnaire ; 5 000 caractères au plus."),
        }
        error_messages = {"title": {"required": _("Donnez un intitulé au questionnaire.")}}

    def clean_title(self):
        return _clean_text(self.cleaned_data["title"])


class QuestionForm(BoundedModelForm):
    class Meta:
        model = Question
        fields = [
            "section",
            "text",
            "help_text",
            "kind",
            "required",
            "choices",
            "item",
            "logbook_field",
            "order",
        ]
        error_messages = {
            "text": {"required": _("Écrivez la question.")},
            "kind": {"required": _("Choisissez le type de réponse.")},
        }

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's checks (Question.clean) read the questionnaire, a new question's too.
        self.instance.questionnaire = questionnaire
        if questionnaire.template != Questionnaire.Template.LOGBOOK:
            del self.fields["logbook_field"]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        choices = [line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()]
        if kind in Question.CHOICE_KINDS and len(choices) < 2:
            self.add_error("choices", _("Écrivez au moins deux choix, un par ligne."))
        if kind in Question.CHOICE_KINDS and any(len(c) > 200 for c in choices):
            self.add_error("choices", _("Chaque choix tient en 200 caractères au plus."))
        if data.get("item") and kind != Question.Kind.SCALE:
            self.add_error(
                "item", _("Un item d'appréciation se note de 1 à 10 : choisissez « Note de 1 à 10 ».")
            )
        for name in ("text", "help_text", "section"):
            if data.get(name):
                data[name] = _clean_text(data[name])
        return data


class CampaignForm(BoundedModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "site",
            "opens_on",
            "closes_on",
            "anonymous",
            "max_reminders",
            "reminder_delay_days",
            "auto_reminders",
        ]
        widgets = {"opens_on": DateInput(), "closes_on": DateInput()}
        error_messages = {
            "title": {
                "required": _("Donnez un intitulé à la campagne."),
                "unique": _("Une campagne porte déjà cet intitulé : choisissez-en un autre."),
            },
            "opens_on": {
                "required": _("Indiquez la date d'ouverture."),
                "invalid": _("Saisissez une date (JJ/MM/AAAA)."),
            },
            "closes_on": {
                "required": _("Indiquez la date de clôture."),
                "invalid": _("Saisissez une date (JJ/MM/AAAA)."),
            },
        }

    def __init__(self, *args, questionnaire, **kwargs):
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        # A site's questionnaire is sent on its own site: the field would offer nothing else.
        if questionnaire.site_id:
            del self.fields["site"]

    def clean(self):
        data = super().clean()
        if self.questionnaire.template == Questionnaire.Template.LOGBOOK:
            if "site" in self.fields and not data.get("site"):
                self.add_error("site", _("Choisissez le site dont c'est le carnet de bord."))
            if data.get("anonymous"):
                self.add_error(
                    "anonymous",
                    _(
                        "Un carnet de bord remplit le bilan du site : il ne peut pas être anonyme. "
                        "Décochez la case."
                    ),
                )
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error(
                "closes_on", _("La clôture doit suivre l'ouverture : choisissez une date plus tardive.")
            )
        return data


class RecipientForm(forms.ModelForm):
    class Meta:
        model = CampaignRecipient
        fields = ["name", "email", "function", "site"]
        labels = {"site": _("Territoire")}
        error_messages = {
            "name": {"required": _("Indiquez le nom de la personne.")},
            "email": {
                "required": _("Indiquez son adresse e-mail."),
                "invalid": _("Saisissez une adresse e-mail complète, par exemple prenom.nom@exemple.fr."),
            },
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        owner = campaign.questionnaire.site_id
        # A site's campaign reaches people of its own territory only.
        sites = Site.objects.filter(pk=owner) if owner else Site.objects.all()
        self.fields["site"].queryset = sites.order_by("city")
        if owner:
            self.fields["site"].initial = owner

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.campaign.recipients.filter(email=email).exists():
            raise forms.ValidationError(_("Cette adresse figure déjà parmi les destinataires."))
        return email


class RecipientImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier des destinataires (CSV ou XLSX)"),
        help_text=_(
            "Colonnes : nom, e-mail, fonction, territoire (la ville du site). "
            "Rien n'est ajouté avant votre confirmation."
        ),
        error_messages={"required": _("Choisissez un fichier CSV ou XLSX.")},
    )


def _scale_choices():
    return [(str(n), str(n)) for n in range(1, 11)]


class AnswerForm(forms.Form):
    """One field per question (named `q<pk>`); a draft is saved unchecked, sending checks it all."""

    def __init__(self, *args, questions, draft: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        number = RANGES["indicator"]
        for question in self.questions:
            required = question.required and not draft
            common = {
                "label": question.text,
                "help_text": question.help_text,
                "required": required,
                "error_messages": {"required": _("Répondez à cette question : elle est obligatoire.")},
            }
            kind = question.kind
            if kind == Question.Kind.SCALE:
                field = forms.ChoiceField(
                    choices=_scale_choices(),
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    **common,
                )
                field.error_messages["invalid_choice"] = _("Choisissez une note entre 1 et 10.")
            elif kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in question.choice_list()], widget=forms.RadioSelect, **common
                )
                field.error_messages["invalid_choice"] = _("Choisissez l'un des choix proposés.")
            elif kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=[(c, c) for c in question.choice_list()],
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                )
                field.error_messages["invalid_choice"] = _("Choisissez parmi les choix proposés.")
            elif kind == Question.Kind.NUMBER:
                field = forms.DecimalField(max_digits=14, decimal_places=2, localize=True, **common)
                field.error_messages["invalid"] = _("Saisissez un nombre, par exemple 12 ou 3,5.")
                field.error_messages["max_decimal_places"] = _("Saisissez au plus deux décimales.")
                field.error_messages["max_digits"] = number.message
                field.error_messages["max_whole_digits"] = number.message
                bound_field(field, "indicator")
            elif kind == Question.Kind.SHORT_TEXT:
                field = forms.CharField(max_length=SHORT_TEXT_MAX, **common)
                field.error_messages["max_length"] = _(
                    "Écrivez au plus %(limit_value)d caractères (vous en avez écrit %(show_value)d)."
                )
            else:
                field = forms.CharField(
                    max_length=LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}), **common
                )
                field.error_messages["max_length"] = _(
                    "Écrivez au plus %(limit_value)d caractères (vous en avez écrit %(show_value)d)."
                )
            self.fields[f"q{question.pk}"] = field

    def full_clean(self):
        """Tie each text or number field's error to it (the choice groups' fieldsets do it in the
        template); Django ties the help text itself."""
        super().full_clean()
        for name in self.errors:
            field = self.fields.get(name)
            if field is None or isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                continue
            ids = [f"id_{name}_helptext"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join([*ids, f"id_{name}-erreur"])

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = _clean_text(value)
        return data

    def values(self) -> dict:
        """The answers as JSON-ready values (numbers as text)."""
        result = {}
        for name, value in self.cleaned_data.items():
            result[name] = str(value) if isinstance(value, Decimal) else value
        return result

    def sections(self):
        """The questions grouped by consecutive section, with their bound fields."""
        groups = []
        for question in self.questions:
            if not groups or groups[-1]["title"] != question.section:
                groups.append({"title": question.section, "fields": []})
            groups[-1]["fields"].append((question, self[f"q{question.pk}"]))
        return groups
