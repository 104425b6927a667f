"""Questionnaires, campaigns, sendings and answers: every write of the surveys package.

Views, tasks and tests call these functions with data (never forms or requests)."""

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from atc.links import absolute_url
from atc.mail import EmailMultiAlternatives
from atc.periods import Period
from atc.permissions import site_facilitators
from atc.queue import publish
from diagnostics.models import Assessment, AssessmentItem
from evaluation.figures import campaigns as campaign_figures
from evaluation.logbook import services as logbook_services
from evaluation.logbook.services import last_finished_quarter
from evaluation.models import (
    AnswerDraft,
    Campaign,
    CampaignAnswer,
    CampaignRecipient,
    CampaignResponse,
    LogbookEntry,
    Question,
    Questionnaire,
)
from evaluation.surveys.tokens import MAX_TOKEN_LENGTH, token_draw, token_hash
from sites.models import Site

Side = CampaignRecipient.Side
Function = CampaignRecipient.Function

# Who reads the territory from which side, by function (crossed readings).
SIDE_OF_FUNCTION = {
    Function.FACILITATOR: Side.FACILITATOR,
    Function.PREFET_DELEGATE: Side.INSTITUTIONAL,
    Function.CITY_REFERENT: Side.INSTITUTIONAL,
    Function.INTERCO_REFERENT: Side.INSTITUTIONAL,
    Function.OTHER: Side.RESIDENTS,
}


class QuestionnaireLocked(Exception):
    """The questionnaire has been sent: its questions no longer change."""


class AlreadyAnswered(Exception):
    """This link has already been used to answer."""


# --- Questionnaires -----------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(*, title: str, introduction: str = "", template: str = "free", site=None, user=None):
    """A new questionnaire; the built-in templates come with their questions."""
    questionnaire = Questionnaire.objects.create(
        title=title.strip(), introduction=introduction.strip(), template=template, site=site, created_by=user
    )
    if template == Questionnaire.Template.FLASH:
        _flash_questions(questionnaire)
    elif template == Questionnaire.Template.CROSSED_READINGS:
        _crossed_reading_questions(questionnaire)
    elif template == Questionnaire.Template.LOGBOOK:
        _logbook_questions(questionnaire)
    return questionnaire


def _add(questionnaire, rows):
    Question.objects.bulk_create(
        Question(questionnaire=questionnaire, order=(index + 1) * 10, **row) for index, row in enumerate(rows)
    )


def _flash_questions(questionnaire):
    section = _("Votre regard sur l'ATC de votre territoire")
    _add(
        questionnaire,
        [
            {
                "section": section,
                "text": _("Connaissez-vous l'animateur·rice territorial·e citoyen·ne de votre territoire ?"),
                "kind": Question.Kind.SINGLE,
                "required": True,
                "choices": "\n".join([_("Oui, je travaille avec elle ou lui"), _("Oui, de nom"), _("Non")]),
            },
            {
                "section": section,
                "text": _("Comment jugez-vous l'apport de l'ATC à la coopération entre acteurs ?"),
                "kind": Question.Kind.SCALE,
                "required": True,
                "help_text": _("De 1 (aucun apport) à 10 (apport décisif)."),
            },
            {
                "section": section,
                "text": _("Sur quels sujets l'ATC a-t-elle fait bouger les choses ?"),
                "kind": Question.Kind.MULTIPLE,
                "choices": "\n".join(
                    [
                        _("Participation des habitant·es"),
                        _("Coopération entre institutions"),
                        _("Coordination des associations"),
                        _("Vie associative"),
                    ]
                ),
            },
            {
                "section": _("Pour finir"),
                "text": _("Un exemple, une remarque, une attente ?"),
                "kind": Question.Kind.LONG_TEXT,
            },
        ],
    )


def _crossed_reading_questions(questionnaire):
    section = _("Votre lecture du territoire")
    _add(
        questionnaire,
        [
            {
                "section": section,
                "text": item.label,
                "kind": Question.Kind.SCALE,
                "required": True,
                "item": item,
                "help_text": _("De 1 (très faible) à 10 (très fort)."),
            }
            for item in AssessmentItem.objects.order_by("order", "label")
        ],
    )


def _logbook_questions(questionnaire):
    """The periodic review's rubrics, each question filling its `LogbookEntry` field."""
    section = _("Bilan de la période")
    field = Question.LogbookField
    long_text = Question.Kind.LONG_TEXT
    _add(
        questionnaire,
        [
            {
                "section": section,
                "text": _("Ce qui s'est passé"),
                "kind": long_text,
                "required": True,
                "logbook_field": field.HAPPENED,
            },
            {
                "section": section,
                "text": _("Les obstacles rencontrés"),
                "kind": long_text,
                "logbook_field": field.DIFFICULTIES,
            },
            {
                "section": section,
                "text": _("Les enseignements"),
                "kind": long_text,
                "logbook_field": field.LESSONS,
            },
            {
                "section": section,
                "text": _("Les changements de cap"),
                "kind": long_text,
                "logbook_field": field.CHANGES_OF_COURSE,
            },
            {
                "section": section,
                "text": _("Temps passé (heures)"),
                "kind": Question.Kind.NUMBER,
                "logbook_field": field.TIME_SPENT_HOURS,
            },
            {
                "section": section,
                "text": _("Les prochaines étapes"),
                "kind": long_text,
                "logbook_field": field.NEXT_STEPS,
            },
            {
                "section": section,
                "text": _("L'appui que vous souhaiteriez"),
                "kind": long_text,
                "logbook_field": field.SUPPORT_NEEDED,
            },
        ],
    )


@transaction.atomic
def question_save(*, questionnaire: Questionnaire, data: dict, question: Question | None = None) -> Question:
    """Add or change a question; refused once the questionnaire has been sent."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.is_locked:
        raise QuestionnaireLocked
    question = question or Question(questionnaire=questionnaire)
    for name, value in data.items():
        setattr(question, name, value)
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    questionnaire = Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    if questionnaire.is_locked:
        raise QuestionnaireLocked
    question.delete()


@transaction.atomic
def questionnaire_new_version(*, questionnaire: Questionnaire, user=None) -> Questionnaire:
    """A copy of the questionnaire, one version up and open to changes; the sent one stays as it was."""
    copy = Questionnaire.objects.create(
        title=questionnaire.title,
        introduction=questionnaire.introduction,
        template=questionnaire.template,
        site=questionnaire.site,
        version=questionnaire.version + 1,
        previous=questionnaire,
        created_by=user,
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=copy,
            order=q.order,
            section=q.section,
            text=q.text,
            help_text=q.help_text,
            kind=q.kind,
            required=q.required,
            choices=q.choices,
            item_id=q.item_id,
            logbook_field=q.logbook_field,
        )
        for q in questionnaire.questions.all()
    )
    return copy


# --- Campaigns and recipients ---------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, questionnaire: Questionnaire, user=None, **data) -> Campaign:
    """A campaign of the questionnaire; a site's questionnaire is always sent on its own site. A
    « carnet de bord » campaign starts with the site's current facilitators as its recipients."""
    if questionnaire.site_id:
        data["site"] = questionnaire.site
    if questionnaire.template == Questionnaire.Template.LOGBOOK:
        # Its answers are the site's signed review: never anonymous (the form says so first).
        data["anonymous"] = False
    campaign = Campaign.objects.create(questionnaire=questionnaire, created_by=user, **data)
    if is_logbook(campaign):
        for person in site_facilitators(campaign.site):
            recipient_add(
                campaign=campaign,
                name=person.get_full_name() or person.email,
                email=person.email,
                function=Function.FACILITATOR,
                site=campaign.site,
                user=person,
            )
    return campaign


def recipient_add(
    *,
    campaign: Campaign,
    name: str,
    email: str,
    function: str,
    site: Site,
    user=None,
    side: str | None = None,
) -> CampaignRecipient:
    """A recipient, not yet invited: their link is drawn when the invitation is sent."""
    return CampaignRecipient.objects.create(
        campaign=campaign,
        name=name.strip(),
        email=email.strip().lower(),
        function=function,
        side=side or SIDE_OF_FUNCTION.get(function, Side.INSTITUTIONAL),
        site=site,
        user=user,
        # A placeholder no token hashes to (a SHA-256 is 64 hex digits): no link opens it yet.
        token_hash=f"pending:{token_draw()}",
    )


@transaction.atomic
def recipient_revoke(*, recipient: CampaignRecipient) -> CampaignRecipient:
    if recipient.revoked_at is None:
        recipient.revoked_at = timezone.now()
        recipient.save(update_fields=["revoked_at"])
    return recipient


# --- Import of recipients (the import's reader, with a dry run) -------------------------------------

IMPORT_COLUMNS = {
    "nom": "name",
    "e-mail": "email",
    "email": "email",
    "courriel": "email",
    "fonction": "function",
    "territoire": "site",
    "site": "site",
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class RecipientImport:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def territories(self) -> int:
        return len({row["site"].pk for row in self.rows})


def _function_of(text: str):
    wanted = _fold(text)
    for value, label in Function.choices:
        if wanted in (_fold(value), _fold(label)):
            return Function(value)
    aliases = {
        "delegue du prefet": Function.PREFET_DELEGATE,
        "dp": Function.PREFET_DELEGATE,
        "commune": Function.CITY_REFERENT,
        "ville": Function.CITY_REFERENT,
        "intercommunalite": Function.INTERCO_REFERENT,
        "epci": Function.INTERCO_REFERENT,
        "animateur": Function.FACILITATOR,
        "animatrice": Function.FACILITATOR,
        "habitant": Function.OTHER,
        "habitante": Function.OTHER,
    }
    return aliases.get(wanted)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def recipients_check(*, campaign: Campaign, rows: list[list]) -> RecipientImport:
    """The recipients a file's rows (header first, from `pilotage.imports.reading.read_rows`) would
    add, and every line's problem in French. Nothing is saved."""
    result = RecipientImport()
    if not rows:
        result.errors.append(
            _("Le fichier est vide : partez du modèle (colonnes nom, e-mail, fonction, territoire).")
        )
        return result
    header = {}
    for index, cell in enumerate(rows[0]):
        key = IMPORT_COLUMNS.get(_fold(cell).replace(" ", "-")) or IMPORT_COLUMNS.get(_fold(cell))
        if key:
            header[key] = index
    missing = [name for name in ("name", "email", "function", "site") if name not in header]
    if missing:
        result.errors.append(
            _(
                "Colonnes attendues : nom, e-mail, fonction, territoire "
                "(la première ligne du fichier les nomme)."
            )
        )
        return result
    sites = {}
    owner = campaign.questionnaire.site_id
    for site in Site.objects.filter(pk=owner) if owner else Site.objects.all():
        for key in (site.slug, site.city, site.name):
            sites[_fold(key)] = site
    seen = set(campaign.recipients.values_list("email", flat=True))
    for line, row in enumerate(rows[1:], start=2):
        cells = {
            key: str(row[index]).strip() if index < len(row) and row[index] is not None else ""
            for key, index in header.items()
        }
        if not any(cells.values()):
            continue
        problems = []
        name = cells["name"][:200]
        email = cells["email"].lower()
        if not name:
            problems.append(_("le nom manque"))
        if not EMAIL_RE.match(email) or len(email) > 254:
            problems.append(_("l'adresse e-mail « %(email)s » n'est pas valide") % {"email": email[:100]})
        elif email in seen:
            problems.append(_("l'adresse %(email)s figure déjà") % {"email": email})
        function = _function_of(cells["function"])
        if function is None:
            problems.append(
                _(
                    "fonction « %(text)s » inconnue (délégué·e du préfet, commune, intercommunalité, "
                    "animateur·rice, autre)"
                )
                % {"text": cells["function"][:100]}
            )
        site = sites.get(_fold(cells["site"]))
        if site is None:
            problems.append(
                _("territoire « %(text)s » hors de la campagne (la ville ou le nom de son site)")
                % {"text": cells["site"][:100]}
                if owner
                else _("territoire « %(text)s » inconnu (ville ou nom du site)")
                % {"text": cells["site"][:100]}
            )
        if problems:
            result.errors.append(
                _("Ligne %(line)s : %(problems)s.") % {"line": line, "problems": " ; ".join(problems)}
            )
            continue
        seen.add(email)
        result.rows.append({"name": name, "email": email, "function": function, "site": site})
    if not result.rows and not result.errors:
        result.errors.append(_("Le fichier ne contient aucun destinataire : ajoutez une ligne par personne."))
    return result


@transaction.atomic
def recipients_import(*, campaign: Campaign, rows: list[list]) -> RecipientImport:
    """Add the file's recipients, all or none: a file with a problem adds nobody."""
    result = recipients_check(campaign=campaign, rows=rows)
    if result.errors:
        return result
    for row in result.rows:
        recipient_add(campaign=campaign, **row)
    return result


# --- Sendings --------------------------------------------------------------------------------------


def answer_url(token: str) -> str:
    return absolute_url(reverse("surveys:answer", args=[token]))


def _message(recipient: CampaignRecipient, token: str, *, reminder: bool) -> EmailMultiAlternatives:
    campaign = recipient.campaign
    context = {
        "recipient": recipient,
        "campaign": campaign,
        "questionnaire": campaign.questionnaire,
        "url": answer_url(token),
        "reminder": reminder,
    }
    subject = (_("Relance : %(title)s") if reminder else _("Questionnaire : %(title)s")) % {
        "title": campaign.title
    }
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string("surveys/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("surveys/email/invitation.html", context), "text/html")
    return message


def _send(recipient: CampaignRecipient, *, reminder: bool, now: datetime.datetime) -> None:
    """Draw a new link for the recipient, keep its hash, e-mail it."""
    token = token_draw()
    recipient.token_hash = token_hash(token)
    if reminder:
        recipient.reminded_at = now
        recipient.reminders_sent += 1
    else:
        recipient.invited_at = now
    recipient.save(update_fields=["token_hash", "invited_at", "reminded_at", "reminders_sent"])
    _message(recipient, token, reminder=reminder).send()


@transaction.atomic
def campaign_send(*, campaign: Campaign) -> None:
    """Lock the questionnaire and queue the invitations (after the commit)."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=campaign.questionnaire_id)
    if questionnaire.locked_at is None:
        questionnaire.locked_at = timezone.now()
        questionnaire.save(update_fields=["locked_at"])
    transaction.on_commit(lambda: publish("evaluation.surveys.send_invitations", campaign.pk))


def invitations_send(*, campaign_id: int, now: datetime.datetime | None = None) -> int:
    """E-mail every recipient not yet invited (nor revoked); how many were sent. Each recipient
    is claimed in its own transaction, so a second run never sends twice."""
    now = now or timezone.now()
    sent = 0
    ids = list(
        CampaignRecipient.objects.filter(
            campaign_id=campaign_id, invited_at__isnull=True, revoked_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            recipient = (
                CampaignRecipient.objects.select_for_update()
                .select_related("campaign__questionnaire")
                .filter(pk=pk, invited_at__isnull=True)
                .first()
            )
            if recipient is None:
                continue
            _send(recipient, reminder=False, now=now)
            sent += 1
    return sent


def _remindable(campaign: Campaign, now: datetime.datetime):
    limit = now - datetime.timedelta(days=campaign.reminder_delay_days)
    return (
        campaign.recipients.filter(
            answered_on__isnull=True,
            revoked_at__isnull=True,
            invited_at__isnull=False,
            invited_at__lte=limit,
            reminders_sent__lt=campaign.max_reminders,
        )
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=limit))
        .order_by("pk")
    )


def reminders_due(*, campaign: Campaign, now: datetime.datetime | None = None) -> int:
    return _remindable(campaign, now or timezone.now()).count()


def reminders_send(*, campaign: Campaign, now: datetime.datetime | None = None) -> int:
    """Remind those who have not answered, at most `max_reminders` times and never sooner than
    `reminder_delay_days` after the previous sending; how many were reminded."""
    now = now or timezone.now()
    if now.date() > campaign.closes_on:
        return 0
    sent = 0
    for pk in list(_remindable(campaign, now).values_list("pk", flat=True)):
        with transaction.atomic():
            recipient = (
                _remindable(campaign, now)
                .select_for_update()
                .select_related("campaign__questionnaire")
                .filter(pk=pk)
                .first()
            )
            if recipient is None:
                continue
            _send(recipient, reminder=True, now=now)
            sent += 1
    return sent


def campaigns_with_reminders_due(today: datetime.date):
    """The campaigns whose reminders go out by themselves today: opted in, sent, and open."""
    return Campaign.objects.filter(
        auto_reminders=True,
        questionnaire__locked_at__isnull=False,
        opens_on__lte=today,
        closes_on__gte=today,
    ).order_by("pk")


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """The daily round (beat): each campaign with « relances automatiques » reminds those who have
    not answered, within its maximum count and minimum delay (`reminders_send`'s rules, the same
    as the button's); how many were reminded. Run twice the same day, the delay stops the second."""
    now = now or timezone.now()
    return sum(
        reminders_send(campaign=campaign, now=now)
        for campaign in campaigns_with_reminders_due(timezone.localdate(now))
    )


# --- Answering ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """What a personal link leads to: the recipient, or why it does not open."""

    recipient: CampaignRecipient | None
    problem: str = ""  # "unknown", "revoked", "not_open", "closed", "answered"


def link_open(token: str, today: datetime.date | None = None) -> Link:
    today = today or timezone.localdate()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return Link(None, "unknown")
    recipient = (
        CampaignRecipient.objects.select_related("campaign__questionnaire", "site")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if recipient is None:
        return Link(None, "unknown")
    campaign = recipient.campaign
    if recipient.revoked_at:
        problem = "revoked"
    elif recipient.answered_on:
        problem = "answered"
    elif today < campaign.opens_on:
        problem = "not_open"
    elif today > campaign.closes_on:
        problem = "closed"
    else:
        problem = ""
    return Link(recipient, problem)


def draft_save(*, recipient: CampaignRecipient, data: dict) -> AnswerDraft:
    draft, _created = AnswerDraft.objects.update_or_create(recipient=recipient, defaults={"data": data})
    return draft


def draft_of(recipient: CampaignRecipient) -> dict:
    draft = AnswerDraft.objects.filter(recipient=recipient).first()
    return draft.data if draft else {}


def _answer_row(question: Question, value) -> CampaignAnswer | None:
    if value in (None, "", [], ()):
        return None
    answer = CampaignAnswer(question=question)
    if question.kind in (Question.Kind.SCALE, Question.Kind.NUMBER):
        answer.number = Decimal(value)
    elif question.kind == Question.Kind.MULTIPLE:
        answer.choices = list(value)
    elif question.kind == Question.Kind.SINGLE:
        answer.choices = [value]
    else:
        answer.text = value
    return answer


@transaction.atomic
def answer_submit(
    *, recipient: CampaignRecipient, values: dict, today: datetime.date | None = None
) -> CampaignResponse:
    """Keep the answer (one per link) and mark the recipient as having answered. In an anonymous
    campaign the answer row holds neither the recipient, nor their territory, nor their function."""
    today = today or timezone.localdate()
    recipient = CampaignRecipient.objects.select_for_update().select_related("campaign").get(pk=recipient.pk)
    if recipient.answered_on is not None:
        raise AlreadyAnswered
    campaign = recipient.campaign
    anonymous = campaign.anonymous
    response = CampaignResponse.objects.create(
        campaign=campaign,
        recipient=None if anonymous else recipient,
        site=None if anonymous else recipient.site,
        function="" if anonymous else recipient.function,
        side=recipient.side,
        submitted_on=today,
    )
    rows = []
    for question in campaign.questionnaire.questions.all():
        row = _answer_row(question, values.get(f"q{question.pk}"))
        if row is not None:
            row.response = response
            rows.append(row)
    CampaignAnswer.objects.bulk_create(rows)
    AnswerDraft.objects.filter(recipient=recipient).delete()
    recipient.answered_on = today
    recipient.save(update_fields=["answered_on"])
    if campaign.site_id and campaign.questionnaire.template == Questionnaire.Template.CROSSED_READINGS:
        crossed_readings_feed(campaign=campaign)
    if is_logbook(campaign):
        logbook_feed(campaign=campaign, recipient=recipient, values=values)
    return response


# --- The logbook as a questionnaire ------------------------------------------------------------------


def is_logbook(campaign: Campaign) -> bool:
    """A « carnet de bord » campaign on one site: its answers fill the site's logbook."""
    return bool(campaign.site_id) and campaign.questionnaire.template == Questionnaire.Template.LOGBOOK


def logbook_quarter(campaign: Campaign) -> Period:
    """The quarter a « carnet de bord » campaign reviews: the last one finished when it opens (the
    logbook's own default period, as its reminders)."""
    return last_finished_quarter(campaign.opens_on)


def logbook_campaigns_open(*, site: Site, user, today: datetime.date | None = None) -> list[dict]:
    """The site's « carnet de bord » campaigns sent and open today, as the logbook page shows them:
    the campaign, its quarter, and the reader's own invitation (None when they are not invited)."""
    today = today or timezone.localdate()
    campaigns = list(
        Campaign.objects.filter(
            site=site,
            questionnaire__template=Questionnaire.Template.LOGBOOK,
            questionnaire__locked_at__isnull=False,
            opens_on__lte=today,
            closes_on__gte=today,
        ).order_by("opens_on", "pk")
    )
    if not campaigns:  # most days on most sites: no second query
        return []
    mine = {
        r.campaign_id: r
        for r in CampaignRecipient.objects.filter(
            campaign__in=campaigns, user_id=user.pk, revoked_at__isnull=True
        )
    }
    return [{"campaign": c, "quarter": logbook_quarter(c), "invitation": mine.get(c.pk)} for c in campaigns]


def logbook_feed(*, campaign: Campaign, recipient: CampaignRecipient, values: dict) -> LogbookEntry:
    """Write the answer's rubrics into the site's periodic review of the campaign's quarter, through
    the logbook's service: the logbook pages, figures and reports read that one store. A
    ValidationError (a rubric out of range) undoes the whole answer."""
    rubrics = {}
    for question in campaign.questionnaire.questions.exclude(logbook_field=""):
        value = values.get(f"q{question.pk}")
        if value in (None, ""):
            continue
        if question.logbook_field == Question.LogbookField.TIME_SPENT_HOURS:
            value = Decimal(value).quantize(Decimal("0.1"))
        rubrics[question.logbook_field] = value
    return logbook_services.logbook_period_entry_answer(
        site=campaign.site, quarter=logbook_quarter(campaign), rubrics=rubrics, author=recipient.user
    )


# --- Crossed readings --------------------------------------------------------------------------------

READING_SIDES = (Side.INSTITUTIONAL, Side.FACILITATOR)


def readings_revealed(campaign: Campaign) -> bool:
    """A side's readings are shown only once the institutional side and the facilitator have both
    answered: neither reads the other's before giving their own."""
    answered = set(campaign.responses.values_list("side", flat=True).distinct())
    return all(side in answered for side in READING_SIDES)


def results_shown(campaign: Campaign) -> bool:
    """A campaign's results (distributions, free texts) are shown at once, except a crossed-readings
    campaign on a site, until both sides have answered (`readings_revealed`): its site's team may
    manage it and is one of the sides."""
    if campaign.site_id and campaign.questionnaire.template == Questionnaire.Template.CROSSED_READINGS:
        return readings_revealed(campaign)
    return True


@transaction.atomic
def crossed_readings_feed(*, campaign: Campaign) -> int:
    """Once both sides have answered, write each side's mean per item as the site's territory
    readings (diagnostics' assessments, dated at the campaign's opening): the dashboards and the
    reports compare them with the one definition of the gap (diagnostics/readings.py). Run again
    after each answer, it updates the same rows; how many were written."""
    if not campaign.site_id or not readings_revealed(campaign):
        return 0
    means = (
        CampaignAnswer.objects.filter(
            response__campaign=campaign, question__item__isnull=False, number__isnull=False
        )
        .values("question__item_id", "response__side")
        .annotate(mean=Avg("number"), count=Count("id"))
    )
    written = 0
    for row in means:
        Assessment.objects.update_or_create(
            site_id=campaign.site_id,
            item_id=row["question__item_id"],
            respondent_kind=row["response__side"],
            date=campaign.opens_on,
            defaults={"score": Decimal(row["mean"]).quantize(Decimal("0.1")), "respondents": row["count"]},
        )
        written += 1
    return written


def campaigns_for_method(scope_site_ids, period) -> list[dict]:
    """The campaigns a report's method chapter cites for its scope (site ids) and period: title,
    opening date and rates at the period's end (the figures module computes them)."""
    return [
        {"campaign": campaign, "rates": rates}
        for campaign, rates in campaign_figures.campaigns_for_period(
            site_ids=scope_site_ids, start=period.start, end=period.end
        )
    ]
