"""Avoided costs and leverage of an action: the site team records and edits claims, the national
team verifies them. The claims are listed on the action's page (templates/ledger/_action_claims.html)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from atc.permissions import can_verify_claims, get_object_for_site, log_refusal
from pilotage.ledger import services
from pilotage.ledger.forms import ClaimForm
from pilotage.models import Action, AvoidedCostClaim
from sites.access import get_site_for_user


def _action_url(site, action) -> str:
    return reverse("pilotage:action_detail", args=[site.slug, action.pk]) + "#couts-evites"


def _add_errors(form, exc: ValidationError) -> None:
    """The service's refusal beside the field it is about (the documented box by default)."""
    if not hasattr(exc, "error_dict"):
        form.add_error("documented", exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _form_page(request, site, action, form, claim=None):
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_save(
                action=action,
                user=request.user,
                data=form.cleaned_data,
                documented=form.cleaned_data["documented"],
                uploaded=form.cleaned_data.get("upload"),
                claim=claim,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Coût évité ou effet levier enregistré."))
            return redirect(_action_url(site, action))
    if request.method == "POST":
        messages.error(request, _("Rien n'a été enregistré : corrigez les champs signalés."))
    return render(
        request,
        "ledger/claim_form.html",
        {
            "site": site,
            "action": action,
            "form": form,
            "claim": claim,
            "action_url": _action_url(site, action),
        },
    )


@require_http_methods(["GET", "POST"])
def claim_create(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    action = get_object_for_site(request, Action.objects.all(), site, pk)
    form = ClaimForm(request.POST or None, request.FILES or None)
    return _form_page(request, site, action, form)


@require_http_methods(["GET", "POST"])
def claim_edit(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    claim = get_object_for_site(request, AvoidedCostClaim.objects.select_related("action"), site, pk)
    form = ClaimForm(request.POST or None, request.FILES or None, instance=claim)
    return _form_page(request, site, claim.action, form, claim)


@require_POST
def claim_delete(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    claim = get_object_for_site(request, AvoidedCostClaim.objects.select_related("action"), site, pk)
    services.claim_delete(claim=claim)
    messages.success(request, _("Coût évité ou effet levier supprimé."))
    return redirect(_action_url(site, claim.action))


@require_POST
def claim_verify(request, slug, pk):
    site = get_site_for_user(request, slug)
    claim = get_object_for_site(request, AvoidedCostClaim.objects.select_related("action"), site, pk)
    if not can_verify_claims(request.user):
        log_refusal(request, "cannot_verify_claim", claim.pk)
        raise PermissionDenied(_("Seule l'équipe nationale vérifie les coûts évités."))
    try:
        services.claim_verify(claim=claim, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Montant marqué comme vérifié."))
    return redirect(_action_url(site, claim.action))
