"""Forms of the people pages: inviting a person and giving a role with its scope."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.forms import role_scope_errors
from atc.models import Role, User
from sites.models import Network, Site


class RoleScopeForm(forms.Form):
    """One role with its scope and start date."""

    kind = forms.ChoiceField(label=_("Rôle"), choices=Role.Kind.choices)
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour les animateur·rices, directions de structure porteuse et délégué·es du préfet."),
    )
    network = forms.ModelChoiceField(
        label=_("Tête de réseau"),
        queryset=Network.objects.order_by("name"),
        required=False,
        help_text=_("Pour la coordination d'une tête de réseau uniquement."),
    )
    start_date = bounds.bound_field(
        forms.DateField(
            label=_("Début du rôle"),
            initial=timezone.localdate,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            help_text=_("Le rôle donne accès à partir de ce jour."),
        ),
        "date",
    )

    def clean(self):
        cleaned = super().clean()
        for field, message in role_scope_errors(
            cleaned.get("kind"), cleaned.get("sites"), cleaned.get("network")
        ).items():
            self.add_error(field, message)
        return cleaned


class InviteForm(RoleScopeForm):
    """A new person: their identity, then their first role."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("La personne se connectera avec cette adresse et y recevra l'invitation."),
    )
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)

    field_order = ["email", "first_name", "last_name", "kind", "sites", "network", "start_date"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _(
                    "Un compte existe déjà avec cette adresse : retrouvez la personne dans la "
                    "liste et ajoutez-lui un rôle."
                )
            )
        return email
