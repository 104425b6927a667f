"""The search page: one field, results across every kind of record the reader may read."""

from urllib.parse import urlencode

from django.shortcuts import render

from evaluation.search.forms import SearchForm
from evaluation.search.services import COUNT_LIMIT, search


def results(request):
    """Signed-in people only (LoginRequiredMiddleware); the results are scoped by the services."""
    form = SearchForm(request.GET or None)
    found, query_string = None, ""
    if form.is_valid() and form.cleaned_data["q"]:
        kind = form.cleaned_data["type"] or ""
        found = search(
            user=request.user, query=form.cleaned_data["q"], kind=kind, page=form.cleaned_data["page"] or 1
        )
        query_string = urlencode({"q": found.query, **({"type": kind} if kind else {})})
    return render(
        request,
        "search/results.html",
        {"form": form, "found": found, "query_string": query_string, "limit": COUNT_LIMIT},
    )
