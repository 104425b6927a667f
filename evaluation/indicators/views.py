"""Pages of the indicators: the national team defines them and sees, per period, which sites
entered what; each site's team enters its values for a period."""

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.periods import PeriodError, adjacent_period, parse_period, period_before
from atc.permissions import require_national
from atc.views import form_page
from evaluation.indicators.forms import IndicatorForm, IndicatorValuesForm
from evaluation.indicators.services import indicator_values_save
from evaluation.models import Indicator, IndicatorValue, Periodicity
from sites.access import get_site_for_user
from sites.models import Site


def _period_from(request):
    """The period in `?periode=`, or the last complete quarter; and an error text if unreadable."""
    text = request.GET.get("periode", "")
    if text:
        try:
            return parse_period(text), ""
        except PeriodError as exc:
            return period_before(Periodicity.QUARTER, timezone.localdate()), str(exc)
    return period_before(Periodicity.QUARTER, timezone.localdate()), ""


def indicator_list(request):
    """The indicators, and the completeness of the entered ones for a period (site × indicator)."""
    require_national(request)
    period, period_error = _period_from(request)
    indicators = list(Indicator.objects.all())
    entered = [i for i in indicators if i.source == Indicator.Source.ENTERED and i.is_active]
    filled = set(
        IndicatorValue.objects.filter(
            period_start=period.start, period_end=period.end, indicator__in=entered
        ).values_list("site_id", "indicator_id")
    )
    rows = [
        (site, [(i, (site.pk, i.pk) in filled) for i in entered]) for site in Site.objects.order_by("name")
    ]
    complete = sum(1 for _site, cells in rows if cells and all(ok for _i, ok in cells))
    return render(
        request,
        "indicators/indicator_list.html",
        {
            "indicators": indicators,
            "entered": entered,
            "rows": rows,
            "complete": complete,
            "period": period,
            "period_error": period_error,
        },
    )


def _indicator_form_page(request, indicator):
    form = IndicatorForm(request.POST or None, instance=indicator)
    heading = _("Modifier l'indicateur") if indicator.pk else _("Nouvel indicateur")
    list_url = reverse("indicators:indicator_list")

    def save():
        form.save()
        return list_url

    return form_page(
        request,
        form,
        save=save,
        saved=_("Indicateur enregistré."),
        not_saved=_("L'indicateur n'a pas été enregistré : corrigez les erreurs."),
        heading=heading,
        parent_url=list_url,
        parent_label=_("Indicateurs"),
        current_label=indicator.name if indicator.pk else heading,
    )


def indicator_create(request):
    require_national(request)
    return _indicator_form_page(request, Indicator())


def indicator_edit(request, pk):
    require_national(request)
    return _indicator_form_page(request, get_object_or_404(Indicator, pk=pk))


def _period_links(site, period) -> dict:
    """The navigator of the values page: the periods before and after, and the last closed period
    of each periodicity some active entered indicator has."""
    periodicities = set(
        Indicator.objects.filter(is_active=True, source=Indicator.Source.ENTERED).values_list(
            "periodicity", flat=True
        )
    )
    today = timezone.localdate()
    return {
        "previous": adjacent_period(period, -1),
        "next": adjacent_period(period, 1),
        "kinds": [
            (label, period_before(value, today))
            for value, label in Periodicity.choices
            if value in periodicities and value != period.kind
        ],
    }


def indicator_values(request, slug, period):
    """A site's values, for one period, of the entered indicators of that period's periodicity (a
    half-yearly indicator on half-years only)."""
    site = get_site_for_user(request, slug, write=True)
    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        raise BadRequest(str(exc)) from exc
    if parsed.kind not in Periodicity.values:
        raise BadRequest(
            _("Les indicateurs se saisissent par trimestre, semestre ou année, pas entre deux dates.")
        )
    indicators = list(
        Indicator.objects.filter(
            is_active=True, source=Indicator.Source.ENTERED, periodicity=parsed.kind
        ).order_by("name")
    )
    values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(site=site, period_start=parsed.start, period_end=parsed.end)
    }
    form = IndicatorValuesForm(request.POST or None, indicators=indicators, values=values)
    if request.method == "POST":
        if form.is_valid():
            count = indicator_values_save(site=site, period=parsed, values=form.entered(), user=request.user)
            messages.success(
                request, _("%(n)s valeur(s) enregistrée(s) pour %(p)s.") % {"n": count, "p": parsed.title}
            )
            return redirect("indicators:indicator_values", slug, parsed.label)
        messages.error(request, _("Rien n'a été enregistré : corrigez les erreurs."))
    return render(
        request,
        "indicators/indicator_values.html",
        {
            "site": site,
            "period": parsed,
            "form": form,
            "indicators": indicators,
            "periodicity": Periodicity(parsed.kind).label,
            **_period_links(site, parsed),
        },
    )


def indicator_values_latest(request, slug):
    """The site menu's « Indicateurs »: the last closed quarter's values page."""
    site = get_site_for_user(request, slug, write=True)
    latest = period_before(Periodicity.QUARTER, timezone.localdate())
    return redirect("indicators:indicator_values", site.slug, latest.label)
