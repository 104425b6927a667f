"""Writes of the steering pages that touch several rows; each is all-or-nothing."""

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from atc.bounds import within
from atc.concurrency import StaleVersion, claim_version, conflict_message
from atc.formats import format_number
from atc.notifications import kinds
from atc.notifications.services import notify
from atc.permissions import can_validate_minutes, can_write_site, minutes_validators
from atc.records import assign, set_many
from pilotage.models import (
    ATTENDANCE_FIELDS,
    Action,
    ActionStatusChange,
    Attachment,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingParticipant,
    MinutesEvent,
)
from pilotage.uploads import check_upload
from sites.models import OrganisationCategory, PartnerOrganisation, Site


def _record_status(*, action: Action, from_status: str, user) -> None:
    if from_status != action.status:
        ActionStatusChange.objects.create(
            action=action,
            from_status=from_status,
            to_status=action.status,
            changed_by=user,
            changed_at=timezone.now(),
        )


@dataclass(frozen=True)
class DecisionEdit:
    """One change to a meeting's decisions: a new text (no `decision`), a changed text, or a
    removal (`delete`)."""

    text: str = ""
    decision: Decision | None = None
    delete: bool = False


@dataclass(frozen=True)
class Attendance:
    """Who came to a meeting as it keeps them: a count per category (the meeting's attendance
    field → number of people) and the organisations present."""

    counts: dict[str, int]
    organisations: frozenset


def _present(presences: Mapping[CommitteeMember, str]) -> list[CommitteeMember]:
    return [
        member for member, presence in presences.items() if presence == MeetingParticipant.Presence.PRESENT
    ]


def attendance_from_roster(
    *,
    presences: Mapping[CommitteeMember, str],
    extra: Mapping[str, int],
    organisations: Iterable[PartnerOrganisation] = (),
) -> Attendance:
    """The one rule of attendance entered once: each member marked present counts once in their
    seat's category and brings their organisation; people without a seat add `extra` (category →
    number of people) and, when known, `organisations`."""
    counts = {field: int(extra.get(category) or 0) for category, field in ATTENDANCE_FIELDS.items()}
    present_organisations = set()
    for member in _present(presences):
        counts[ATTENDANCE_FIELDS[member.category]] += 1
        if member.organisation_id:
            present_organisations.add(member.organisation)
    return Attendance(counts=counts, organisations=frozenset(present_organisations | set(organisations)))


def attendance_problems(
    *,
    presences: Mapping[CommitteeMember, str],
    counts: Mapping[str, int],
    organisations: Iterable[PartnerOrganisation],
) -> dict[str, list[str]]:
    """What contradicts the roster, by field: a category counted fewer times than its members
    marked present; organisations present from which nobody is counted (none of their members
    present, and fewer people without a seat in their category than such organisations)."""
    problems: dict[str, list[str]] = {}
    present = _present(presences)
    for category, field in ATTENDANCE_FIELDS.items():
        seated = sum(1 for member in present if member.category == category)
        if counts.get(field, 0) < seated:
            problems.setdefault(field, []).append(
                _(
                    "%(present)s membre(s) de la catégorie « %(category)s » sont marqué·es présent·es "
                    "dans la liste des membres : saisissez au moins %(present)s."
                )
                % {"present": format_number(seated), "category": OrganisationCategory(category).label}
            )
    covered = {member.organisation_id for member in present}
    uncovered: dict[str, list[PartnerOrganisation]] = {}
    for organisation in organisations:
        if organisation.pk not in covered:
            uncovered.setdefault(organisation.category, []).append(organisation)
    seated_absent = {member.organisation_id for member in presences if member not in present}
    for category, items in uncovered.items():
        field = ATTENDANCE_FIELDS[category]
        without_seat = counts.get(field, 0) - sum(1 for member in present if member.category == category)
        if len(items) <= without_seat:
            continue
        for organisation in sorted(items, key=lambda item: item.name):
            if organisation.pk in seated_absent:
                message = _(
                    "« %(name)s » est indiquée présente, mais son ou sa membre est excusé·e ou "
                    "absent·e et personne d'autre de la catégorie « %(category)s » n'est compté·e : "
                    "marquez son ou sa membre présent·e, ou comptez la personne venue à sa place "
                    "parmi les personnes sans siège."
                )
            else:
                message = _(
                    "« %(name)s » est indiquée présente, mais personne de la catégorie "
                    "« %(category)s » n'est compté·e pour elle : comptez la personne venue parmi "
                    "les personnes sans siège, ou décochez l'organisation."
                )
            problems.setdefault("organisations", []).append(
                message % {"name": organisation.name, "category": OrganisationCategory(category).label}
            )
    return problems


def _check_roster_members(meeting: Meeting, presences: Mapping[CommitteeMember, str]) -> None:
    if any(member.committee_id != meeting.committee_id for member in presences):
        raise ValidationError(_("Ce membre ne siège pas dans l'instance de cette réunion."))


def _stored_presences(meeting: Meeting) -> dict[CommitteeMember, str]:
    if meeting.pk is None:
        return {}
    participants = meeting.participants.select_related("member__organisation")
    return {participant.member: participant.presence for participant in participants}


def _attendance_settle(
    meeting: Meeting,
    data: Mapping[str, Any],
    many: dict[str, Iterable],
    presences: Mapping[CommitteeMember, str] | None,
    extra: Mapping[str, int] | None,
) -> None:
    """Put the attendance the roster drives on the unsaved `meeting` (and in `many`), or refuse
    what contradicts the roster, before anything is written."""
    if presences is not None:
        _check_roster_members(meeting, presences)
    if presences is not None and extra is not None and meeting.committee_id is not None:
        attendance = attendance_from_roster(
            presences=presences, extra=extra, organisations=many.get("organisations", ())
        )
        too_many = {
            field: _("Ce total dépasse le nombre plausible de participant·es : vérifiez les nombres saisis.")
            for field, count in attendance.counts.items()
            if not within("count", count)
        }
        if too_many:
            raise ValidationError(too_many)
        for field, count in attendance.counts.items():
            setattr(meeting, field, count)
        many["organisations"] = attendance.organisations
    touched = any(name in data for name in (*ATTENDANCE_FIELDS.values(), "organisations"))
    if presences is None and not touched:
        return
    roster = presences if presences is not None else _stored_presences(meeting)
    if not roster:
        return
    if "organisations" in many:
        organisations = list(many["organisations"])
    else:
        organisations = list(meeting.organisations.all()) if meeting.pk else []
    counts = {field: getattr(meeting, field) or 0 for field in ATTENDANCE_FIELDS.values()}
    problems = attendance_problems(presences=roster, counts=counts, organisations=organisations)
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def meeting_save(
    *,
    site: Site,
    user,
    data: Mapping[str, Any],
    meeting: Meeting | None = None,
    presences: dict[CommitteeMember, str] | None = None,
    extra: Mapping[str, int] | None = None,
    decisions: Iterable[DecisionEdit] = (),
) -> Meeting:
    """Create a meeting, or update `meeting`, from validated data: the fields of MeetingForm
    (`organisations` among them; `version`, the one the page was built from, if any), with its
    roster and decisions. The meeting form, the paper tallies and the spreadsheet import all save
    through here.

    `presences` replaces the roster when given (None leaves it as it is); members must sit on the
    meeting's committee. With `extra` too (category → people without a seat), the roster drives
    the attendance (`attendance_from_roster`): the counts in `data` are ignored and its
    `organisations` are those of the people without a seat. Otherwise the counts are typed, and
    refused where they contradict the roster (`attendance_problems`). Anything that fails rolls the
    whole save back; StaleVersion when someone else saved the meeting after the form was built
    (atc.concurrency).
    """
    meeting = meeting if meeting is not None else Meeting()
    created = meeting.pk is None
    if not created:
        _refuse_locked_minutes(meeting, data)
    many = assign(meeting, data)
    meeting.site = site
    _attendance_settle(meeting, data, many, presences, extra)
    claim_version(meeting, data.get("version"))
    if created:
        meeting.created_by = user
    meeting.save()
    set_many(meeting, many, created=created)
    # A new meeting has no roster yet: an empty one replaces nothing.
    if presences is not None and (presences or not created):
        meeting_set_roster(meeting=meeting, presences=presences)
    for edit in decisions:
        _decision_apply(meeting=meeting, edit=edit)
    return meeting


def _refuse_locked_minutes(meeting: Meeting, data: Mapping[str, Any]) -> None:
    """Validated minutes are locked: neither their text nor their status changes until reopened."""
    stored = (
        Meeting.objects.select_for_update().filter(pk=meeting.pk).values("minutes", "minutes_status").first()
    )
    if stored is None or stored["minutes_status"] != Meeting.MinutesStatus.VALIDATED:
        return
    changed_text = "minutes" in data and data["minutes"] != stored["minutes"]
    changed_status = "minutes_status" in data and data["minutes_status"] != stored["minutes_status"]
    if changed_text or changed_status:
        raise ValidationError(
            {"minutes": _("Ce compte rendu est validé : rouvrez-le (avec un motif) avant de le modifier.")}
        )


def _minutes_locked_meeting(meeting: Meeting) -> Meeting:
    """The meeting, locked for the step and fresh from the database."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _minutes_step(meeting: Meeting, *, kind: str, user, reason: str = "") -> None:
    claim_version(meeting, meeting.version)
    meeting.save()
    MinutesEvent.objects.create(meeting=meeting, kind=kind, by=user, at=timezone.now(), reason=reason)


MINUTES_REASON_MAX = 2000


@transaction.atomic
def minutes_submit(*, meeting: Meeting, user) -> Meeting:
    """The site team submits the draft minutes for validation; the submitter is their author
    (who then cannot validate them)."""
    meeting = _minutes_locked_meeting(meeting)
    if meeting.site is None or not can_write_site(user, meeting.site):
        raise PermissionDenied(_("Seule l'équipe du site peut soumettre ce compte rendu."))
    if meeting.minutes_status != Meeting.MinutesStatus.DRAFT:
        raise ValidationError(_("Seul un compte rendu en brouillon peut être soumis pour validation."))
    if not meeting.minutes.strip():
        raise ValidationError(_("Rédigez le compte rendu avant de le soumettre."))
    meeting.minutes_status = Meeting.MinutesStatus.SUBMITTED
    meeting.minutes_author = user
    _minutes_step(meeting, kind=MinutesEvent.Kind.SUBMITTED, user=user)
    # The host directors who may validate them are told (inbox, and e-mail by their choice).
    notify(
        kinds.REMINDER_MINUTES,
        recipients=minutes_validators(meeting.site).exclude(pk=user.pk),
        title=_("Compte rendu à valider : %(title)s (%(site)s)")
        % {"title": meeting.title, "site": meeting.site.name},
        body=_("Soumis pour validation par %(person)s.") % {"person": user},
        url=reverse("pilotage:meeting_detail", args=[meeting.site.slug, meeting.pk]),
        dedupe_key=f"minutes-submitted:{meeting.pk}:{meeting.minutes_events.count()}",
        site=meeting.site,
    )
    return meeting


@transaction.atomic
def minutes_validate(*, meeting: Meeting, user) -> Meeting:
    """A host director of the site, other than the minutes' author, validates submitted minutes;
    they are then locked (see meeting_save)."""
    meeting = _minutes_locked_meeting(meeting)
    if not can_validate_minutes(user, meeting):
        raise PermissionDenied(
            _(
                "Seul·e un·e directeur·rice de la structure porteuse du site, autre que l'auteur·rice "
                "du compte rendu, peut le valider."
            )
        )
    if meeting.minutes_status != Meeting.MinutesStatus.SUBMITTED:
        raise ValidationError(_("Seul un compte rendu soumis pour validation peut être validé."))
    meeting.minutes_status = Meeting.MinutesStatus.VALIDATED
    meeting.minutes_validated_by = user
    meeting.minutes_validated_at = timezone.now()
    _minutes_step(meeting, kind=MinutesEvent.Kind.VALIDATED, user=user)
    return meeting


@transaction.atomic
def minutes_reopen(*, meeting: Meeting, user, reason: str) -> Meeting:
    """The site team reopens submitted or validated minutes (back to a draft); the reason is kept
    in the minutes' history."""
    meeting = _minutes_locked_meeting(meeting)
    if meeting.site is None or not can_write_site(user, meeting.site):
        raise PermissionDenied(_("Seule l'équipe du site peut rouvrir ce compte rendu."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Indiquez pourquoi vous rouvrez ce compte rendu."))
    if len(reason) > MINUTES_REASON_MAX:
        raise ValidationError(
            _("Le motif tient en %(max)s caractères au plus.") % {"max": format_number(MINUTES_REASON_MAX)}
        )
    if meeting.minutes_status not in (Meeting.MinutesStatus.SUBMITTED, Meeting.MinutesStatus.VALIDATED):
        raise ValidationError(_("Seul un compte rendu soumis ou validé peut être rouvert."))
    meeting.minutes_status = Meeting.MinutesStatus.DRAFT
    meeting.minutes_validated_by = None
    meeting.minutes_validated_at = None
    _minutes_step(meeting, kind=MinutesEvent.Kind.REOPENED, user=user, reason=reason)
    return meeting


def _decision_apply(*, meeting: Meeting, edit: DecisionEdit) -> None:
    if edit.decision is None:
        if not edit.delete:
            Decision.objects.create(meeting=meeting, text=edit.text)
        return
    if edit.decision.meeting_id != meeting.pk:
        raise ValidationError(_("Cette décision appartient à une autre réunion."))
    if edit.delete:
        edit.decision.delete()
    else:
        edit.decision.text = edit.text
        edit.decision.save()


def meeting_set_roster(*, meeting: Meeting, presences: dict[CommitteeMember, str]) -> None:
    """Replace the meeting's roster; a member of another committee is refused."""
    _check_roster_members(meeting, presences)
    meeting.participants.exclude(member__in=list(presences)).delete()
    for member, presence in presences.items():
        MeetingParticipant.objects.update_or_create(
            meeting=meeting, member=member, defaults={"presence": presence}
        )


@transaction.atomic
def action_save(
    *,
    site: Site,
    user,
    data: Mapping[str, Any],
    action: Action | None = None,
    decision: Decision | None = None,
) -> Action:
    """Create an action, or update `action`, from validated data: the fields of ActionForm
    (`partners`, `findings` among them; `version` if any), plus `new_partner_name` and
    `new_partner_category` to create a partner on the spot. A change of status is kept in the
    action's history. The action form and the spreadsheet import both save through here.
    StaleVersion when someone else saved the action after the form was built (atc.concurrency).
    A new action may carry out a meeting's `decision`: ValidationError if another action already
    does (two people turning the same decision at once)."""
    action = action if action is not None else Action()
    created = action.pk is None
    if decision is not None:
        Decision.objects.select_for_update().filter(pk=decision.pk).first()
        if Action.objects.filter(decision=decision).exclude(pk=action.pk).exists():
            raise ValidationError(
                _("Cette décision a déjà été transformée en action : retrouvez-la depuis la réunion.")
            )
        action.decision = decision
    previous = "" if created else Action.objects.values_list("status", flat=True).get(pk=action.pk)
    many = assign(action, data)
    claim_version(action, data.get("version"))
    action.site = site
    if created:
        action.created_by = user
    action.save()
    set_many(action, many, created=created)
    name = data.get("new_partner_name")
    if name:
        partner = PartnerOrganisation.objects.create(
            site=site, name=name, category=data["new_partner_category"]
        )
        action.partners.add(partner)
    _record_status(action=action, from_status=previous, user=user)
    return action


@transaction.atomic
def action_change_status(*, action: Action, status: str, user, version: int | None = None) -> Action:
    """Move an action to another status and keep the change, dated, in its history.

    With `version` (the one the board showed), a change made on a stale board is refused with
    StaleVersion instead of undoing what someone else saved since."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if version is not None and version != action.version:
        raise StaleVersion(conflict_message(action, version), current_version=action.version)
    previous = action.status
    if status == previous:
        return action
    action.status = status
    if status == Action.Status.DONE:
        # Moved to « Réalisée » on the board: 100 %, and it ended today unless it ended before
        # (the rule: pilotage.models.action_state_problems).
        today = timezone.localdate()
        action.progress = 100
        if action.end_date is None or action.end_date > today:
            action.end_date = max(today, action.start_date) if action.start_date else today
    # A form built before this change must not silently undo it.
    action.version += 1
    action.save(update_fields=["status", "progress", "end_date", "updated_at", "version"])
    _record_status(action=action, from_status=previous, user=user)
    return action


def action_initial_from_decision(decision: Decision) -> dict:
    """What « Transformer en action » fills the action form with (nothing is saved)."""
    return {
        "title": Truncator(" ".join(decision.text.split())).chars(200),
        "description": decision.text,
        "meeting": decision.meeting_id,
        "status": Action.Status.IDEA,
    }


def attachment_create(
    *, site: Site, user, uploaded, meeting: Meeting | None = None, action: Action | None = None
) -> Attachment:
    """Store an accepted file under a random name; the name the sender gave is only displayed."""
    checked = check_upload(uploaded)
    uploaded.seek(0)
    attachment = Attachment(
        site=site,
        meeting=meeting,
        action=action,
        original_name=(uploaded.name or "")[:255],
        content_type=checked.file_type.content_type,
        size=checked.size,
        uploaded_by=user,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", uploaded, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_delete(*, attachment: Attachment) -> None:
    """Remove the row, then the stored file once the deletion is committed, with the public
    copies the showcase made of it (the relation evaluation's ShowcaseFile declares)."""
    storage, name = attachment.file.storage, attachment.file.name
    copies = [(copy.public_file.storage, copy.public_file.name) for copy in attachment.showcase_files.all()]
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
    for copy_storage, copy_name in copies:
        transaction.on_commit(lambda s=copy_storage, n=copy_name: s.delete(n))
