"""Personal data (RGPD): what the platform holds about a person, its export, its erasure, and the
retention periods enforced by the purge.

Residents are recorded as counts; the only names the platform keeps are those of accounts,
facilitators, and committee members (residents' names only with their consent). Erasure anonymises
rows rather than deleting them, so the site's history (meetings, actions, figures) stays intact
while nothing identifies the person any more.
"""

import datetime
import json
from dataclasses import dataclass, field
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from atc import spreadsheets
from atc.account_services import role_end
from atc.models import ApiToken, Notification, NotificationDigest, NotificationPreference, Role, User
from evaluation.models import LogbookEntry, ReportSchedule
from evaluation.reports.services import reports_reissue_naming
from pilotage.models import Action, CalendarFeed, CommitteeMember, Meeting
from sites.models import FacilitatorAssignment, ReviewComment, ReviewReply

ERASED_NAME = "Personne effacée"

# Retention periods (documented in README.md, "Données personnelles").
RETENTION_INACTIVE_ACCOUNT = datetime.timedelta(days=3 * 365)
RETENTION_ENDED_FACILITATOR_NAME = datetime.timedelta(days=5 * 365)
RETENTION_ENDED_COMMITTEE_MEMBER_NAME = datetime.timedelta(days=5 * 365)


@dataclass
class ErasureReport:
    accounts: int = 0
    facilitator_rows: int = 0
    committee_seats: int = 0
    schedule_recipients: int = 0
    admin_log_entries: int = 0
    sessions: int = 0
    api_tokens: int = 0
    # Issued PDF reports that printed the name: deleted and being rendered again without it.
    reports_reissued: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.accounts
            + self.facilitator_rows
            + self.committee_seats
            + self.schedule_recipients
            + self.admin_log_entries
            + self.sessions
            + self.api_tokens
            + self.reports_reissued
        )


def _user_sessions(user: User):
    """Sessions store the user id inside their encoded data: decode to find them."""
    ids = []
    for session in Session.objects.filter(expire_date__gte=timezone.now() - datetime.timedelta(days=1)):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ids.append(session.pk)
    return Session.objects.filter(pk__in=ids)


def _end_sessions(sessions) -> int:
    """Delete sessions through the session engine, so that any copy it keeps elsewhere goes too."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(sessions.values_list("pk", flat=True))
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def _name_matches(name: str) -> Q:
    return Q(person_name__iexact=name.strip())


def _erase_facilitator_names(assignments) -> int:
    """Replace the name (and unlink the account) on these facilitator rows and on every version
    of them the team's history keeps; returns the number of rows. A queryset update writes no new
    history row."""
    ids = list(assignments.values_list("pk", flat=True))
    FacilitatorAssignment.history.filter(id__in=ids).update(person_name=ERASED_NAME, user=None)
    return FacilitatorAssignment.objects.filter(pk__in=ids).update(person_name=ERASED_NAME, user=None)


def personal_data_export(*, user: User | None = None, name: str | None = None) -> dict:
    """Everything the platform holds about a person (an account, or a name without account)."""

    if user is None and not name:
        raise ValueError("A user or a name is required")
    data: dict = {"exported_at": timezone.now().isoformat()}
    assignments = FacilitatorAssignment.objects.none()
    seats = CommitteeMember.objects.none()
    if user is not None:
        data["account"] = {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "is_active": user.is_active,
        }
        data["email_addresses"] = list(
            EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
        )
        data["roles"] = [
            {
                "role": role.get_kind_display(),
                "sites": [site.name for site in role.sites.all()],
                "network": role.network.name if role.network else None,
                "start_date": role.start_date.isoformat(),
                "end_date": role.end_date.isoformat() if role.end_date else None,
            }
            for role in user.roles.select_related("network").prefetch_related("sites")
        ]
        data["authored"] = {
            "meetings": Meeting.objects.filter(created_by=user).count(),
            "actions": Action.objects.filter(created_by=user).count(),
            "logbook_entries": LogbookEntry.objects.filter(author=user).count(),
            "review_comments": list(
                ReviewComment.objects.filter(author=user).values("site__name", "created_at", "body")
            ),
            "review_replies": list(
                ReviewReply.objects.filter(author=user).values("comment__site__name", "created_at", "body")
            ),
            "review_comments_handled": list(
                ReviewComment.objects.filter(handled_by=user).values("site__name", "created_at", "handled_at")
            ),
        }
        # Never the secret (not kept) nor its hash: what the person sees on « Jetons d'API ».
        data["api_tokens"] = [
            {
                "name": token.name,
                "prefix": token.prefix,
                "created_at": token.created_at.isoformat(),
                "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
                "expires_at": token.expires_at.isoformat() if token.expires_at else None,
                "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
            }
            for token in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
        ]
        data["notifications"] = list(
            Notification.objects.filter(recipient=user)
            .order_by("created_at", "pk")
            .values("kind", "title", "body", "url", "created_at", "read_at", "emailed_at")
        )
        data["notification_preferences"] = dict(
            NotificationPreference.objects.filter(user=user).values_list("kind", "frequency")
        )
        data["report_schedules"] = [
            schedule.name
            for schedule in ReportSchedule.objects.all()
            if user.email.lower() in (a.lower() for a in schedule.recipient_list())
        ]
        data["calendar_feed"] = [
            {
                "created_at": feed.created_at.isoformat(),
                "last_used_at": feed.last_used_at.isoformat() if feed.last_used_at else None,
            }
            for feed in CalendarFeed.objects.filter(user=user)
        ]
        assignments = FacilitatorAssignment.objects.filter(user=user)
        full_name = user.get_full_name()
        if full_name:
            assignments = assignments | FacilitatorAssignment.objects.filter(_name_matches(full_name))
            seats = CommitteeMember.objects.filter(_name_matches(full_name))
    if name:
        assignments = assignments | FacilitatorAssignment.objects.filter(_name_matches(name))
        seats = seats | CommitteeMember.objects.filter(_name_matches(name))
    data["facilitation"] = [
        {
            "site": a.site.name,
            "person_name": a.person_name,
            "fte": str(a.fte),
            "contract_type": a.get_contract_type_display(),
            "start_date": a.start_date.isoformat(),
            "end_date": a.end_date.isoformat() if a.end_date else None,
        }
        for a in assignments.distinct().select_related("site")
    ]
    data["committee_seats"] = [
        {"committee": s.committee.name, "person_name": s.person_name, "title": s.title}
        for s in seats.distinct().select_related("committee")
    ]
    return data


def personal_data_export_csv(data: dict) -> str:
    """The export flattened to `section;field;value` rows (UTF-8), for a spreadsheet."""
    rows = []

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, item in value.items():
                walk(f"{prefix}.{key}" if prefix else key, item)
        elif isinstance(value, list):
            for index, item in enumerate(value, start=1):
                walk(f"{prefix}[{index}]", item)
        else:
            section, _, name = prefix.partition(".")
            rows.append([section, name, "" if value is None else str(value)])

    walk("", json.loads(json.dumps(data, default=str)))
    return spreadsheets.csv_text(["rubrique", "champ", "valeur"], rows)


@transaction.atomic
def personal_data_erase(*, user: User | None = None, name: str | None = None) -> ErasureReport:
    """Erase a person: anonymise their account and every name, address and trace of them.

    Meetings, actions and figures they recorded stay (they belong to the site); the link to the
    person becomes an anonymous, deactivated account.
    """

    if user is None and not name:
        raise ValueError("A user or a name is required")
    report = ErasureReport()
    names = {name.strip()} if name else set()
    if user is not None:
        if user.get_full_name().strip():
            names.add(user.get_full_name().strip())
        traces = [t for t in (user.email, user.first_name, user.last_name) if t and len(t) > 2]
        traces.append(user.get_full_name())
        report.admin_log_entries = LogEntry.objects.filter(
            Q(object_id=str(user.pk), content_type__model="user")
            | Q(user=user)
            | _any_contains("object_repr", traces)
            | _any_contains("change_message", traces)
        ).delete()[0]
        for schedule in ReportSchedule.objects.all():
            kept = [a for a in schedule.recipient_list() if a.lower() != user.email.lower()]
            if len(kept) != len(schedule.recipient_list()):
                schedule.recipients = "\n".join(kept)
                schedule.save(update_fields=["recipients"])
                report.schedule_recipients += 1
        report.sessions = _end_sessions(_user_sessions(user))
        Notification.objects.filter(recipient=user).delete()
        NotificationPreference.objects.filter(user=user).delete()
        NotificationDigest.objects.filter(user=user).delete()
        _erase_facilitator_names(FacilitatorAssignment.objects.filter(user=user))
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        CalendarFeed.objects.filter(user=user).delete()
        report.api_tokens = ApiToken.objects.filter(user=user).delete()[0]
        user.email = f"personne-effacee-{user.pk}@invalid.example"
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()
        # Through the service (a save per role), so the cached scopes are forgotten at once too;
        # a role that had not started yet is deleted.
        for role in user.roles.exclude(end_date__lte=timezone.localdate()):
            role_end(role=role)
        report.accounts = 1
    for person in names:
        # Other people's notifications that name the person ("Nouveau commentaire de …").
        Notification.objects.filter(
            _any_contains("title", [person]) | _any_contains("body", [person])
        ).delete()
        report.facilitator_rows += _erase_facilitator_names(
            FacilitatorAssignment.objects.filter(_name_matches(person))
        )
        # A version of a row renamed since (a typo corrected) still holds the name.
        FacilitatorAssignment.history.filter(_name_matches(person)).update(person_name=ERASED_NAME, user=None)
        report.committee_seats += CommitteeMember.objects.filter(_name_matches(person)).update(
            person_name="", title=""
        )
    # Last, once the names are erased from the data the reports are rendered again from.
    report.reports_reissued = len(reports_reissue_naming(names=sorted(names)))
    return report


def _any_contains(field_name: str, needles: list[str]) -> Q:
    condition = Q(pk__in=[])
    for needle in needles:
        if needle:
            condition |= Q(**{f"{field_name}__icontains": needle})
    return condition


@dataclass
class PurgeReport:
    accounts: list[str] = field(default_factory=list)
    facilitator_rows: int = 0
    committee_seats: int = 0
    expired_sessions: int = 0
    applied: bool = False


def personal_data_purge(*, today: datetime.date | None = None, apply: bool = False) -> PurgeReport:
    """Apply the retention periods. Without `apply`, only says what would be erased (dry run).

    - accounts unused for 3 years (no login since, or never) and holding no current role: erased;
    - facilitators' names 5 years after their assignment ended: replaced by "Personne effacée";
    - committee members' names 5 years after their seat ended: removed;
    - expired sessions: deleted.
    """

    day = today or timezone.localdate()
    now = (
        timezone.now()
        if today is None
        else timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    )
    report = PurgeReport(applied=apply)
    stale_before = now - RETENTION_INACTIVE_ACCOUNT
    stale = (
        User.objects.filter(
            Q(last_login__lt=stale_before) | Q(last_login__isnull=True, date_joined__lt=stale_before)
        )
        .exclude(email__endswith="@invalid.example")
        .exclude(roles__in=_current_roles(day))
        .distinct()
    )
    facilitators = FacilitatorAssignment.objects.filter(
        end_date__lt=day - RETENTION_ENDED_FACILITATOR_NAME
    ).exclude(person_name=ERASED_NAME)
    seats = CommitteeMember.objects.filter(end_date__lt=day - RETENTION_ENDED_COMMITTEE_MEMBER_NAME).exclude(
        person_name=""
    )
    sessions = Session.objects.filter(expire_date__lt=now)
    report.accounts = [f"compte n° {user.pk}" for user in stale]
    report.facilitator_rows = facilitators.count()
    report.committee_seats = seats.count()
    report.expired_sessions = sessions.count()
    if apply:
        with transaction.atomic():
            for user in stale:
                personal_data_erase(user=user)
            _erase_facilitator_names(facilitators)
            seats.update(person_name="", title="")
            sessions.delete()
    return report


def _current_roles(day: datetime.date):

    return Role.objects.current(day)
