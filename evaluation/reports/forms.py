"""Forms of the evaluation reports: an on-demand request and the schedules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from atc.periods import PeriodError, parse_period
from atc.permissions import access_of, can_request_report, is_national, readable_sites
from evaluation.models import ReportSchedule, Scope
from evaluation.reports.scopes import Target
from sites.models import Network, Site


def _check_scope(cleaned: dict) -> None:
    """The chosen scope needs its network or its site, and nothing else."""
    scope = cleaned.get("scope")
    if scope == Scope.NETWORK and not cleaned.get("network"):
        raise ValidationError({"network": _("Choisissez la tête de réseau du rapport.")})
    if scope == Scope.SITE and not cleaned.get("site"):
        raise ValidationError({"site": _("Choisissez le site du rapport.")})
    if scope != Scope.NETWORK:
        cleaned["network"] = None
    if scope != Scope.SITE:
        cleaned["site"] = None


class ReportRequestForm(forms.Form):
    scope = forms.ChoiceField(label=_("Périmètre"), choices=Scope.choices, initial=Scope.NATIONAL)
    network = forms.ModelChoiceField(
        label=_("Tête de réseau"),
        queryset=Network.objects.order_by("name"),
        required=False,
        help_text=_("Pour un rapport de réseau."),
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.order_by("name"),
        required=False,
        help_text=_("Pour un rapport de site."),
    )
    period = forms.CharField(
        label=_("Période"),
        max_length=40,
        help_text=_(
            "Une année (2021), un semestre (S1 2021), un trimestre (T1 2021) "
            "ou deux dates (01/01/2021..30/06/2021)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not is_national(user):
            # Only the scopes the person may ask for are offered; the rule is checked again in clean().
            self.fields["scope"].choices = [(k, v) for k, v in Scope.choices if k != Scope.NATIONAL]
            self.fields["scope"].initial = Scope.SITE
            networks = sorted(access_of(user).network_ids)
            self.fields["network"].queryset = Network.objects.filter(pk__in=networks).order_by("name")
            self.fields["site"].queryset = readable_sites(user, Site.objects.order_by("name"))

    def clean_period(self):
        try:
            period = parse_period(self.cleaned_data["period"])
        except PeriodError as exc:
            raise ValidationError(str(exc)) from exc
        except ValueError as exc:  # a year such as 9999 or 0000 the parser cannot turn into dates
            raise ValidationError(bounds.RANGES["date"].message) from exc
        if not bounds.span_within(period.start, period.end):
            raise ValidationError(bounds.RANGES["date"].message)
        return period

    def clean(self):
        cleaned = super().clean()
        _check_scope(cleaned)
        if cleaned.get("scope") and not self.errors and not can_request_report(self.user, self.target()):
            raise ValidationError(
                _("Ce périmètre ne fait pas partie des vôtres : choisissez un de vos sites.")
            )
        return cleaned

    def target(self) -> Target:
        data = self.cleaned_data
        return Target(data["scope"], network=data["network"], site=data["site"])


class ReportScheduleForm(BoundedModelForm):
    class Meta:
        model = ReportSchedule
        fields = ["name", "scope", "network", "site", "periodicity", "day_of_month", "recipients"]
        widgets = {"recipients": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "network": _("Pour un rapport de réseau."),
            "site": _("Pour un rapport de site."),
        }

    def clean(self):
        cleaned = super().clean()
        _check_scope(cleaned)
        if "recipients" in cleaned and not [
            line for line in cleaned["recipients"].splitlines() if line.strip()
        ]:
            self.add_error("recipients", _("Indiquez au moins une adresse e-mail."))
        return cleaned
