"""Pages of a site's steering: meetings with their roster and decisions, actions, attachments."""

import datetime
import math
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Q
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.functional import SimpleLazyObject
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from atc import bounds
from atc.concurrency import StaleVersion
from atc.links import public_host
from atc.permissions import (
    can_validate_minutes,
    can_verify_claims,
    can_write_site,
    get_object_for_site,
    log_refusal,
)
from pilotage import services
from pilotage.forms import (
    ActionForm,
    ActionStatusForm,
    AttachmentForm,
    MeetingFilterForm,
    MeetingForm,
    RosterForm,
    TallyForm,
    decision_formset_class,
)
from pilotage.ical import meetings_calendar
from pilotage.models import (
    ATTENDANCE_FIELDS,
    Action,
    Attachment,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingParticipant,
)
from pilotage.signin import sign_in_sheet_pdf
from pilotage.uploads import safe_download_name
from sites.access import get_site_for_user

MEETINGS_PER_PAGE = 20


def _is_id(value) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit()


def _roster_members(committee, day, meeting=None) -> list[CommitteeMember]:
    """The members a meeting's roster lists: the seats held on its day, and whoever its saved
    roster already names (editing keeps the roster, even after a seat ended)."""
    current = Q(pk__in=committee.members.held_on(day).values("pk"))
    if meeting is not None and meeting.pk is not None:
        current |= Q(presences__meeting=meeting)
    members = committee.members.filter(current).distinct().select_related("organisation")
    return list(members.order_by("category", "organisation__name", "organisation_name", "person_name", "pk"))


def _committee_members(site, committee_id, day, meeting=None):
    """The committee of the site with this id and its members on `day`; none for an id that is
    not one (the meeting form then says which committees it accepts)."""
    readable = committee_id and _is_id(committee_id)
    committee = Committee.objects.filter(site=site, pk=committee_id).first() if readable else None
    if committee is None:
        return None, []
    return committee, _roster_members(committee, day, meeting)


def _day(value, default: datetime.date) -> datetime.date:
    """A posted date, or `default` when it is missing or unreadable (the form says why)."""
    try:
        day = parse_date(value or "")
    except ValueError:
        day = None
    return day if day is not None and bounds.within("date", day) else default


def _blank(request, meeting) -> bool:
    """The form of a new meeting as it first opens: nothing typed, nothing of the reader in it."""
    return request.method != "POST" and meeting.pk is None


def _meeting_forms(request, site, meeting):
    """The meeting form, its roster (for the committee chosen, posted or saved) and decisions."""
    data = request.POST if request.method == "POST" else None
    if _blank(request, meeting):
        # No committee yet, so no roster; the forms are built only if their kept fragment of the
        # page must be rendered again (pilotage/meeting_form.html).
        return (
            SimpleLazyObject(lambda: MeetingForm(instance=meeting, site=site)),
            None,
            None,
            SimpleLazyObject(lambda: decision_formset_class(extra=3)(meeting=meeting)),
        )
    form = MeetingForm(data, instance=meeting, site=site)
    committee_id = data.get("committee") if data is not None else meeting.committee_id
    day = _day(data.get("date"), meeting.date) if data is not None else meeting.date
    same = meeting.pk is not None and str(committee_id) == str(meeting.committee_id)
    committee, members = _committee_members(
        site, committee_id if committee_id else None, day, meeting if same else None
    )
    participants = list(meeting.participants.select_related("member__organisation")) if same else []
    roster = RosterForm(data, members=members, participants=participants) if members else None
    if roster is not None:
        present = MeetingParticipant.Presence.PRESENT
        form.use_roster([p.member for p in participants if p.presence == present])
    formset_class = decision_formset_class(extra=3 if meeting.pk is None else 2)
    decisions = formset_class(data, meeting=meeting)
    return form, committee, roster, decisions


def _decision_edits(formset) -> list[services.DecisionEdit]:
    """What the decisions formset asks: the lines removed, changed or filled in."""
    edits = []
    for form in formset.forms:
        decision = form.instance if form.instance.pk else None
        if form in formset.deleted_forms:
            if decision is not None:
                edits.append(services.DecisionEdit(decision=decision, delete=True))
        elif form.has_changed():
            edits.append(services.DecisionEdit(text=form.cleaned_data["text"], decision=decision))
    return edits


def _roster_posted(request, roster) -> bool:
    return roster is not None and any(name.startswith("presence_") for name in request.POST)


def _meeting_form_page(request, site, meeting):
    form, committee, roster, decisions = _meeting_forms(request, site, meeting)
    if request.method == "POST":
        valid = form.is_valid() and decisions.is_valid() and (roster is None or roster.is_valid())
        if valid:
            is_new = meeting.pk is None
            roster_sent = _roster_posted(request, roster)
            presences = None
            if roster_sent:
                presences = roster.presences()
            elif roster is None or "committee" in form.changed_data:
                # No committee (or another one) now: the former roster no longer applies.
                presences = {}
            elif form.roster_mode:
                presences = {p.member: p.presence for p in meeting.participants.select_related("member")}
            extra = None
            if form.roster_mode:
                extra = {category: form.cleaned_data[name] for category, name in ATTENDANCE_FIELDS.items()}
            try:
                meeting = services.meeting_save(
                    site=site,
                    user=request.user,
                    data=form.cleaned_data,
                    meeting=meeting,
                    presences=presences,
                    extra=extra,
                    decisions=_decision_edits(decisions),
                )
            except StaleVersion as error:
                form.refuse_stale(error)
                return _render_meeting_form(request, site, meeting, form, committee, roster, decisions)
            except ValidationError as error:
                _refuse(form, error)
                messages.error(request, _("La réunion n'a pas été enregistrée : corrigez les erreurs."))
                return _render_meeting_form(request, site, meeting, form, committee, roster, decisions)
            if is_new and roster is not None and not roster_sent:
                messages.success(
                    request,
                    _("Réunion enregistrée. Indiquez maintenant qui était présent·e."),
                )
                return redirect("pilotage:meeting_edit", site.slug, meeting.pk)
            messages.success(request, _("Réunion enregistrée."))
            return redirect("pilotage:meeting_detail", site.slug, meeting.pk)
        messages.error(request, _("La réunion n'a pas été enregistrée : corrigez les erreurs."))
    return _render_meeting_form(request, site, meeting, form, committee, roster, decisions)


def _refuse(form, error: ValidationError) -> None:
    """A refusal of the service, shown beside the fields it names (or atop the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _render_meeting_form(request, site, meeting, form, committee, roster, decisions):
    return render(
        request,
        "pilotage/meeting_form.html",
        {
            "site": site,
            "meeting": meeting,
            "form": form,
            "committee": committee,
            "roster": roster,
            "decisions": decisions,
            # A blank form for a new meeting shows only the site's committees and partners, today's
            # date and fixed choices: it is kept under the families of records it shows, its fixed parts once
            # for every site. A bound form (what was typed, its errors) and an existing meeting's
            # form are rendered afresh.
            "blank": _blank(request, meeting),
        },
    )


def meeting_create(request, slug):
    site = get_site_for_user(request, slug, write=True)
    return _meeting_form_page(request, site, Meeting(site=site))


def meeting_edit(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    meeting = get_object_for_site(request, Meeting.objects.all(), site, pk)
    return _meeting_form_page(request, site, meeting)


@require_GET
def meeting_roster(request, slug):
    """The roster fieldset of the committee chosen in the meeting form (htmx fragment)."""
    site = get_site_for_user(request, slug, write=True)
    committee_id = request.GET.get("committee") or None
    if committee_id and not _is_id(committee_id):
        raise BadRequest(_("Instance illisible : choisissez une instance du site dans la liste."))
    committee, members = _committee_members(
        site, committee_id, _day(request.GET.get("date"), timezone.localdate())
    )
    roster = RosterForm(members=members) if members else None
    return render(
        request,
        "pilotage/_roster.html",
        {"site": site, "committee": committee, "roster": roster},
    )


def _filter_query(query) -> QueryDict:
    """The meeting filters a query string names, in the form's order (anything else dropped): one
    spelling per filter, so that the list's fragment is keyed by what it shows."""
    kept = QueryDict(mutable=True)
    for name in MeetingFilterForm.base_fields:
        values = [value for value in query.getlist(name) if value]
        if values:
            kept.setlist(name, values)
    return kept


def meeting_list(request, slug):
    """A site's meetings, filtered and paginated. The filters and the table are kept in two
    fragments keyed by the query (templates/pilotage/meeting_list.html), the table under the
    meetings too, so that a meeting saved leaves the filters kept; the form and the page are built
    lazily, so a hit runs none of their queries."""
    site = get_site_for_user(request, slug)
    query = _filter_query(request.GET)
    filters = SimpleLazyObject(lambda: MeetingFilterForm(query or None, site=site))
    return render(
        request,
        "pilotage/meeting_list.html",
        {
            "site": site,
            "filters": filters,
            "page": SimpleLazyObject(
                lambda: Paginator(
                    filters.filter(Meeting.objects.filter(site=site).select_related("committee")),
                    MEETINGS_PER_PAGE,
                ).get_page(request.GET.get("page"))
            ),
            "query": query.urlencode(),
            "page_number": request.GET.get("page", ""),
            "can_write": can_write_site(request.user, site),
        },
    )


def _meeting_lists(meeting) -> dict:
    """The lists of a meeting's page, each read only if it has rows: one query asks which (a new
    meeting has a decision and little else), rather than one query per empty list. An empty list
    is an empty tuple, which the page tells apart as its querysets would."""
    lists = {
        "organisations": meeting.organisations.all(),
        "participants": meeting.participants.select_related("member__organisation").order_by(
            "member__category", "member__person_name"
        ),
        "events": meeting.minutes_events.select_related("by"),
        "decisions": meeting.decisions.select_related("action"),
        "actions": meeting.actions.all(),
    }
    present = (
        Meeting.objects.filter(pk=meeting.pk)
        .values(**{f"has_{name}": Exists(rows) for name, rows in lists.items()})
        .first()
    ) or {}
    return {name: rows if present.get(f"has_{name}") else () for name, rows in lists.items()}


def meeting_detail(request, slug, pk):
    """A meeting with its attendance, minutes, decisions and attachments. What it shows is kept in
    two fragments (templates/pilotage/meeting_detail.html): the meeting under its own version, its
    files under theirs, each keyed by the reader's rights; their rows reach them lazily (`lists`,
    `attachments`), so a hit runs none of their queries. The forms carrying a CSRF token (minutes
    workflow, attachments) stay outside them."""
    site = get_site_for_user(request, slug)
    meeting = get_object_for_site(request, Meeting.objects.all(), site, pk)
    return render(
        request,
        "pilotage/meeting_detail.html",
        {
            "site": site,
            "meeting": meeting,
            "lists": SimpleLazyObject(lambda: _meeting_lists(meeting)),
            # Kept apart, under the meeting's files' own version (an upload redraws this list only).
            "attachments": SimpleLazyObject(lambda: list(meeting.attachments.select_related("uploaded_by"))),
            "can_write": can_write_site(request.user, site),
            "can_validate_minutes": can_validate_minutes(request.user, meeting),
            "attachment_form": SimpleLazyObject(AttachmentForm),
        },
    )


def _minutes_step(request, meeting, step, done_message, **kwargs):
    """Run one step of the minutes workflow; its refusal comes back as a message on the page."""
    try:
        step(meeting=meeting, user=request.user, **kwargs)
    except StaleVersion as error:
        messages.error(request, error.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done_message)
    return redirect("pilotage:meeting_detail", meeting.site.slug, meeting.pk)


@require_POST
def minutes_submit(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    meeting = get_object_for_site(request, Meeting.objects.select_related("site"), site, pk)
    return _minutes_step(request, meeting, services.minutes_submit, _("Compte rendu soumis pour validation."))


@require_POST
def minutes_validate(request, slug, pk):
    site = get_site_for_user(request, slug)
    meeting = get_object_for_site(request, Meeting.objects.select_related("site"), site, pk)
    if not can_validate_minutes(request.user, meeting):
        log_refusal(request, "minutes_validator", meeting.pk)
        raise PermissionDenied("Validation réservée à la direction de la structure porteuse")
    return _minutes_step(request, meeting, services.minutes_validate, _("Compte rendu validé."))


@require_POST
def minutes_reopen(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    meeting = get_object_for_site(request, Meeting.objects.select_related("site"), site, pk)
    reason = request.POST.get("reason", "")
    return _minutes_step(
        request,
        meeting,
        services.minutes_reopen,
        _("Compte rendu rouvert : il repasse en brouillon."),
        reason=reason,
    )


@require_GET
def meeting_ical(request, slug):
    site = get_site_for_user(request, slug)
    body = meetings_calendar(
        Meeting.objects.filter(site=site).select_related("site").order_by("date", "id"),
        name=_("Réunions ATC — %(site)s") % {"site": site.name},
        domain=public_host(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reunions-{site.slug}.ics"'
    return response


def _site_decision(request, site, pk) -> Decision:
    decision = Decision.objects.filter(meeting__site=site, pk=pk).select_related("meeting").first()
    if decision is None:
        log_refusal(request, "out_of_scope", pk)
        raise Http404("Décision introuvable")
    return decision


@require_GET
def decision_to_action(request, slug, pk):
    """« Transformer en action »: the action form filled from the decision, which creates nothing
    until it is saved; a decision already turned leads to its action."""
    site = get_site_for_user(request, slug, write=True)
    decision = _site_decision(request, site, pk)
    existing = Action.objects.filter(decision=decision).first()
    if existing is not None:
        return redirect("pilotage:action_detail", site.slug, existing.pk)
    return redirect(
        f"{reverse('pilotage:action_create', args=[site.slug])}?{urlencode({'decision': decision.pk})}"
    )


def _action_form_page(request, site, action, *, decision: Decision | None = None):
    initial = services.action_initial_from_decision(decision) if decision else None
    form = ActionForm(request.POST or None, instance=action, site=site, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                action = services.action_save(
                    site=site, user=request.user, data=form.cleaned_data, action=action, decision=decision
                )
            except StaleVersion as error:
                form.refuse_stale(error)
            except ValidationError as error:
                form.add_error(None, error)
                messages.error(request, _("L'action n'a pas été enregistrée : corrigez les erreurs."))
            else:
                messages.success(request, _("Action enregistrée."))
                return redirect("pilotage:action_detail", site.slug, action.pk)
        else:
            messages.error(request, _("L'action n'a pas été enregistrée : corrigez les erreurs."))
    return render(
        request,
        "pilotage/action_form.html",
        {"site": site, "action": action, "form": form, "decision": decision},
    )


def action_create(request, slug):
    """A new action; with `?decision=<id>`, filled from that decision of the site's meetings."""
    site = get_site_for_user(request, slug, write=True)
    decision = None
    if "decision" in request.GET:
        pk = request.GET["decision"]
        if not pk.isdigit():
            raise BadRequest(
                _("Décision illisible : revenez à la réunion et cliquez sur « Transformer en action ».")
            )
        decision = _site_decision(request, site, int(pk))
    return _action_form_page(request, site, Action(site=site), decision=decision)


def action_edit(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    action = get_object_for_site(request, Action.objects.all(), site, pk)
    return _action_form_page(request, site, action)


def action_detail(request, slug, pk):
    site = get_site_for_user(request, slug)
    action = get_object_for_site(request, Action.objects.all(), site, pk)
    # Querysets, related rows and the upload form stay unread until the part of the page kept
    # under the families of records it shows is missing (then the theme, meeting and decision are
    # a query each); only the forms carrying a CSRF token are rendered on every request.
    return render(
        request,
        "pilotage/action_detail.html",
        {
            "site": site,
            "action": action,
            "status_changes": action.status_changes.select_related("changed_by"),
            "claims": action.claims.select_related("document", "verified_by"),
            "attachments": action.attachments.select_related("uploaded_by"),
            "can_write": can_write_site(request.user, site),
            "attachment_form": SimpleLazyObject(AttachmentForm),
            "can_verify": can_verify_claims(request.user),
        },
    )


@dataclass
class BoardColumn:
    """One status of the board: its count, and the page of its actions being shown."""

    status: str
    label: str
    actions: list
    total: int
    page: int
    last_page: int
    first_shown: int
    last_shown: int
    previous_query: str
    next_query: str


def _board_pages(query) -> dict[str, int]:
    """The page shown in each column, from `?page_<status>=`; an unreadable one is the first."""
    pages = {}
    for status in Action.Status.values:
        text = query.get(f"page_{status}", "")
        pages[status] = int(text) if text.isascii() and text.isdigit() and len(text) < 7 else 1
    return pages


def _board_columns(site, pages: dict[str, int]) -> list[BoardColumn]:
    """The board's columns, each paginated on its own (by title): one count query, then one
    query per non-empty column, whatever the number of actions."""
    size = settings.ATC_BOARD_PAGE_SIZE
    totals = dict(Action.objects.filter(site=site).order_by().values_list("status").annotate(n=Count("id")))
    shown = {f"page_{status}": page for status, page in pages.items() if page > 1}
    columns = []
    for value, label in Action.Status.choices:
        total = totals.get(value, 0)
        last_page = max(1, math.ceil(total / size))
        page = max(1, min(pages.get(value, 1), last_page))
        start = (page - 1) * size
        actions = (
            list(
                Action.objects.filter(site=site, status=value)
                .select_related("theme")
                .order_by("title", "id")[start : start + size]
            )
            if total
            else []
        )
        columns.append(
            BoardColumn(
                value,
                label,
                actions,
                total,
                page,
                last_page,
                start + 1,
                start + len(actions),
                urlencode({**shown, f"page_{value}": page - 1}),
                urlencode({**shown, f"page_{value}": page + 1}),
            )
        )
    return columns


def action_board(request, slug):
    site = get_site_for_user(request, slug)
    pages = _board_pages(request.GET)
    return render(
        request,
        "pilotage/action_board.html",
        {
            "site": site,
            # Read only when the board kept under the families of records it shows is missing.
            "columns": SimpleLazyObject(lambda: _board_columns(site, pages)),
            "board_pages": tuple(pages.values()),
            "can_write": can_write_site(request.user, site),
            "status_choices": Action.Status.choices,
        },
    )


def action_list_by_theme(request, slug):
    """The site's actions in one table per theme, kept under the families of records it shows
    (`{% figurecache %}` in the template; the queryset is read only when rendered afresh)."""
    site = get_site_for_user(request, slug)
    actions = (
        Action.objects.filter(site=site)
        .select_related("theme")
        .order_by("theme__order", "theme__name", "title", "id")
    )
    return render(
        request,
        "pilotage/action_list_by_theme.html",
        {"site": site, "actions": actions, "can_write": can_write_site(request.user, site)},
    )


def _current_query(request) -> dict[str, str]:
    url = request.htmx.current_url or ""
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


def _board_after_move(request, site, action, message):
    """The whole board, so the card lands in its new column and the counts follow; the moved
    card's message takes the focus (htmx honours autofocus in swapped content)."""
    response = render(
        request,
        "pilotage/_action_board.html",
        {
            "site": site,
            # The pages the person was looking at, read from the board's address.
            "columns": _board_columns(site, _board_pages(_current_query(request))),
            "can_write": True,
            "status_choices": Action.Status.choices,
            "moved_id": action.pk,
            "moved_message": message,
        },
    )
    response["HX-Retarget"] = "#action-board"
    response["HX-Reswap"] = "outerHTML"
    return response


def _card_refused(request, site, action, message, *, status):
    """The card as it now is, with the reason its status did not change."""
    return render(
        request,
        "pilotage/_action_card.html",
        {
            "site": site,
            "action": action,
            "can_write": True,
            "status_choices": Action.Status.choices,
            "card_message": message,
            "card_error": True,
            "card_focus": False,
        },
        status=status,
    )


@require_POST
def action_status(request, slug, pk):
    """Quick status change from the board: the board comes back for htmx (the card refused with
    its reason when the status is not valid), else a redirect to the board."""
    site = get_site_for_user(request, slug, write=True)
    action = get_object_for_site(request, Action.objects.select_related("theme"), site, pk)
    # The board is one form: each card's fields carry its id as a prefix. A lone card's form (or
    # a script) posts them bare.
    prefix = str(action.pk) if f"{action.pk}-status" in request.POST else None
    form = ActionStatusForm(request.POST, prefix=prefix)
    stale = False
    if form.is_valid():
        try:
            action = services.action_change_status(
                action=action,
                status=form.cleaned_data["status"],
                user=request.user,
                version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            # The card comes back as it now is, with the other person's change and its version.
            stale = True
            form.add_error(None, error)
            message = error.message
        action = Action.objects.select_related("theme").get(pk=action.pk)
        if not stale:
            message = _("État de « %(title)s » : %(status)s.") % {
                "title": action.title,
                "status": action.get_status_display(),
            }
    else:
        message = _("Choisissez un état dans la liste.")
    if request.htmx and form.is_valid():
        return _board_after_move(request, site, action, message)
    if request.htmx:
        return _card_refused(request, site, action, message, status=409 if stale else 422)
    if form.is_valid():
        messages.success(request, message)
    else:
        messages.error(request, message)
    return redirect("pilotage:action_board", site.slug)


def _add_attachment(request, site, *, meeting=None, action=None):
    parent = meeting or action
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_create(
                site=site,
                user=request.user,
                uploaded=form.cleaned_data["file"],
                meeting=meeting,
                action=action,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
    if form.is_valid():
        messages.success(request, _("Pièce jointe ajoutée."))
    else:
        for error in form.errors.get("file", []):
            messages.error(request, _("Pièce jointe refusée : %(reason)s") % {"reason": error})
    name = "pilotage:meeting_detail" if meeting else "pilotage:action_detail"
    return redirect(name, site.slug, parent.pk)


@require_POST
def meeting_attachment_add(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    meeting = get_object_for_site(request, Meeting.objects.all(), site, pk)
    return _add_attachment(request, site, meeting=meeting)


@require_POST
def action_attachment_add(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    action = get_object_for_site(request, Action.objects.all(), site, pk)
    return _add_attachment(request, site, action=action)


@require_GET
def attachment_download(request, slug, pk):
    site = get_site_for_user(request, slug)
    attachment = get_object_for_site(request, Attachment.objects.all(), site, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Fichier introuvable") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_download_name(attachment.original_name),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_POST
def attachment_delete(request, slug, pk):
    site = get_site_for_user(request, slug, write=True)
    attachment = get_object_for_site(request, Attachment.objects.all(), site, pk)
    parent = ("pilotage:meeting_detail", attachment.meeting_id)
    if attachment.meeting_id is None:
        parent = ("pilotage:action_detail", attachment.action_id)
    services.attachment_delete(attachment=attachment)
    messages.success(request, _("Pièce jointe « %(name)s » supprimée.") % {"name": attachment.original_name})
    return redirect(parent[0], site.slug, parent[1])


def _committee_meeting(request, site, pk) -> Meeting:
    return get_object_for_site(request, Meeting.objects.select_related("committee", "site"), site, pk)


@require_GET
def meeting_sign_in_sheet(request, slug, pk):
    """The printable sign-in sheet (PDF) of a meeting, for the site team to bring to it."""
    site = get_site_for_user(request, slug, write=True)
    meeting = _committee_meeting(request, site, pk)
    members = _roster_members(meeting.committee, meeting.date, meeting) if meeting.committee else []
    data = sign_in_sheet_pdf(meeting=meeting, members=members)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"emargement-{meeting.date:%Y-%m-%d}-{slugify(meeting.title)[:60] or meeting.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def meeting_tally(request, slug, pk):
    """The paper sign-in sheet typed back: who signed, and the people without a seat."""
    site = get_site_for_user(request, slug, write=True)
    meeting = _committee_meeting(request, site, pk)
    if meeting.committee is None:
        messages.info(
            request,
            _(
                "Cette réunion n'est rattachée à aucune instance : saisissez la participation par "
                "catégorie dans le formulaire de la réunion."
            ),
        )
        return redirect("pilotage:meeting_edit", site.slug, meeting.pk)
    members = _roster_members(meeting.committee, meeting.date, meeting)
    form = TallyForm(request.POST or None, meeting=meeting, members=members)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.meeting_save(
                    site=site,
                    user=request.user,
                    data={
                        "organisations": form.cleaned_data["organisations"],
                        "version": form.cleaned_data["version"],
                    },
                    meeting=meeting,
                    presences=form.presences(),
                    extra=form.extra(),
                )
            except StaleVersion as error:
                form.refuse_stale(error)
            except ValidationError as error:
                _refuse(form, error)
            else:
                messages.success(
                    request, _("Feuille d'émargement enregistrée : la participation est à jour.")
                )
                return redirect("pilotage:meeting_detail", site.slug, meeting.pk)
        messages.error(request, _("La feuille d'émargement n'a pas été enregistrée : corrigez les erreurs."))
    return render(request, "pilotage/meeting_tally.html", {"site": site, "meeting": meeting, "form": form})
