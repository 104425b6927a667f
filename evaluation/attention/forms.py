from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.figures import attention


def field_name(rule: str, key: str) -> str:
    return f"{rule}__{key}"


class ThresholdsForm(forms.Form):
    """One whole-number field per threshold of every rule, within the bounds its rule declares."""

    def __init__(self, *args, current: attention.Thresholds, **kwargs):
        super().__init__(*args, **kwargs)
        for rule in attention.RULES:
            for param in rule.parameters:
                self.fields[field_name(rule.key, param.key)] = forms.IntegerField(
                    label=f"{rule.label} — {param.label}",
                    min_value=param.minimum,
                    max_value=param.maximum,
                    initial=current[(rule.key, param.key)],
                    help_text=_("Entre %(min)s et %(max)s ; %(default)s par défaut.")
                    % {"min": param.minimum, "max": param.maximum, "default": param.default},
                    error_messages={
                        "required": _("Indiquez une valeur (%(default)s par défaut).")
                        % {"default": param.default},
                        "invalid": _("Saisissez un nombre entier, sans décimale ni unité."),
                        "min_value": _("La valeur doit être au moins %(limit_value)s."),
                        "max_value": _("La valeur doit être au plus %(limit_value)s."),
                    },
                )

    def values(self) -> dict[tuple[str, str], int]:
        return {
            (rule.key, param.key): self.cleaned_data[field_name(rule.key, param.key)]
            for rule in attention.RULES
            for param in rule.parameters
        }
