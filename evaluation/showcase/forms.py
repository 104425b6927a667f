"""The site team's public page form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import ShowcaseFile, SiteShowcase
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


class AttachmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s — action « %(action)s »") % {"name": obj.original_name, "action": obj.action.title}


class ShowcaseFileForm(forms.Form):
    """A photo or a document to show; the rules (which files, consent for images) are the service's."""

    attachment = AttachmentChoiceField(
        label=_("Photo ou document"),
        help_text=_("Les images (JPEG, PNG) et les PDF joints aux actions réalisées du site."),
        queryset=None,
        empty_label=_("Choisissez un fichier"),
        error_messages={
            "required": _("Choisissez la photo ou le document à publier."),
            "invalid_choice": _("Choisissez un fichier dans la liste."),
        },
    )
    description = forms.CharField(
        label=_("Texte alternatif ou description"),
        max_length=ShowcaseFile._meta.get_field("description").max_length,
        help_text=_("Ce que montre la photo ou ce que contient le document, pour qui ne peut pas le voir."),
        error_messages={
            "required": _("Décrivez ce que montre la photo ou ce que contient le document."),
            "max_length": _("Raccourcissez la description à %(limit_value)d caractères."),
        },
    )
    people_consent = forms.BooleanField(
        label=_("Les personnes reconnaissables ont donné leur accord"),
        required=False,
        help_text=_(
            "Obligatoire pour une photo : chaque personne qu'on peut reconnaître a accepté "
            "qu'elle soit publiée."
        ),
    )

    def __init__(self, *args, attachments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].queryset = attachments
