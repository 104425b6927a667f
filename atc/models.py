"""People and their roles: the user model and the scoped role assignments that decide access."""

import datetime

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from atc.access_version import bump_access_version
from atc.bounds import bounded
from atc.notifications.kinds import KIND_CHOICES, Frequency


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email address."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email


class RoleQuerySet(models.QuerySet):
    """Bulk writes send no signal, so they forget the cached scopes themselves (saves, deletes
    and changes of sites do it through the signals connected in AtcConfig.ready)."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        bump_access_version()
        return rows

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        bump_access_version()
        return created

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        bump_access_version()
        return rows

    def current(self, on: datetime.date | None = None):
        """The roles held on `day` (today by default): see `Role.is_current`."""
        day = on or timezone.localdate()
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gt=day))


class Role(models.Model):
    """One role held by a person, with its scope and tenure. A person can hold several."""

    class Kind(models.TextChoices):
        FACILITATOR = "facilitator", _("Animateur·rice territorial·e")
        HOST_DIRECTOR = "host_director", _("Direction de la structure porteuse")
        PREFET_DELEGATE = "prefet_delegate", _("Délégué·e du préfet")
        NETWORK_COORDINATOR = "network_coordinator", _("Coordination de tête de réseau")
        NATIONAL_TEAM = "national_team", _("Équipe nationale")
        ADMIN = "admin", _("Administration de la plateforme")

    SITE_SCOPED = {Kind.FACILITATOR, Kind.HOST_DIRECTOR, Kind.PREFET_DELEGATE}

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("personne"))
    kind = models.CharField(_("rôle"), max_length=32, choices=Kind.choices)
    sites = models.ManyToManyField(
        "sites.Site",
        blank=True,
        related_name="roles",
        verbose_name=_("sites"),
        help_text=_("Pour les animateur·rices, directions et délégué·es du préfet."),
    )
    network = models.ForeignKey(
        "sites.Network",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("tête de réseau"),
        help_text=_("Pour la coordination d'une tête de réseau."),
    )
    start_date = models.DateField(_("début"), default=timezone.localdate, validators=bounded("date"))
    end_date = models.DateField(_("fin"), null=True, blank=True, validators=bounded("date"))
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        ordering = ["user", "kind", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="role_end_after_start",
                violation_error_message=_("La fin du rôle doit suivre son début."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="network_coordinator") | Q(network__isnull=False),
                name="role_coordinator_has_network",
                violation_error_message=_("Une coordination de réseau doit indiquer sa tête de réseau."),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()}"

    def is_current(self, day: datetime.date) -> bool:
        """A role gives access from its start date, and no longer from its end date: ending a role
        sets today as its end, and the person loses access on their next request, not at midnight."""
        return self.start_date <= day and (self.end_date is None or self.end_date > day)

    def has_ended(self, day: datetime.date) -> bool:
        return self.end_date is not None and self.end_date <= day

    def clean(self):
        if self.kind == self.Kind.NETWORK_COORDINATOR and not self.network_id:
            raise ValidationError({"network": _("Indiquez la tête de réseau coordonnée.")})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La fin du rôle doit suivre son début.")})


class Heartbeat(models.Model):
    """The last time a background process proved it was alive (the Celery worker, via beat)."""

    name = models.CharField(_("processus"), max_length=40, unique=True)
    last_seen = models.DateTimeField(_("dernier signe de vie"))
    beats = models.PositiveBigIntegerField(_("nombre de signes de vie"), default=0)

    class Meta:
        verbose_name = _("signe de vie")
        verbose_name_plural = _("signes de vie")

    def __str__(self):
        return f"{self.name} : {self.last_seen:%d/%m/%Y %H:%M:%S}"


class ApiToken(models.Model):
    """A personal API token: it reads what its owner may read, no more (atc.permissions).

    Only the SHA-256 of the secret is kept; the secret is shown once, when the token is created.
    `prefix` is the visible start of the secret, so a person can tell their tokens apart and find
    one in a log without the rest of it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("personne")
    )
    name = models.CharField(_("nom"), max_length=80)
    prefix = models.CharField(_("préfixe"), max_length=16, unique=True)
    key_hash = models.CharField(_("empreinte de la clé"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime.datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One event told to one person: a row of their inbox, e-mailed at once, in a digest or never
    (their NotificationPreference for the kind). `dedupe_key` names the event: the same event told
    twice to the same person creates nothing the second time."""

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("destinataire")
    )
    kind = models.CharField(_("type"), max_length=32, choices=KIND_CHOICES)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    site = models.ForeignKey(
        "sites.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("site"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyée par e-mail le"), null=True, blank=True)
    digest = models.ForeignKey(
        "NotificationDigest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("résumé"),
    )
    dedupe_key = models.CharField(_("clé de l’événement"), max_length=200)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return f"{self.recipient} — {self.title}"


class NotificationPreference(models.Model):
    """How often one person wants the e-mails of one kind; without a row, the kind's default
    (atc/notifications/kinds.py)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences", verbose_name=_("personne")
    )
    kind = models.CharField(_("type"), max_length=32, choices=KIND_CHOICES)
    frequency = models.CharField(_("fréquence des e-mails"), max_length=16, choices=Frequency.choices)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} : {self.get_frequency_display()}"


class NotificationDigest(models.Model):
    """One daily or weekly digest e-mail of one person: unique per period, so a run repeated (or
    retried) in the same period sends nothing more."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_digests", verbose_name=_("personne")
    )
    frequency = models.CharField(_("fréquence"), max_length=16, choices=Frequency.choices)
    period_start = models.DateField(_("début de la période"))
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("résumé de notifications")
        verbose_name_plural = _("résumés de notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period_start"], name="notification_digest_once"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_frequency_display()} {self.period_start:%d/%m/%Y}"
