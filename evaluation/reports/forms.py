"""Forms of the evaluation reports: an on-demand request, a draft's texts, and the schedules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from atc import bounds
from atc.bounds import BoundedModelForm
from atc.periods import PeriodError, parse_period
from atc.permissions import access_of, can_request_report, is_national, readable_sites
from evaluation.models import NARRATIVE_MAX_CHARS, LogbookEntry, Quote, ReportSchedule, Scope
from evaluation.reports.content import CHAPTERS, paragraphs
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

    draft = forms.BooleanField(
        label=_("Créer un brouillon pour rédiger les textes avant d'émettre le rapport"),
        required=False,
        help_text=_(
            "Pour l'équipe nationale et les têtes de réseau : introduction, commentaires des chapitres, "
            "conclusion, extraits de carnets de bord et paroles d'acteurs, puis « Émettre »."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not (is_national(user) or access_of(user).network_ids):
            del self.fields["draft"]
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
        if cleaned.get("draft") and not self.errors and not is_national(self.user):
            target = self.target()
            network = target.network or (target.site.network if target.site else None)
            if network is None or network.pk not in access_of(self.user).network_ids:
                self.add_error(
                    "draft",
                    _(
                        "Les brouillons sont rédigés par l'équipe nationale et, pour leur réseau, "
                        "les têtes de réseau."
                    ),
                )
        return cleaned

    def target(self) -> Target:
        data = self.cleaned_data
        return Target(data["scope"], network=data["network"], site=data["site"])


class ReportScheduleForm(BoundedModelForm):
    class Meta:
        model = ReportSchedule
        fields = [
            "name",
            "scope",
            "network",
            "site",
            "periodicity",
            "day_of_month",
            "issue_automatically",
            "recipients",
        ]
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


def _plain_text(value: str) -> str:
    """A narrative text as stored: control characters other than line breaks removed."""
    return "\n\n".join(paragraphs(value))


def _bounded_text(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=NARRATIVE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=help_text,
        error_messages={
            "max_length": _(
                "Ce texte dépasse %(limit_value)s caractères (il en compte %(show_value)s) : "
                "raccourcissez-le ou répartissez-le entre l'introduction, les commentaires et la conclusion."
            )
        },
    )


class NarrativeForm(forms.Form):
    """A draft report's texts (plain text: a blank line separates paragraphs; no markup is
    interpreted) and the logbook extracts and quotes it picks, from the report's sites and period."""

    introduction = _bounded_text(
        _("Introduction"), _("Texte simple : une ligne vide sépare deux paragraphes. Aucune mise en forme.")
    )
    conclusion = _bounded_text(_("Conclusion"))
    logbook_entries = forms.ModelMultipleChoiceField(
        label=_("Extraits de carnets de bord"),
        queryset=LogbookEntry.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Entrées des sites du rapport sur sa période : « ce qui s'est passé » et les enseignements."
        ),
    )
    quotes = forms.ModelMultipleChoiceField(
        label=_("Paroles d'acteurs"),
        queryset=Quote.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Citations enregistrées par les sites du rapport ; le nom n'apparaît qu'avec l'accord "
            "de la personne."
        ),
    )

    def __init__(self, *args, sites, period, **kwargs):
        super().__init__(*args, **kwargs)
        for chapter in CHAPTERS:
            self.fields[f"commentary_{chapter.key}"] = _bounded_text(
                _("Commentaire du chapitre « %(title)s »") % {"title": chapter.title}
            )
        self.order_fields(["introduction", *[f"commentary_{c.key}" for c in CHAPTERS], "conclusion"])
        self.fields["logbook_entries"].queryset = (
            LogbookEntry.objects.filter(
                site__in=sites, period_end__gte=period.start, period_start__lte=period.end
            )
            .select_related("site")
            .order_by("site__name", "period_start", "pk")
        )
        self.fields["logbook_entries"].label_from_instance = lambda entry: (
            _("%(site)s — %(kind)s du %(start)s au %(end)s : %(text)s")
            % {
                "site": entry.site.name,
                "kind": entry.get_kind_display(),
                "start": entry.period_start.strftime("%d/%m/%Y"),
                "end": entry.period_end.strftime("%d/%m/%Y"),
                "text": entry.happened[:160],
            }
        )
        self.fields["quotes"].queryset = (
            Quote.objects.filter(site__in=sites)
            .select_related("site")
            .order_by("site__name", "-said_on", "pk")
        )
        self.fields["quotes"].label_from_instance = lambda quote: (
            _("%(site)s — %(role)s : « %(text)s »")
            % {
                "site": quote.site.name,
                "role": quote.speaker_role,
                "text": quote.text[:160],
            }
        )

    @staticmethod
    def initial_of(narrative) -> dict:
        if narrative is None:
            return {}
        initial = {
            "introduction": narrative.introduction,
            "conclusion": narrative.conclusion,
            "logbook_entries": list(narrative.logbook_entries.all()),
            "quotes": list(narrative.quotes.all()),
        }
        for key, text in (narrative.commentaries or {}).items():
            initial[f"commentary_{key}"] = text
        return initial

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if isinstance(value, str):
                cleaned[name] = _plain_text(value)
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "introduction": data["introduction"],
            "conclusion": data["conclusion"],
            "commentaries": {c.key: data[f"commentary_{c.key}"] for c in CHAPTERS},
            "logbook_entries": data["logbook_entries"],
            "quotes": data["quotes"],
        }
