"""The partner organisation form (name and stakeholder category)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from atc.bounds import BoundedModelForm
from sites.models import PartnerOrganisation


class PartnerForm(BoundedModelForm):
    class Meta:
        model = PartnerOrganisation
        fields = ["name", "category"]
        help_texts = {
            "name": _("Le nom usuel, par exemple « Centre social Frais Vallon » ou « CCAS »."),
            "category": _("La catégorie d'acteur, utilisée pour compter les présences."),
        }
        error_messages = {
            "name": {"required": _("Indiquez le nom de l'organisation.")},
            "category": {"required": _("Choisissez la catégorie de l'organisation.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Enregistrer l'organisation")))

    def clean_name(self):
        # The site is not a form field, so the (site, name) constraint is checked here.
        name = " ".join(self.cleaned_data["name"].split())
        clash = PartnerOrganisation.objects.filter(site=self.instance.site, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("« %(name)s » existe déjà pour ce site : modifiez l'organisation existante.")
                % {"name": name}
            )
        return name
