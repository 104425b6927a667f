"""The claim form: what was avoided or obtained, its amount or quantity, the hypothesis, its
source and, optionally, a document stored as one of the action's attachments."""

from django import forms
from django.utils.translation import gettext_lazy as _

from atc.bounds import BoundedModelForm
from pilotage.forms import DateInput
from pilotage.ledger.services import EDITABLE_FIELDS
from pilotage.models import AvoidedCostClaim
from pilotage.uploads import accepted_formats_label, check_upload


class ClaimForm(BoundedModelForm):
    documented = forms.BooleanField(
        label=_("Ce montant est documenté"),
        required=False,
        help_text=_("Cochez si un document joint ou la déclaration d'un partenaire l'appuie."),
    )
    upload = forms.FileField(label=_("Document justificatif"), required=False)

    class Meta:
        model = AvoidedCostClaim
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "hypothesis": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "description": {"required": _("Dites ce qui a été évité ou obtenu.")},
            "period_start": {
                "required": _("Indiquez le début de la période concernée."),
                "invalid": _("Saisissez une date au format JJ/MM/AAAA."),
            },
            "period_end": {"invalid": _("Saisissez une date au format JJ/MM/AAAA.")},
            "hypothesis": {
                "required": _("Expliquez l'hypothèse et le calcul : un montant seul ne se lit pas.")
            },
            "amount": {"invalid": _("Saisissez un montant en euros, par exemple 1500 ou 1500,50.")},
            "quantity": {"invalid": _("Saisissez une quantité, par exemple 12.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _("Facultatif. %(formats)s, 10 Mo au plus.") % {
            "formats": accepted_formats_label()
        }
        if self.instance.pk:
            self.fields["documented"].initial = (
                self.instance.confidence != AvoidedCostClaim.Confidence.DECLARED
            )

    def clean_upload(self):
        uploaded = self.cleaned_data.get("upload")
        if uploaded:
            check_upload(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("amount") is None and cleaned.get("quantity") is None and not self.has_error("amount"):
            self.add_error(
                "amount", _("Indiquez un montant en euros, une quantité avec son unité, ou les deux.")
            )
        if cleaned.get("quantity") is not None and not (cleaned.get("unit") or "").strip():
            self.add_error("unit", _("Indiquez l'unité de la quantité (nuitées, heures…)."))
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("La fin de la période doit suivre son début."))
        return cleaned
