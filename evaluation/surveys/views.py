"""Questionnaires and campaigns (the national team's, and a site team's for its own site), and the
public answer pages reached by a personal link (no account: they opt out of LoginRequiredMiddleware
explicitly)."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from atc.permissions import require_national, require_survey_manager
from atc.spreadsheets import csv_bytes
from atc.views import form_page
from evaluation.figures import campaigns as figures
from evaluation.models import Campaign, CampaignRecipient, Question, Questionnaire
from evaluation.surveys import services
from evaluation.surveys.forms import (
    LONG_TEXT_MAX,
    AnswerForm,
    CampaignForm,
    QuestionForm,
    QuestionnaireForm,
    RecipientForm,
    RecipientImportForm,
)
from evaluation.surveys.throttling import answer_allowed
from pilotage.imports import services as import_services
from pilotage.imports.reading import ImportFileError, read_rows
from sites.access import get_site_for_user

PENDING = "pending_survey_recipients"


def _questionnaire(request, pk) -> Questionnaire:
    """A questionnaire its reader may manage: a national one, the national team; a site's, its
    team too (`require_survey_manager`: 404 outside the site, 403 for its other readers)."""
    questionnaire = get_object_or_404(Questionnaire.objects.select_related("site"), pk=pk)
    require_survey_manager(request, questionnaire.site)
    return questionnaire


def _campaign(request, pk) -> Campaign:
    """A campaign belongs to its questionnaire's owner (a site's team, or the national team)."""
    campaign = get_object_or_404(Campaign.objects.select_related("questionnaire__site", "site"), pk=pk)
    require_survey_manager(request, campaign.questionnaire.site)
    return campaign


# --- A site's own questionnaires and campaigns --------------------------------------------------------


def site_surveys(request, slug):
    """The site's questionnaires and campaigns, for its team and the national team."""
    site = get_site_for_user(request, slug)
    require_survey_manager(request, site)
    context = {
        "site": site,
        "questionnaires": site.questionnaires.order_by("title", "-version"),
        "campaigns": figures.campaigns_with_rates(
            Campaign.objects.filter(questionnaire__site=site).select_related("questionnaire", "site")
        ),
    }
    return render(request, "surveys/site_surveys.html", context)


def site_questionnaire_create(request, slug):
    site = get_site_for_user(request, slug)
    require_survey_manager(request, site)
    form = QuestionnaireForm(request.POST or None)

    def save():
        questionnaire = services.questionnaire_create(user=request.user, site=site, **form.cleaned_data)
        return reverse("surveys:questionnaire_detail", args=[questionnaire.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Questionnaire créé."),
        not_saved=_("Le questionnaire n'a pas été créé : corrigez les champs signalés."),
        heading=_("Nouveau questionnaire du site"),
        parent_url=reverse("surveys:site_surveys", args=[site.slug]),
        parent_label=_("Enquêtes du site"),
        current_label=_("Nouveau questionnaire"),
    )


# --- Questionnaires ---------------------------------------------------------------------------------


def questionnaire_list(request):
    require_national(request)
    questionnaires = Questionnaire.objects.select_related("site").order_by("title", "-version")
    return render(request, "surveys/questionnaire_list.html", {"questionnaires": questionnaires})


def questionnaire_create(request):
    require_national(request)
    form = QuestionnaireForm(request.POST or None)

    def save():
        questionnaire = services.questionnaire_create(user=request.user, **form.cleaned_data)
        return reverse("surveys:questionnaire_detail", args=[questionnaire.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Questionnaire créé."),
        not_saved=_("Le questionnaire n'a pas été créé : corrigez les champs signalés."),
        heading=_("Nouveau questionnaire"),
        parent_url=reverse("surveys:questionnaire_list"),
        parent_label=_("Questionnaires"),
        current_label=_("Nouveau questionnaire"),
    )


def questionnaire_detail(request, pk):
    questionnaire = _questionnaire(request, pk)
    context = {
        "questionnaire": questionnaire,
        "questions": questionnaire.questions.select_related("item"),
        "campaigns": questionnaire.campaigns.order_by("-opens_on"),
    }
    return render(request, "surveys/questionnaire_detail.html", context)


def questionnaire_preview(request, pk):
    questionnaire = _questionnaire(request, pk)
    form = AnswerForm(questions=questionnaire.questions.all())
    return render(request, "surveys/preview.html", {"questionnaire": questionnaire, "form": form})


@require_POST
def questionnaire_new_version(request, pk):
    questionnaire = _questionnaire(request, pk)
    copy = services.questionnaire_new_version(questionnaire=questionnaire, user=request.user)
    messages.success(
        request, _("Version %(version)s créée : ses questions peuvent changer.") % {"version": copy.version}
    )
    return redirect("surveys:questionnaire_detail", copy.pk)


def _locked(request, questionnaire):
    messages.error(
        request,
        _("Ce questionnaire a été envoyé : ses questions ne changent plus. Créez-en une nouvelle version."),
    )
    return redirect("surveys:questionnaire_detail", questionnaire.pk)


def _question_page(request, questionnaire, question=None):
    if questionnaire.is_locked:
        return _locked(request, questionnaire)
    form = QuestionForm(request.POST or None, instance=question, questionnaire=questionnaire)

    def save():
        services.question_save(questionnaire=questionnaire, question=question, data=form.cleaned_data)
        return reverse("surveys:questionnaire_detail", args=[questionnaire.pk])

    label = _("Modifier la question") if question else _("Ajouter une question")
    return form_page(
        request,
        form,
        save=save,
        saved=_("Question enregistrée."),
        not_saved=_("La question n'a pas été enregistrée : corrigez les champs signalés."),
        heading=label,
        parent_url=reverse("surveys:questionnaire_detail", args=[questionnaire.pk]),
        parent_label=questionnaire.title,
        current_label=label,
    )


def question_add(request, pk):
    questionnaire = _questionnaire(request, pk)
    return _question_page(request, questionnaire)


def question_edit(request, pk, qpk):
    questionnaire = _questionnaire(request, pk)
    return _question_page(
        request, questionnaire, get_object_or_404(Question, pk=qpk, questionnaire=questionnaire)
    )


@require_POST
def question_delete(request, pk, qpk):
    questionnaire = _questionnaire(request, pk)
    question = get_object_or_404(Question, pk=qpk, questionnaire=questionnaire)
    try:
        services.question_delete(question=question)
    except services.QuestionnaireLocked:
        return _locked(request, questionnaire)
    messages.success(request, _("Question supprimée."))
    return redirect("surveys:questionnaire_detail", questionnaire.pk)


# --- Campaigns ----------------------------------------------------------------------------------------


def campaign_list(request):
    require_national(request)
    campaigns = figures.campaigns_with_rates(Campaign.objects.select_related("questionnaire", "site"))
    return render(request, "surveys/campaign_list.html", {"campaigns": campaigns})


def campaign_create(request, pk):
    questionnaire = _questionnaire(request, pk)
    form = CampaignForm(request.POST or None, questionnaire=questionnaire)

    def save():
        campaign = services.campaign_create(
            questionnaire=questionnaire, user=request.user, **form.cleaned_data
        )
        return reverse("surveys:campaign_detail", args=[campaign.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Campagne créée : ajoutez ses destinataires, puis envoyez les invitations."),
        not_saved=_("La campagne n'a pas été créée : corrigez les champs signalés."),
        heading=_("Nouvelle campagne"),
        parent_url=reverse("surveys:questionnaire_detail", args=[questionnaire.pk]),
        parent_label=questionnaire.title,
        current_label=_("Nouvelle campagne"),
    )


def campaign_detail(request, pk):
    campaign = _campaign(request, pk)
    context = {
        "campaign": campaign,
        "rates": figures.campaign_rates(campaign),
        "recipients": campaign.recipients.select_related("site").order_by("site__city", "name", "pk"),
        "distributions": figures.distributions(campaign),
        "reminders_due": services.reminders_due(campaign=campaign),
        "revealed": services.results_shown(campaign),
        "import_form": RecipientImportForm(),
        "logbook_quarter": services.logbook_quarter(campaign) if services.is_logbook(campaign) else None,
    }
    return render(request, "surveys/campaign_detail.html", context)


def recipient_add(request, pk):
    campaign = _campaign(request, pk)
    form = RecipientForm(request.POST or None, campaign=campaign)

    def save():
        services.recipient_add(campaign=campaign, **form.cleaned_data)
        return reverse("surveys:campaign_detail", args=[campaign.pk])

    return form_page(
        request,
        form,
        save=save,
        saved=_("Destinataire ajouté·e."),
        not_saved=_("Le ou la destinataire n'a pas été ajouté·e : corrigez les champs signalés."),
        heading=_("Ajouter un·e destinataire"),
        parent_url=reverse("surveys:campaign_detail", args=[campaign.pk]),
        parent_label=campaign.title,
        current_label=_("Ajouter un·e destinataire"),
    )


def recipient_import(request, pk):
    """A file checked first (nothing added), then confirmed: the same file is read again from
    where it was kept, and added whole or not at all."""
    campaign = _campaign(request, pk)
    form = RecipientImportForm(request.POST or None, request.FILES or None)
    context = {"campaign": campaign, "form": form}
    if request.method == "POST" and request.POST.get("token"):
        entry = request.session.get(PENDING, {}).get(request.POST["token"])
        if not entry or entry["campaign"] != campaign.pk:
            messages.error(request, _("Ce fichier n'est plus disponible : déposez-le à nouveau."))
            return redirect("surveys:recipient_import", campaign.pk)
        with default_storage.open(entry["path"]) as handle:
            rows = read_rows(handle.read())
        result = services.recipients_import(campaign=campaign, rows=rows)
        default_storage.delete(entry["path"])
        request.session[PENDING] = {}
        if result.errors:
            context["result"] = result
            return render(request, "surveys/recipient_import.html", context, status=400)
        messages.success(request, _("%(count)s destinataires ajouté·es.") % {"count": len(result.rows)})
        return redirect("surveys:campaign_detail", campaign.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            result = services.recipients_check(campaign=campaign, rows=read_rows(data))
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return render(request, "surveys/recipient_import.html", context, status=400)
        context["result"] = result
        if not result.errors:
            token = uuid.uuid4().hex
            path = import_services.pending_file_save(data, token)
            request.session[PENDING] = {token: {"campaign": campaign.pk, "path": path}}
            context["token"] = token
        return render(request, "surveys/recipient_import.html", context, status=400 if result.errors else 200)
    return render(request, "surveys/recipient_import.html", context, status=400 if form.errors else 200)


@require_POST
def recipient_revoke(request, pk, rpk):
    campaign = _campaign(request, pk)
    recipient = get_object_or_404(CampaignRecipient, pk=rpk, campaign=campaign)
    services.recipient_revoke(recipient=recipient)
    messages.success(request, _("Le lien de %(name)s est révoqué.") % {"name": recipient.name})
    return redirect("surveys:campaign_detail", campaign.pk)


@require_POST
def campaign_send(request, pk):
    campaign = _campaign(request, pk)
    services.campaign_send(campaign=campaign)
    messages.success(request, _("Les invitations partent : le questionnaire est figé."))
    return redirect("surveys:campaign_detail", campaign.pk)


@require_POST
def campaign_remind(request, pk):
    campaign = _campaign(request, pk)
    count = services.reminders_send(campaign=campaign)
    messages.success(request, _("Relances envoyées : %(count)s.") % {"count": count})
    return redirect("surveys:campaign_detail", campaign.pk)


def campaign_texts_export(request, pk):
    """The free-text answers, one row per answer (never who wrote it)."""
    campaign = _campaign(request, pk)
    if not services.results_shown(campaign):
        messages.error(
            request,
            _(
                "Les réponses restent masquées tant que les deux regards n'ont pas été donnés : "
                "revenez ensuite."
            ),
        )
        return redirect("surveys:campaign_detail", campaign.pk)
    rows = [(dist.question.text, text) for dist in figures.distributions(campaign) for text in dist.texts]
    response = HttpResponse(
        csv_bytes([_("Question"), _("Réponse")], rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="reponses-campagne-{campaign.pk}.csv"'
    return response


# --- Answering (public) -------------------------------------------------------------------------------


def _refused(request, problem, recipient=None, status=404):
    return render(
        request, "surveys/answer_refused.html", {"problem": problem, "recipient": recipient}, status=status
    )


def _draft_values(request, form: AnswerForm) -> dict:
    """What was typed, as typed (valid or not): a draft loses nothing."""
    values = {}
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.CheckboxSelectMultiple):
            values[name] = [v[:LONG_TEXT_MAX] for v in request.POST.getlist(name)][:50]
        else:
            values[name] = request.POST.get(name, "")[:LONG_TEXT_MAX]
    return values


def _logbook_refusal(form: AnswerForm, exc: ValidationError) -> None:
    """What the logbook refused (a rubric out of its range), on the question that fills it."""
    by_field = {q.logbook_field: f"q{q.pk}" for q in form.questions if q.logbook_field}
    for name, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(by_field.get(name), errors)


@login_not_required
@never_cache
def answer(request, token):
    """The questionnaire behind a personal link: save a draft, or send (once)."""
    if not answer_allowed(request):
        return _refused(request, "throttled", status=429)
    link = services.link_open(token)
    if link.problem:
        status = 404 if link.problem == "unknown" else 410
        return _refused(request, link.problem, link.recipient, status=status)
    recipient = link.recipient
    questions = recipient.campaign.questionnaire.questions.all()
    if request.method == "POST":
        if "draft" in request.POST:
            form = AnswerForm(request.POST, questions=questions, draft=True)
            services.draft_save(recipient=recipient, data=_draft_values(request, form))
            messages.success(request, _("Brouillon enregistré : revenez par le même lien pour terminer."))
            return redirect("surveys:answer", token)
        form = AnswerForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                services.answer_submit(recipient=recipient, values=form.values())
            except services.AlreadyAnswered:
                return _refused(request, "answered", recipient, status=410)
            except ValidationError as exc:
                _logbook_refusal(form, exc)
            else:
                return redirect("surveys:answer_thanks")
        services.draft_save(recipient=recipient, data=_draft_values(request, form))
        status = 400
    else:
        form = AnswerForm(initial=services.draft_of(recipient), questions=questions)
        status = 200
    context = {"recipient": recipient, "campaign": recipient.campaign, "form": form}
    if services.is_logbook(recipient.campaign):
        context["logbook_quarter"] = services.logbook_quarter(recipient.campaign)
    return render(request, "surveys/answer.html", context, status=status)


@login_not_required
def answer_thanks(request):
    return render(request, "surveys/answer_thanks.html")
