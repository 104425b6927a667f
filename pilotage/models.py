"""Steering: committees and groups, their meetings with attendance and decisions, the actions
decided, and files attached to them."""

import contextlib
import datetime

from django.conf import settings
from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, models, router, transaction
from django.db.models import BooleanField, F, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from atc.bounds import bounded
from atc.concurrency import version_field
from atc.periods import EXPERIMENT_START
from sites.models import OrganisationCategory, PartnerOrganisation, Site, SiteScopedQuerySet


class ChecksInOneQuery(models.Model):
    """A model whose check constraints are validated (`full_clean`, so every model form) in one
    query: Django asks the database once per constraint (CheckConstraint.validate), nine queries at
    each save of a meeting. The rules are Django's: a constraint naming a field left out of the
    validation is skipped, a NULL passes, a database error lets the value through to the
    database's own check."""

    class Meta:
        abstract = True

    def get_constraints(self):
        # Without the check constraints, which validate_constraints asks about together.
        return [
            (model, [c for c in constraints if not isinstance(c, models.CheckConstraint)])
            for model, constraints in super().get_constraints()
        ]

    def validate_constraints(self, exclude=None):
        errors = {}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for constraint in self._broken_checks(exclude):
            error = ValidationError(
                constraint.get_violation_error_message(), code=constraint.violation_error_code
            )
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _broken_checks(self, exclude) -> list[models.CheckConstraint]:
        """The check constraints this row's values break: each is a column of one SELECT over the
        values (what Q.check does for one)."""
        using = router.db_for_write(type(self), instance=self)
        checks = [c for c in self._meta.constraints if isinstance(c, models.CheckConstraint)]
        # Only the values the conditions name: each one costs the query's building some time.
        named = set().union(*(Q(check.condition).referenced_base_fields for check in checks))
        query = Query(None)
        for name, value in self._get_field_expression_map(meta=self._meta, exclude=exclude).items():
            if name in named:
                query.add_annotation(
                    value if hasattr(value, "resolve_expression") else Value(value), name, select=False
                )
        checked = []
        for constraint in checks:
            passes = Coalesce(Q(constraint.condition), True, output_field=BooleanField())
            try:
                query.add_annotation(passes, f"check_{len(checked)}")
            except FieldError:  # names a field left out of the validation
                continue
            checked.append(constraint)
        if not checked:
            return []
        # Inside a transaction, a savepoint: a database error must not break the caller's.
        in_block = transaction.get_connection(using).in_atomic_block
        try:
            with transaction.atomic(using=using) if in_block else contextlib.nullcontext():
                row = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError:
            return []
        return [constraint for constraint, passed in zip(checked, row, strict=True) if not passed]


class Committee(models.Model):
    """A steering committee, working group or project team of a site, or the national committee."""

    class Kind(models.TextChoices):
        STEERING = "steering", _("Instance de pilotage")
        WORKING_GROUP = "working_group", _("Groupe de travail")
        PROJECT_TEAM = "project_team", _("Équipe projet")
        NATIONAL = "national", _("Comité de suivi national")

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="committees",
        verbose_name=_("site"),
        help_text=_("Vide pour le comité de suivi national."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    is_active = models.BooleanField(_("en activité"), default=True)

    class Meta:
        verbose_name = _("instance ou groupe")
        verbose_name_plural = _("instances et groupes")
        ordering = ["site", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="national") & Q(site__isnull=True))
                | (~Q(kind="national") & Q(site__isnull=False)),
                name="committee_national_has_no_site",
                violation_error_message=_("Seul le comité de suivi national n'est rattaché à aucun site."),
            ),
            models.UniqueConstraint(
                fields=["site", "name"],
                name="committee_unique_name_per_site",
                violation_error_message=_("Une instance porte déjà ce nom sur ce site."),
            ),
        ]

    def __str__(self):
        return self.name


class CommitteeMemberQuerySet(models.QuerySet):
    def held_on(self, day: datetime.date):
        """The seats held on `day`: begun by then (or undated) and not ended before it. The one rule
        of a committee's composition on a day: its page, the dashboard and the report read it."""
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day),
            Q(end_date__isnull=True) | Q(end_date__gte=day),
        )


class CommitteeMember(models.Model):
    """A seat in a committee: an organisation and, optionally, the person who holds it."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("instance")
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(
        _("organisation (national)"),
        max_length=200,
        blank=True,
        help_text=_("Pour le comité national, dont les membres ne sont pas des partenaires d'un site."),
    )
    person_name = models.CharField(_("personne"), max_length=150, blank=True, help_text=_("Facultatif."))
    title = models.CharField(_("fonction"), max_length=150, blank=True)
    category = models.CharField(_("catégorie"), max_length=20, choices=OrganisationCategory.choices)
    name_consent = models.BooleanField(
        _("la personne a accepté que son nom soit enregistré"),
        default=False,
        help_text=_(
            "Obligatoire pour enregistrer le nom d'un·e habitant·e ou d'un·e membre du conseil citoyen."
        ),
    )
    start_date = models.DateField(_("membre depuis"), null=True, blank=True, validators=bounded("date"))
    end_date = models.DateField(_("jusqu'au"), null=True, blank=True, validators=bounded("date"))

    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre d'instance")
        verbose_name_plural = _("membres d'instance")
        ordering = ["committee", "category", "organisation_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="member_end_after_start",
                violation_error_message=_("La fin de la participation doit suivre son début."),
            ),
            # Residents are recorded as counts; a resident's name only with their consent.
            models.CheckConstraint(
                condition=~Q(category__in=["residents", "citizens_council"])
                | Q(person_name="")
                | Q(name_consent=True),
                name="member_resident_name_needs_consent",
                violation_error_message=_(
                    "Le nom d'un·e habitant·e ne peut être enregistré qu'avec son accord : "
                    "cochez la case de consentement ou laissez le nom vide."
                ),
            ),
        ]

    def __str__(self):
        label = self.organisation_label
        return f"{label} — {self.person_name}" if self.person_name else label

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name

    @property
    def who(self) -> str:
        """The person holding the seat: their name, or their function when no name is kept."""
        return self.person_name or self.title

    def held_on(self, day: datetime.date) -> bool:
        """Whether the seat is held on `day` (the rule of `CommitteeMemberQuerySet.held_on`)."""
        return (self.start_date is None or self.start_date <= day) and (
            self.end_date is None or self.end_date >= day
        )


def minutes_due_window(
    *, today: datetime.date, days: int, window_days: int
) -> tuple[datetime.date, datetime.date]:
    """The meeting dates whose minutes are due for validation: from `window_days` days ago (never
    before the experiment began) to `days` days ago."""
    since = max(EXPERIMENT_START, today - datetime.timedelta(days=window_days))
    return since, today - datetime.timedelta(days=days)


class MeetingQuerySet(SiteScopedQuerySet):
    def steering(self):
        return self.filter(kind=Meeting.Kind.STEERING)

    def minutes_overdue(self, *, today: datetime.date, days: int, window_days: int):
        """The one rule for "minutes still to validate": a steering committee's or working group's
        meeting (not a bilateral one) held at least `days` days ago, within the last `window_days`
        days and after the experiment began, whose minutes are not validated. The site home's
        « À faire » and the attention signal both read it; the thresholds are the signal's."""
        since, until = minutes_due_window(today=today, days=days, window_days=window_days)
        return self.filter(kind__in=Meeting.MINUTES_KINDS, date__gte=since, date__lte=until).exclude(
            minutes_status=Meeting.MinutesStatus.VALIDATED
        )


ATTENDANCE_FIELDS = {
    OrganisationCategory.STATE: "attendees_state",
    OrganisationCategory.LOCAL_AUTHORITY: "attendees_local_authority",
    OrganisationCategory.LANDLORD: "attendees_landlord",
    OrganisationCategory.ASSOCIATION: "attendees_association",
    OrganisationCategory.BUSINESS: "attendees_business",
    OrganisationCategory.RESIDENTS: "attendees_residents",
    OrganisationCategory.CITIZENS_COUNCIL: "attendees_citizens_council",
    OrganisationCategory.OTHER: "attendees_other",
}


# Attendance of these categories is the "mix" the national actors follow, beyond institutions: the
# figures' « mixité » and the attention signal about steering committees read it.
CIVIL_SOCIETY = (
    OrganisationCategory.ASSOCIATION,
    OrganisationCategory.RESIDENTS,
    OrganisationCategory.CITIZENS_COUNCIL,
)


def _attendance_field(category):
    return models.PositiveIntegerField(category.label, default=0, validators=bounded("count"))


class Meeting(ChecksInOneQuery):
    """A meeting of any kind; its attendance is counted by stakeholder category."""

    class Kind(models.TextChoices):
        STEERING = "steering", _("Instance de pilotage")
        PARTNERS_WORKSHOP = "partners_workshop", _("Atelier partenarial")
        RESIDENTS_WORKSHOP = "residents_workshop", _("Atelier d'habitant·es")
        WORKING_GROUP = "working_group", _("Groupe de travail")
        BILATERAL = "bilateral", _("Rencontre bilatérale")
        PUBLIC_EVENT = "public_event", _("Événement public")
        NATIONAL_COMMITTEE = "national_committee", _("Comité de suivi national")
        NATIONAL_EVENT = "national_event", _("Événement national")
        OTHER = "other", _("Autre")

    NATIONAL_KINDS = {Kind.NATIONAL_COMMITTEE, Kind.NATIONAL_EVENT}
    # Meetings whose minutes are expected to be validated (a bilateral meeting's are not).
    MINUTES_KINDS = (Kind.STEERING, Kind.WORKING_GROUP)

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("En présentiel")
        VIDEO = "video", _("En visioconférence")
        HYBRID = "hybrid", _("Hybride")

    class MinutesStatus(models.TextChoices):
        NONE = "none", _("Pas de compte rendu")
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumis pour validation")
        VALIDATED = "validated", _("Validé")

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("site"),
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("instance"),
    )
    kind = models.CharField(_("type de réunion"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date"), default=timezone.localdate, validators=bounded("date"))
    start_time = models.TimeField(_("heure de début"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("durée (minutes)"), null=True, blank=True, validators=bounded("minutes")
    )
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, default=Format.IN_PERSON)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    agenda = models.TextField(_("ordre du jour"), blank=True)
    minutes = models.TextField(_("compte rendu"), blank=True)
    minutes_status = models.CharField(
        _("état du compte rendu"),
        max_length=10,
        choices=MinutesStatus.choices,
        default=MinutesStatus.NONE,
    )
    # The minutes workflow (pilotage.services.minutes_*): who submitted them, who validated them
    # and when. Minutes imported as validated for past meetings keep no validator (unknown).
    minutes_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte rendu soumis par"),
    )
    minutes_validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte rendu validé par"),
    )
    minutes_validated_at = models.DateTimeField(_("compte rendu validé le"), null=True, blank=True)
    organisations = models.ManyToManyField(
        PartnerOrganisation,
        blank=True,
        related_name="meetings",
        verbose_name=_("organisations présentes"),
    )
    attendees_state = _attendance_field(OrganisationCategory.STATE)
    attendees_local_authority = _attendance_field(OrganisationCategory.LOCAL_AUTHORITY)
    attendees_landlord = _attendance_field(OrganisationCategory.LANDLORD)
    attendees_association = _attendance_field(OrganisationCategory.ASSOCIATION)
    attendees_business = _attendance_field(OrganisationCategory.BUSINESS)
    attendees_residents = _attendance_field(OrganisationCategory.RESIDENTS)
    attendees_citizens_council = _attendance_field(OrganisationCategory.CITIZENS_COUNCIL)
    attendees_other = _attendance_field(OrganisationCategory.OTHER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    created_at = models.DateTimeField(_("saisie le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    version = version_field()

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("réunion")
        verbose_name_plural = _("réunions")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["site", "kind", "date"], name="meeting_site_kind_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(site__isnull=False) | Q(kind__in=["national_committee", "national_event"]),
                name="meeting_site_unless_national",
                violation_error_message=_("Une réunion de site doit être rattachée à un site."),
            ),
        ] + [
            models.CheckConstraint(
                condition=Q(**{f"{field}__gte": 0}),
                name=f"meeting_{field}_not_negative",
                violation_error_message=_("Un nombre de participant·es ne peut pas être négatif."),
            )
            for field in ATTENDANCE_FIELDS.values()
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%d/%m/%Y})"

    @property
    def total_attendees(self) -> int:
        return sum(getattr(self, field) for field in ATTENDANCE_FIELDS.values())

    def attendance(self) -> list[tuple[str, int]]:
        """(category label, count) pairs in the categories' order."""
        return [(cat.label, getattr(self, field)) for cat, field in ATTENDANCE_FIELDS.items()]

    def clean(self):
        if self.committee_id and self.committee.site_id != self.site_id:
            raise ValidationError({"committee": _("Cette instance n'appartient pas à ce site.")})
        if self.minutes_status != self.MinutesStatus.NONE and not self.minutes.strip():
            raise ValidationError(
                {"minutes": _("Saisissez le compte rendu ou choisissez « Pas de compte rendu ».")}
            )


class MinutesEvent(models.Model):
    """One step of a meeting's minutes workflow: submitted, validated, reopened (with its reason)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Soumis pour validation")
        VALIDATED = "validated", _("Validé")
        REOPENED = "reopened", _("Rouvert")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="minutes_events", verbose_name=_("réunion")
    )
    kind = models.CharField(_("étape"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("étape du compte rendu")
        verbose_name_plural = _("étapes du compte rendu")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%d/%m/%Y})"


class MeetingParticipant(models.Model):
    """A committee member's presence at one meeting (the roster)."""

    class Presence(models.TextChoices):
        PRESENT = "present", _("Présent·e")
        EXCUSED = "excused", _("Excusé·e")
        ABSENT = "absent", _("Absent·e")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="participants", verbose_name=_("réunion")
    )
    member = models.ForeignKey(
        CommitteeMember,
        on_delete=models.CASCADE,
        related_name="presences",
        verbose_name=_("membre"),
    )
    presence = models.CharField(_("présence"), max_length=10, choices=Presence.choices)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="participant_once_per_meeting"),
        ]

    def __str__(self):
        return f"{self.member} — {self.get_presence_display()}"


class Decision(models.Model):
    """Something a meeting decided; it can become an action."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("réunion")
    )
    text = models.TextField(_("décision"), max_length=2000)
    created_at = models.DateTimeField(_("saisie le"), auto_now_add=True)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.text[:80]


class ActionQuerySet(SiteScopedQuerySet):
    def open(self):
        return self.exclude(status__in=[Action.Status.DONE, Action.Status.ABANDONED])

    def overdue(self, *, today: datetime.date, days: int = 0):
        """Open actions whose end date passed more than `days` days ago (the site home's « À faire »
        and the attention signal read this one rule)."""
        return self.open().filter(end_date__lt=today - datetime.timedelta(days=days))


class Action(ChecksInOneQuery):
    """A concrete project of a site, with its partners, status and outcomes."""

    class Status(models.TextChoices):
        IDEA = "idea", _("Idée")
        PREPARATION = "preparation", _("En préparation")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Réalisée")
        ABANDONED = "abandoned", _("Abandonnée")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="actions", verbose_name=_("site"))
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    theme = models.ForeignKey(
        "diagnostics.Theme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("thématique"),
    )
    partners = models.ManyToManyField(
        PartnerOrganisation, blank=True, related_name="actions", verbose_name=_("partenaires")
    )
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.IDEA)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0, validators=bounded("percent"))
    residents_reached = models.PositiveIntegerField(
        _("habitant·es touché·es"), default=0, validators=bounded("count")
    )
    start_date = models.DateField(_("début"), null=True, blank=True, validators=bounded("date"))
    end_date = models.DateField(_("fin"), null=True, blank=True, validators=bounded("date"))
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("décidée lors de"),
    )
    decision = models.OneToOneField(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action",
        verbose_name=_("décision d'origine"),
    )
    findings = models.ManyToManyField(
        "diagnostics.Finding",
        blank=True,
        related_name="actions",
        verbose_name=_("constats auxquels l'action répond"),
    )
    outcomes = models.TextField(_("résultats"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    created_at = models.DateTimeField(_("saisie le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    version = version_field()

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "status"], name="action_site_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="action_progress_percent",
                violation_error_message=_("L'avancement est un pourcentage entre 0 et 100."),
            ),
            models.CheckConstraint(
                condition=Q(residents_reached__gte=0),
                name="action_residents_not_negative",
                violation_error_message=_("Le nombre d'habitant·es touché·es ne peut pas être négatif."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="action_end_after_start",
                violation_error_message=_("La date de fin doit suivre la date de début."),
            ),
        ]

    def __str__(self):
        return self.title


def action_state_problems(*, status: str, progress: int | None, end_date, today) -> list[tuple[str, str]]:
    """The (field, French message) of each inconsistency between an action's status, progress and
    end date: a done action is at 100 % and ended on a day already past (or today). An abandoned
    action keeps the progress it had. The form, the import and the board read this one rule."""
    if status != Action.Status.DONE:
        return []
    problems = []
    if progress is not None and progress != 100:
        problems.append(
            (
                "progress",
                _("Une action réalisée est à 100 % : passez l'avancement à 100 ou choisissez un autre état."),
            )
        )
    if end_date is not None and end_date > today:
        problems.append(
            (
                "end_date",
                _(
                    "Une action réalisée ne peut pas finir après aujourd'hui : indiquez le jour où elle "
                    "s'est terminée, ou choisissez « En cours »."
                ),
            )
        )
    return problems


class ActionStatusChange(models.Model):
    """A dated change of an action's status, kept for its history."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("action")
    )
    from_status = models.CharField(_("ancien état"), max_length=12, choices=Action.Status.choices, blank=True)
    to_status = models.CharField(_("nouvel état"), max_length=12, choices=Action.Status.choices)
    changed_at = models.DateTimeField(_("date"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("changement d'état")
        verbose_name_plural = _("changements d'état")
        ordering = ["action", "changed_at"]

    def __str__(self):
        return f"{self.action} : {self.get_to_status_display()}"


class Attachment(models.Model):
    """A file attached to a meeting or an action, stored under a server-chosen name."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("site")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("réunion"),
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("action"),
    )
    file = models.FileField(_("fichier"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("nom d'origine"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False) | Q(action__isnull=False),
                name="attachment_has_a_parent",
                violation_error_message=_("Une pièce jointe est liée à une réunion ou une action."),
            ),
        ]

    def __str__(self):
        return self.original_name


class CalendarFeed(models.Model):
    """A person's secret calendar address: calendar apps subscribe to it without a session and read
    the meetings of the sites the person may read at the time of each read. Only the key's hash is
    kept: the address is shown once; a new one replaces it, and the old one answers 404."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("personne"),
    )
    key_hash = models.CharField(_("empreinte de la clé"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière lecture"), null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement à l'agenda")
        verbose_name_plural = _("abonnements à l'agenda")

    def __str__(self):
        return str(self.user)


class ClaimQuerySet(SiteScopedQuerySet):
    def in_period(self, *, start: datetime.date, end: datetime.date):
        """Claims whose period meets [start, end] (a claim without an end lasts one day)."""
        return self.filter(period_start__lte=end).filter(
            Q(period_end__gte=start) | Q(period_end__isnull=True, period_start__gte=start)
        )


class AvoidedCostClaim(models.Model):
    """One avoided cost or leverage effect claimed for an action (« coûts évités et effets
    leviers »): what was avoided or raised, its amount or quantity, the hypothesis behind it, its
    source, and how sure it is. Totals never mix the confidence levels (evaluation/figures/ledger.py)."""

    class Kind(models.TextChoices):
        AVOIDED = "avoided", _("Coût évité")
        LEVERAGE = "leverage", _("Effet levier (moyens obtenus)")

    class Confidence(models.TextChoices):
        DECLARED = "declared", _("Déclaré")
        DOCUMENTED = "documented", _("Documenté")
        VERIFIED = "verified", _("Vérifié")

    class Source(models.TextChoices):
        TEAM = "team", _("Estimation de l'équipe du site")
        PARTNER = "partner", _("Déclaration d'un partenaire")
        DOCUMENT = "document", _("Document joint")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="claims", verbose_name=_("site"))
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="claims", verbose_name=_("action")
    )
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.AVOIDED)
    description = models.CharField(
        _("ce qui a été évité ou obtenu"),
        max_length=200,
        help_text=_(
            "Par exemple : une dégradation non réparée, un service qui n'est plus doublé, un cofinancement."
        ),
    )
    amount = models.DecimalField(
        _("montant (€)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=bounded("amount")
    )
    quantity = models.DecimalField(
        _("quantité"), max_digits=12, decimal_places=2, null=True, blank=True, validators=bounded("quantity")
    )
    unit = models.CharField(
        _("unité"), max_length=50, blank=True, help_text=_("Par exemple : nuitées, heures.")
    )
    period_start = models.DateField(_("début de la période"), validators=bounded("date"))
    period_end = models.DateField(_("fin de la période"), null=True, blank=True, validators=bounded("date"))
    hypothesis = models.TextField(
        _("hypothèse et calcul"),
        max_length=2000,
        help_text=_("Expliquez en mots comment le montant ou la quantité a été estimé."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.TEAM)
    source_detail = models.CharField(
        _("précision sur la source"),
        max_length=300,
        blank=True,
        help_text=_("Le partenaire et la fonction de la personne qui l'a déclaré, ou le titre du document."),
    )
    document = models.ForeignKey(
        Attachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("document"),
    )
    confidence = models.CharField(
        _("niveau de confiance"), max_length=10, choices=Confidence.choices, default=Confidence.DECLARED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vérifié par"),
    )
    verified_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = ClaimQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("coût évité ou effet levier")
        verbose_name_plural = _("coûts évités et effets leviers")
        ordering = ["action", "period_start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | Q(quantity__isnull=False),
                name="claim_has_amount_or_quantity",
                violation_error_message=_("Indiquez un montant, une quantité, ou les deux."),
            ),
            models.CheckConstraint(
                condition=(Q(amount__isnull=True) | Q(amount__gte=0))
                & (Q(quantity__isnull=True) | Q(quantity__gte=0)),
                name="claim_not_negative",
                violation_error_message=_("Un montant ou une quantité ne peut pas être négatif."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True) | Q(period_end__gte=F("period_start")),
                name="claim_end_after_start",
                violation_error_message=_("La fin de la période doit suivre son début."),
            ),
        ]

    def __str__(self):
        return self.description
