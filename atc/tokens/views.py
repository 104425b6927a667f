"""« Mes jetons d'API » in the account pages: list, create (the secret shown once), revoke."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from atc.permissions import log_refusal
from atc.tokens import services
from atc.tokens.forms import ApiTokenForm


@never_cache
def token_list(request):
    """The person's tokens and the form of a new one. A valid POST answers this page with the new
    secret in it (never a redirect: the secret must not travel in an address or a session)."""
    form = ApiTokenForm(request.POST or None)
    created = None
    if request.method == "POST":
        if form.is_valid():
            created = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
            )
            form = ApiTokenForm()
        else:
            messages.error(request, _("Le jeton n'a pas été créé : corrigez les champs signalés."))
    context = {
        "tokens": services.api_tokens_of(request.user),
        "form": form,
        "created": created,
        "now": timezone.now(),
        "docs_url": reverse("api:docs"),
    }
    return render(request, "tokens/token_list.html", context)


@require_POST
def token_revoke(request, pk):
    token = services.api_token_revoke(user=request.user, token_id=pk)
    if token is None:
        log_refusal(request, "out_of_scope", pk)
        raise Http404("Jeton introuvable")
    messages.success(
        request, _("Le jeton « %(name)s » est révoqué : il ne donne plus accès.") % {"name": token.name}
    )
    return redirect("tokens:token_list")
