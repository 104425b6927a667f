"""The role's scope rule, read by the people pages' forms (sites.people.forms) and the admin."""

from django.utils.translation import gettext_lazy as _

from atc.bounds import BoundedModelForm
from atc.models import Role

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
