"""Forms of account management: inviting a person, giving a role, and the role's scope rule."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from atc.models import Role, User
from sites.models import Network, Site

NETWORK_KINDS = {Role.Kind.NETWORK_COORDINATOR}


def role_scope_errors(kind: str, sites, network) -> dict[str, str]:
    """What is wrong with a role's scope, by field: a coordinator coordinates one network, a site
    role covers at least one site, the national team and administrators cover everything."""
    errors = {}
    has_sites = bool(sites) and len(sites) > 0
    if kind in Role.SITE_SCOPED:
        if not has_sites:
            errors["sites"] = _("Cochez au moins un site pour ce rôle.")
        if network:
            errors["network"] = _("Ce rôle porte sur des sites : laissez la tête de réseau vide.")
    elif kind in NETWORK_KINDS:
        if not network:
            errors["network"] = _("Choisissez la tête de réseau coordonnée.")
        if has_sites:
            errors["sites"] = _(
                "Une coordination de réseau voit déjà tous les sites de son réseau : décochez les sites."
            )
    elif kind:
        if has_sites:
            errors["sites"] = _("Ce rôle voit tous les sites : décochez les sites.")
        if network:
            errors["network"] = _("Ce rôle voit tous les sites : laissez la tête de réseau vide.")
    return errors


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


class RoleAdminForm(BoundedModelForm):
    """The admin's role form, with the same scope rule as the national team's pages."""

    class Meta:
        model = Role
        fields = ["kind", "sites", "network", "start_date", "end_date"]
        help_texts = {
            "end_date": _("Premier jour sans accès : aujourd'hui, le rôle prend fin tout de suite."),
        }

    def clean(self):
        cleaned = super().clean()
        for field, message in role_scope_errors(
            cleaned.get("kind"), cleaned.get("sites"), cleaned.get("network")
        ).items():
            if field in self.fields:
                self.add_error(field, message)
        return cleaned
