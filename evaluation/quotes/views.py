"""A site's actors' quotes: read by those who read the site, recorded by the site team."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from atc.permissions import can_write_site, get_object_for_site
from atc.views import form_page
from evaluation.models import Quote
from evaluation.quotes import services
from evaluation.quotes.forms import QuoteForm
from sites.access import get_site_for_user


def quote_list(request, slug):
    site = get_site_for_user(request, slug)
    quotes = Quote.objects.filter(site=site).order_by("-said_on", "-pk")
    context = {"site": site, "quotes": quotes, "can_write": can_write_site(request.user, site)}
    return render(request, "quotes/quote_list.html", context)


def _quote_form_page(request, site, quote):
    form = QuoteForm(request.POST or None, instance=quote)
    heading = _("Modifier la citation") if quote.pk else _("Nouvelle citation")
    list_url = reverse("quotes:quote_list", args=[site.slug])

    def save():
        data = {name: form.cleaned_data[name] for name in QuoteForm.Meta.fields}
        services.quote_save(site=site, user=request.user, data=data, quote=quote)
        return list_url

    return form_page(
        request,
        form,
        save=save,
        saved=_("Citation enregistrée."),
        not_saved=_("La citation n'a pas été enregistrée : corrigez les erreurs."),
        heading=heading,
        parent_url=list_url,
        parent_label=_("Paroles d'acteurs"),
        current_label=heading,
    )


def quote_create(request, slug):
    site = get_site_for_user(request, slug, write=True)
    return _quote_form_page(request, site, Quote(site=site, recorded_by=request.user))


def quote_edit(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    quote = get_object_for_site(request, Quote.objects.all(), site, pk)
    return _quote_form_page(request, site, quote)
