"""Writes of the steering pages that touch several rows; each is all-or-nothing."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from atc.concurrency import StaleVersion, claim_version, conflict_message
from pilotage.forms import ActionForm, MeetingForm
from pilotage.models import (
    Action,
    ActionStatusChange,
    Attachment,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingParticipant,
)
from pilotage.uploads import check_upload
from sites.models import PartnerOrganisation, Site


def _record_status(*, action: Action, from_status: str, user) -> None:
    if from_status != action.status:
        ActionStatusChange.objects.create(
            action=action,
            from_status=from_status,
            to_status=action.status,
            changed_by=user,
            changed_at=timezone.now(),
        )


@transaction.atomic
def meeting_save(
    *,
    site: Site,
    user,
    form: MeetingForm,
    presences: dict[CommitteeMember, str] | None,
    decision_formset,
) -> Meeting:
    """Save a meeting with its roster and decisions from validated forms.

    `presences` replaces the roster when given (None leaves it as it is); members must sit on the
    meeting's committee. Anything that fails rolls the whole save back; StaleVersion when someone
    else saved the meeting after the form was built (atc.concurrency).
    """
    meeting = form.save(commit=False)
    claim_version(meeting, form.cleaned_data.get("version"))
    meeting.site = site
    if meeting.pk is None:
        meeting.created_by = user
    meeting.save()
    form.save_m2m()
    if presences is not None:
        meeting_set_roster(meeting=meeting, presences=presences)
    decisions = decision_formset.save(commit=False)
    for decision in decisions:
        decision.meeting = meeting
        decision.save()
    for decision in decision_formset.deleted_objects:
        decision.delete()
    return meeting


def meeting_set_roster(*, meeting: Meeting, presences: dict[CommitteeMember, str]) -> None:
    """Replace the meeting's roster; a member of another committee is refused."""
    if any(member.committee_id != meeting.committee_id for member in presences):
        raise ValidationError(_("Ce membre ne siège pas dans l'instance de cette réunion."))
    meeting.participants.exclude(member__in=list(presences)).delete()
    for member, presence in presences.items():
        MeetingParticipant.objects.update_or_create(
            meeting=meeting, member=member, defaults={"presence": presence}
        )


@transaction.atomic
def action_save(*, site: Site, user, form: ActionForm) -> Action:
    """Save an action from a validated form, create the quick-added partner, and record a change
    of status in the action's history. StaleVersion when someone else saved the action after the
    form was built (atc.concurrency)."""
    is_new = form.instance.pk is None
    previous = "" if is_new else Action.objects.values_list("status", flat=True).get(pk=form.instance.pk)
    action = form.save(commit=False)
    claim_version(action, form.cleaned_data.get("version"))
    action.site = site
    if is_new:
        action.created_by = user
    action.save()
    form.save_m2m()
    name = form.cleaned_data.get("new_partner_name")
    if name:
        partner = PartnerOrganisation.objects.create(
            site=site, name=name, category=form.cleaned_data["new_partner_category"]
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
        action.progress = 100
    # A form built before this change must not silently undo it.
    action.version += 1
    action.save(update_fields=["status", "progress", "updated_at", "version"])
    _record_status(action=action, from_status=previous, user=user)
    return action


@transaction.atomic
def action_create_from_decision(*, decision: Decision, user) -> Action:
    """Turn a decision into an action at the idea stage; a decision already turned keeps its
    action (clicking twice does not create a second one)."""
    decision = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    existing = Action.objects.filter(decision=decision).first()
    if existing is not None:
        return existing
    action = Action.objects.create(
        site_id=decision.meeting.site_id,
        title=Truncator(" ".join(decision.text.split())).chars(200),
        description=decision.text,
        meeting=decision.meeting,
        decision=decision,
        status=Action.Status.IDEA,
        created_by=user,
    )
    _record_status(action=action, from_status="", user=user)
    return action


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
    """Remove the row, then the stored file once the deletion is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
