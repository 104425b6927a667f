"""Evaluation: logbook entries, national indicators and their values, questionnaires and their
campaigns, and the evaluation reports (PDF) with their schedules."""

import datetime
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from atc.bounds import bounded
from atc.concurrency import version_field
from sites.models import Network, Site, SiteScopedQuerySet


class LogbookEntryQuerySet(SiteScopedQuerySet):
    def covering(self, start: datetime.date, end: datetime.date):
        """The periodic reviews (bilans de période) that cover part of [start, end].

        The one rule for "the quarter's logbook is filled": a periodic review overlapping the
        quarter. A note of another kind (event, difficulty, lesson) does not fill it. The site
        home's to-do list, the logbook page, the e-mail reminders and the dashboards' « trimestres
        avec carnet de bord » all read it."""
        return self.filter(kind=LogbookEntry.Kind.PERIODIC, period_start__lte=end, period_end__gte=start)


class LogbookEntry(models.Model):
    """A facilitator's periodic self-report (carnet de bord) or a notable-event note."""

    class Kind(models.TextChoices):
        PERIODIC = "periodic", _("Bilan de période")
        EVENT = "event", _("Fait marquant")
        DIFFICULTY = "difficulty", _("Difficulté")
        LESSON = "lesson", _("Enseignement")

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="logbook_entries", verbose_name=_("site")
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.PERIODIC)
    period_start = models.DateField(_("début de la période"), validators=bounded("date"))
    period_end = models.DateField(_("fin de la période"), validators=bounded("date"))
    happened = models.TextField(_("ce qui s'est passé"))
    difficulties = models.TextField(_("difficultés"), blank=True)
    lessons = models.TextField(_("enseignements"), blank=True)
    changes_of_course = models.TextField(_("changements de cap"), blank=True)
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    time_spent_hours = models.DecimalField(
        _("temps passé (heures)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=bounded("hours"),
    )
    support_needed = models.TextField(_("appui souhaité"), blank=True)
    meetings = models.ManyToManyField(
        "pilotage.Meeting", blank=True, related_name="logbook_entries", verbose_name=_("réunions")
    )
    actions = models.ManyToManyField(
        "pilotage.Action", blank=True, related_name="logbook_entries", verbose_name=_("actions")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur·rice"),
    )
    created_at = models.DateTimeField(_("saisie le"), auto_now_add=True)
    version = version_field()

    objects = LogbookEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("entrée du carnet de bord")
        verbose_name_plural = _("entrées du carnet de bord")
        ordering = ["site", "-period_end"]
        indexes = [models.Index(fields=["site", "period_end"], name="logbook_site_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="logbook_period_end_after_start",
                violation_error_message=_("La fin de la période doit suivre son début."),
            ),
            models.CheckConstraint(
                condition=Q(time_spent_hours__isnull=True) | Q(time_spent_hours__gte=0),
                name="logbook_time_not_negative",
                violation_error_message=_("Le temps passé ne peut pas être négatif."),
            ),
        ]

    def __str__(self):
        return f"{self.site} — {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"


class LogbookReminder(models.Model):
    """A reminder sent for a site's missing logbook entry of a period: recorded so it goes once."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="logbook_reminders", verbose_name=_("site")
    )
    period_start = models.DateField(_("début de la période"), validators=bounded("date"))
    period_end = models.DateField(_("fin de la période"), validators=bounded("date"))
    recipients = models.TextField(_("destinataires"))
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("rappel du carnet de bord")
        verbose_name_plural = _("rappels du carnet de bord")
        ordering = ["-period_start", "site"]
        constraints = [
            models.UniqueConstraint(fields=["site", "period_start"], name="logbook_reminder_once_per_period"),
        ]

    def __str__(self):
        return f"{self.site} — {self.period_start:%d/%m/%Y}"


class Periodicity(models.TextChoices):
    QUARTER = "quarter", _("Trimestrielle")
    HALF_YEAR = "half_year", _("Semestrielle")
    YEAR = "year", _("Annuelle")


class Indicator(models.Model):
    """A national indicator: computed from the platform's data, or entered by the sites."""

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Calculé à partir des données")
        ENTERED = "entered", _("Saisi par les sites")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200, unique=True)
    definition = models.TextField(_("définition"))
    unit = models.CharField(_("unité"), max_length=40)
    source = models.CharField(_("mode de calcul"), max_length=10, choices=Source.choices)
    computation = models.CharField(
        _("calcul"),
        max_length=60,
        blank=True,
        help_text=_("Pour un indicateur calculé : la règle de calcul utilisée."),
    )
    periodicity = models.CharField(
        _("périodicité"), max_length=10, choices=Periodicity.choices, default=Periodicity.QUARTER
    )
    decimal_places = models.PositiveSmallIntegerField(
        _("décimales"),
        choices=[(0, _("Aucune (nombre entier)")), (1, _("Une")), (2, _("Deux"))],
        default=0,
        help_text=_(
            "Un nombre de personnes ou d'actions est entier ; un taux ou un montant peut avoir des décimales."
        ),
    )
    default_objective = models.DecimalField(
        _("objectif par site"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=bounded("indicator"),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="entered") | ~Q(computation=""),
                name="indicator_computed_has_rule",
                violation_error_message=_("Un indicateur calculé doit préciser sa règle de calcul."),
            ),
        ]

    def __str__(self):
        return self.name


class IndicatorObjective(models.Model):
    """A site-specific objective that overrides the indicator's default."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("indicateur")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="indicator_objectives", verbose_name=_("site")
    )
    target = models.DecimalField(
        _("objectif"), max_digits=10, decimal_places=2, validators=bounded("indicator")
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("objectif d'indicateur")
        verbose_name_plural = _("objectifs d'indicateur")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "site"], name="objective_once_per_site"),
        ]

    def __str__(self):
        return f"{self.indicator} — {self.site} : {self.target}"


class IndicatorValue(models.Model):
    """The value of an indicator for a site and a period."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicateur")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="indicator_values", verbose_name=_("site")
    )
    period_start = models.DateField(_("début de la période"), validators=bounded("date"))
    period_end = models.DateField(_("fin de la période"), validators=bounded("date"))
    value = models.DecimalField(_("valeur"), max_digits=12, decimal_places=2, validators=bounded("indicator"))
    comment = models.TextField(_("commentaire"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    entered_at = models.DateTimeField(_("saisie le"), auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateur")
        ordering = ["indicator", "site", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "site", "period_start", "period_end"],
                name="indicator_value_once_per_period",
                violation_error_message=_("Une valeur existe déjà pour cette période."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="indicator_value_period_order",
                violation_error_message=_("La fin de la période doit suivre son début."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} — {self.site} : {self.value}"


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    NETWORK = "network", _("Tête de réseau")
    SITE = "site", _("Site")


def _scope_constraint(prefix: str):
    return models.CheckConstraint(
        condition=(Q(scope="national") & Q(network__isnull=True) & Q(site__isnull=True))
        | (Q(scope="network") & Q(network__isnull=False) & Q(site__isnull=True))
        | (Q(scope="site") & Q(site__isnull=False) & Q(network__isnull=True)),
        name=f"{prefix}_scope_matches_target",
        violation_error_message=_("Le périmètre doit correspondre : national seul, un réseau, ou un site."),
    )


class EvaluationReport(models.Model):
    """A report request and, once done, its frozen PDF. Never overwritten: each is a new row."""

    class Status(models.TextChoices):
        # A draft has no file yet: its narrative is written on the platform, then it is issued
        # (queued) and frozen like any other report.
        DRAFT = "draft", _("Brouillon")
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours de fabrication")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    public_id = models.UUIDField(_("identifiant"), default=uuid.uuid4, unique=True, editable=False)
    scope = models.CharField(_("périmètre"), max_length=10, choices=Scope.choices)
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("tête de réseau"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("site"),
    )
    period_label = models.CharField(_("période"), max_length=40)
    period_start = models.DateField(_("début de la période"), validators=bounded("date"))
    period_end = models.DateField(_("fin de la période"), validators=bounded("date"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("motif de l'échec"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    task_id = models.CharField(
        _("tâche en cours"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("La livraison de tâche Celery qui fabrique le rapport."),
    )
    file = models.FileField(_("fichier PDF"), upload_to="reports/%Y/", blank=True)
    # The same report to edit, made from the same content right after the PDF (none for a report
    # rendered in parts); frozen with it.
    odt_file = models.FileField(_("fichier ODT"), upload_to="reports/%Y/", blank=True)
    docx_file = models.FileField(_("fichier DOCX"), upload_to="reports/%Y/", blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    schedule = models.ForeignKey(
        "evaluation.ReportSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("programmation"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("transmis au traitement le"), null=True, blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)
    reissued_at = models.DateTimeField(
        _("réédité le"),
        null=True,
        blank=True,
        help_text=_("Rendu à nouveau après l'effacement d'une personne qu'il nommait (RGPD)."),
    )

    class Meta:
        verbose_name = _("rapport d'évaluation")
        verbose_name_plural = _("rapports d'évaluation")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="report_status_enqueued")]
        constraints = [
            _scope_constraint("report"),
            # A schedule firing twice for the same period finds this row instead of a second one.
            models.UniqueConstraint(
                "schedule",
                "scope",
                Coalesce("network", Value(0)),
                Coalesce("site", Value(0)),
                "period_start",
                "period_end",
                condition=Q(schedule__isnull=False),
                name="report_once_per_schedule_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_order",
                violation_error_message=_("La fin de la période doit suivre son début."),
            ),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} — {self.period_label}"

    def parts_progress(self) -> "PartsProgress | None":
        """How many of its parts are rendered, for a report rendered in parts (one query); None
        for a report rendered at once, or whose parts are not planned yet."""
        counts = self.parts.aggregate(
            total=Count("pk"), finished=Count("pk", filter=Q(finished_at__isnull=False))
        )
        return PartsProgress(counts["finished"], counts["total"]) if counts["total"] else None


class ReportLinkUse(models.Model):
    """One download through a report's signed e-mail link (evaluation/reports/services.py): who it
    was sent to, and when it was used. The link works without an account, so this is its trace."""

    report = models.ForeignKey(
        EvaluationReport, on_delete=models.CASCADE, related_name="link_uses", verbose_name=_("rapport")
    )
    recipient = models.EmailField(_("destinataire du lien"))
    used_at = models.DateTimeField(_("utilisé le"), default=timezone.now)

    class Meta:
        verbose_name = _("téléchargement par lien")
        verbose_name_plural = _("téléchargements par lien")
        ordering = ["-used_at"]

    def __str__(self):
        return f"{self.report} — {self.recipient}"


class PartsProgress(NamedTuple):
    finished: int
    total: int


class EvaluationReportPart(models.Model):
    """One part of a report rendered in parts (evaluation/reports/services.py): part 0 is the summary,
    the others each hold the sections of a run of sites. The merge waits for every part."""

    report = models.ForeignKey(
        EvaluationReport, on_delete=models.CASCADE, related_name="parts", verbose_name=_("rapport")
    )
    index = models.PositiveSmallIntegerField(_("numéro"))
    site_ids = models.JSONField(_("sites"), default=list, blank=True, help_text=_("Vide pour le résumé."))
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    anchors = models.JSONField(
        _("pages des sites"), default=dict, blank=True, help_text=_("Page de chaque section dans la partie.")
    )
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("partie de rapport")
        verbose_name_plural = _("parties de rapport")
        ordering = ["report", "index"]
        constraints = [models.UniqueConstraint("report", "index", name="report_part_once")]

    def __str__(self):
        return f"{self.report} — {self.index}"


class ReportSchedule(models.Model):
    """A recurring report (e.g. national every quarter) run by Celery beat."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    scope = models.CharField(_("périmètre"), max_length=10, choices=Scope.choices)
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_schedules",
        verbose_name=_("tête de réseau"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_schedules",
        verbose_name=_("site"),
    )
    periodicity = models.CharField(_("périodicité"), max_length=10, choices=Periodicity.choices)
    recipients = models.TextField(
        _("destinataires"),
        help_text=_("Adresses e-mail, une par ligne, prévenues quand le rapport est prêt."),
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("jour du mois"),
        default=5,
        validators=bounded("day_of_month"),
        help_text=_("Le rapport de la période écoulée est fabriqué ce jour-là (1 à 28)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    issue_automatically = models.BooleanField(
        _("émettre automatiquement"),
        default=True,
        help_text=_(
            "Coché : le rapport est émis avec les textes par défaut. Décoché : il est créé en brouillon "
            "et l'équipe nationale est prévenue pour le relire, le commenter et l'émettre."
        ),
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_schedule",
        editable=False,
    )

    class Meta:
        verbose_name = _("programmation de rapport")
        verbose_name_plural = _("programmations de rapport")
        ordering = ["name"]
        constraints = [_scope_constraint("schedule")]

    def __str__(self):
        return self.name

    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    def clean(self):
        for address in self.recipient_list():
            try:
                validate_email(address)
            except ValidationError as exc:
                raise ValidationError(
                    {"recipients": _("Adresse e-mail invalide : %(a)s") % {"a": address}}
                ) from exc


# The narrative's texts: long enough for a chapter's commentary, bounded so a pasted document
# cannot bloat a report (the form says the limit).
NARRATIVE_MAX_CHARS = 20_000
QUOTE_MAX_CHARS = 2_000


class Quote(models.Model):
    """Words of an actor of a site (« paroles d'acteurs »), recorded by the site team, that a
    report may quote. The speaker is named by role; their name is shown only with their consent."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("site"))
    text = models.TextField(_("propos"), max_length=QUOTE_MAX_CHARS)
    speaker_role = models.CharField(
        _("rôle ou fonction de la personne"),
        max_length=120,
        help_text=_("Par exemple : déléguée du préfet, habitante, directrice d'association."),
    )
    said_on = models.DateField(_("date des propos"), validators=bounded("date"))
    speaker_name = models.CharField(
        _("nom de la personne"),
        max_length=120,
        blank=True,
        help_text=_("Facultatif : affiché seulement si la personne a donné son accord."),
    )
    name_consent = models.BooleanField(_("la personne accepte que son nom soit publié"), default=False)
    consent_on = models.DateField(_("date de l'accord"), null=True, blank=True, validators=bounded("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("saisi le"), default=timezone.now)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("parole d'acteur")
        verbose_name_plural = _("paroles d'acteurs")
        ordering = ["site", "-said_on", "-pk"]
        constraints = [
            # The rule is also the form's; the database refuses a name without a recorded consent.
            models.CheckConstraint(
                condition=Q(speaker_name="") | (Q(name_consent=True) & Q(consent_on__isnull=False)),
                name="quote_name_needs_consent",
                violation_error_message=_(
                    "Un nom ne peut être publié sans l'accord de la personne et sa date."
                ),
            )
        ]

    def __str__(self):
        return f"{self.site} — {self.speaker_role} ({self.said_on})"

    @property
    def shown_name(self) -> str:
        """The speaker's name when their consent is recorded, else nothing (role only)."""
        return self.speaker_name if self.name_consent and self.consent_on else ""

    def clean(self):
        errors = {}
        if self.speaker_name.strip() and not self.name_consent:
            errors["speaker_name"] = _(
                "Sans l'accord de la personne, laissez le nom vide : la citation sera signée de son rôle. "
                "Si elle a donné son accord, cochez la case et indiquez sa date."
            )
        if self.name_consent and self.consent_on is None:
            errors["consent_on"] = _("Indiquez la date à laquelle la personne a donné son accord.")
        if errors:
            raise ValidationError(errors)


class ReportNarrative(models.Model):
    """The texts the team writes for a draft report (introduction, a commentary per chapter,
    conclusion) and the logbook extracts and quotes it picks; frozen with the report once issued."""

    report = models.OneToOneField(
        EvaluationReport, on_delete=models.CASCADE, related_name="narrative", verbose_name=_("rapport")
    )
    introduction = models.TextField(_("introduction"), max_length=NARRATIVE_MAX_CHARS, blank=True)
    conclusion = models.TextField(_("conclusion"), max_length=NARRATIVE_MAX_CHARS, blank=True)
    # {chapter key: text}; each text bounded by NARRATIVE_MAX_CHARS (the form and clean() check it).
    commentaries = models.JSONField(_("commentaires des chapitres"), default=dict, blank=True)
    logbook_entries = models.ManyToManyField(
        LogbookEntry, blank=True, related_name="+", verbose_name=_("extraits du carnet de bord")
    )
    quotes = models.ManyToManyField(Quote, blank=True, related_name="+", verbose_name=_("paroles d'acteurs"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[logbook_entries, quotes])

    class Meta:
        verbose_name = _("textes du rapport")
        verbose_name_plural = _("textes des rapports")

    def __str__(self):
        return str(self.report)

    def clean(self):
        for text in (self.commentaries or {}).values():
            if not isinstance(text, str) or len(text) > NARRATIVE_MAX_CHARS:
                raise ValidationError({"commentaries": _("Un commentaire de chapitre est trop long.")})


class AttentionThreshold(models.Model):
    """A threshold of an attention rule that the national team changed in the platform.

    A rule parameter without a row reads its default (evaluation/figures/attention.py declares
    every rule, its parameters, defaults and bounds); each change is kept in `history`."""

    rule = models.CharField(_("règle"), max_length=40)
    parameter = models.CharField(_("paramètre"), max_length=40)
    value = models.IntegerField(_("valeur"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("seuil d'un point d'attention")
        verbose_name_plural = _("seuils des points d'attention")
        constraints = [
            models.UniqueConstraint(fields=["rule", "parameter"], name="attention_threshold_unique"),
        ]

    def __str__(self):
        return f"{self.rule}.{self.parameter} = {self.value}"


class AttentionSignalQuerySet(SiteScopedQuerySet):
    def open(self):
        """Signals raised and not cleared yet."""
        return self.filter(cleared_at__isnull=True)


class AttentionSignal(models.Model):
    """A point of attention raised on a site by a rule, kept after it is cleared (its history)."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="attention_signals", verbose_name=_("site")
    )
    rule = models.CharField(_("règle"), max_length=40)
    reason = models.TextField(_("motif"))
    raised_at = models.DateTimeField(_("signalé le"), default=timezone.now)
    cleared_at = models.DateTimeField(_("résolu le"), null=True, blank=True)

    objects = AttentionSignalQuerySet.as_manager()

    class Meta:
        verbose_name = _("point d'attention")
        verbose_name_plural = _("points d'attention")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "rule"],
                condition=Q(cleared_at__isnull=True),
                name="attention_signal_one_open_per_rule",
            ),
        ]
        indexes = [models.Index(fields=["site", "cleared_at"], name="attention_site_open")]

    def __str__(self):
        return f"{self.site} — {self.rule}"


def _sheet_text(label, help_text="", *, blank=True, max_length=1000):
    # A sheet prints on two pages: each part is kept short.
    return models.TextField(label, max_length=max_length, blank=blank, help_text=help_text)


class ExperienceSheetQuerySet(SiteScopedQuerySet):
    def published(self):
        return self.filter(status=ExperienceSheet.Status.PUBLISHED)

    def for_library(self, user):
        """The national library: every published sheet, plus the sheets of the sites one reads."""
        return self.filter(
            Q(status=ExperienceSheet.Status.PUBLISHED) | Q(site__in=Site.objects.for_user(user))
        )


class ExperienceSheet(models.Model):
    """A « fiche d'expérience »: how a cooperation was built on a site, written from one or more
    of its actions so that another territory can reuse it. Drafted by the site team, reviewed by
    the host director, published by the network or the national team (evaluation/sheets/)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        IN_REVIEW = "in_review", _("En relecture")
        REVIEWED = "reviewed", _("Relue, à publier")
        PUBLISHED = "published", _("Publiée")

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="experience_sheets", verbose_name=_("site")
    )
    actions = models.ManyToManyField(
        "pilotage.Action", related_name="experience_sheets", verbose_name=_("actions"), blank=True
    )
    title = models.CharField(_("titre"), max_length=200)
    theme = models.ForeignKey(
        "diagnostics.Theme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thématique"),
    )
    context = _sheet_text(_("contexte"), _("Le quartier, la situation de départ, le besoin."), blank=False)
    partners_roles = _sheet_text(_("partenaires et leurs rôles"))
    cooperation = _sheet_text(_("comment la coopération s'est construite"))
    residents_role = _sheet_text(_("ce que les habitant·es ont fait"))
    obstacles = _sheet_text(_("obstacles rencontrés"))
    what_worked = _sheet_text(_("ce qui a marché"))
    lessons = _sheet_text(_("enseignements pour d'autres territoires"))
    costs = _sheet_text(_("coûts et coûts évités"))
    contacts = _sheet_text(
        _("contacts, par fonction"),
        _(
            "Des fonctions et des organisations (« chargée de mission de la régie de quartier »), "
            "pas de noms."
        ),
        max_length=500,
    )
    name_consent = models.BooleanField(
        _("les personnes nommées ont donné leur accord"),
        default=False,
        help_text=_("À cocher seulement si chaque personne nommée dans la fiche a accepté d'y figurer."),
    )
    name_consent_note = models.CharField(
        _("accord recueilli"),
        max_length=300,
        blank=True,
        help_text=_("Qui a donné son accord, quand et comment (courriel, formulaire signé…)."),
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rédigée par"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relue par"),
    )
    reviewed_at = models.DateTimeField(_("relue le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ExperienceSheetQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("fiche d'expérience")
        verbose_name_plural = _("fiches d'expérience")
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return self.title

    PUBLIC_TEXT_FIELDS = (
        "title",
        "context",
        "partners_roles",
        "cooperation",
        "residents_role",
        "obstacles",
        "what_worked",
        "lessons",
        "costs",
        "contacts",
    )


class SiteShowcase(models.Model):
    """A site's public page (« vitrine »): its presentation and the achievements its team chose to
    show. Public only once the network or national team has published it; any change by the team
    takes it offline until it is published again (evaluation/showcase/)."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="showcase", verbose_name=_("site")
    )
    presentation = models.TextField(
        _("présentation publique"),
        max_length=4000,
        help_text=_("Ce que l'ATC fait dans le quartier, pour un public qui ne connaît pas le dispositif."),
    )
    achievements = models.ManyToManyField(
        "pilotage.Action",
        blank=True,
        related_name="+",
        verbose_name=_("réalisations montrées"),
        help_text=_("Des actions réalisées du site que l'équipe choisit de montrer."),
    )
    name_consent = models.BooleanField(_("les personnes nommées ont donné leur accord"), default=False)
    name_consent_note = models.CharField(_("accord recueilli"), max_length=300, blank=True)
    is_published = models.BooleanField(_("publiée"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("vitrine d'un site")
        verbose_name_plural = _("vitrines des sites")

    def __str__(self):
        return str(self.site)


class ShowcaseFileQuerySet(models.QuerySet):
    def public(self):
        """The files anyone may fetch: the page is published and the file's action is still done."""
        return self.filter(showcase__is_published=True, attachment__action__status=ShowcaseFile.DONE_STATUS)


class ShowcaseFile(models.Model):
    """A photo or document attached to one of the site's done actions that the team chose to show
    on its public page. What is served is a copy made when the file was chosen (an image's
    metadata — place, camera, author — removed), never the attachment itself; the copy is public
    only while the page is published (evaluation/showcase/)."""

    IMAGE_TYPES = ("image/jpeg", "image/png")
    ACCEPTED_TYPES = (*IMAGE_TYPES, "application/pdf")
    DONE_STATUS = "done"

    showcase = models.ForeignKey(
        SiteShowcase, on_delete=models.CASCADE, related_name="files", verbose_name=_("page publique")
    )
    attachment = models.ForeignKey(
        "pilotage.Attachment",
        on_delete=models.CASCADE,
        related_name="showcase_files",
        verbose_name=_("pièce jointe"),
    )
    description = models.CharField(
        _("texte alternatif ou description"),
        max_length=300,
        help_text=_("Ce que montre la photo ou ce que contient le document, pour qui ne peut pas le voir."),
    )
    people_consent = models.BooleanField(
        _("les personnes reconnaissables ont donné leur accord"), default=False
    )
    public_file = models.FileField(_("fichier publié"), upload_to="showcase/%Y/%m/", max_length=200)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("choisi par"),
    )
    chosen_at = models.DateTimeField(_("choisi le"), auto_now_add=True)

    objects = ShowcaseFileQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("photo ou document publié")
        verbose_name_plural = _("photos et documents publiés")
        ordering = ["chosen_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["showcase", "attachment"],
                name="showcase_file_once",
                violation_error_message=_("Ce fichier est déjà sur la page publique."),
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def is_image(self) -> bool:
        return self.content_type in self.IMAGE_TYPES


class ShowcaseVersion(models.Model):
    """One counter, bumped by every publication and unpublication: the public pages' cache key
    names it, so what was unpublished is unreachable on the very next request."""

    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("version de la vitrine")
        verbose_name_plural = _("versions de la vitrine")

    def __str__(self):
        return str(self.version)


# --- Participatory evaluation: questionnaires, campaigns, answers (evaluation/surveys/) -------------


class QuestionnaireQuerySet(models.QuerySet):
    def national(self):
        return self.filter(site__isnull=True)


class Questionnaire(models.Model):
    """A questionnaire built on the platform. Once a campaign has sent it, it is locked: its
    questions no longer change; a new version (a copy) is made to change them."""

    class Template(models.TextChoices):
        FREE = "free", _("Questionnaire libre")
        FLASH = "flash", _("Questionnaire flash aux acteurs institutionnels")
        CROSSED_READINGS = "crossed_readings", _("Regards croisés (notes de 1 à 10)")
        LOGBOOK = "logbook", _("Carnet de bord")

    title = models.CharField(_("intitulé"), max_length=200)
    introduction = models.TextField(_("introduction"), max_length=5000, blank=True)
    template = models.CharField(_("modèle"), max_length=20, choices=Template.choices, default=Template.FREE)
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questionnaires",
        verbose_name=_("site"),
        help_text=_("Vide pour un questionnaire national."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1, validators=bounded("order"))
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version précédente"),
    )
    locked_at = models.DateTimeField(_("figé le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = QuestionnaireQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "-version"]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Note de 1 à 10")
        SINGLE = "single", _("Choix unique")
        MULTIPLE = "multiple", _("Choix multiple")
        NUMBER = "number", _("Nombre")
        SHORT_TEXT = "short_text", _("Texte court")
        LONG_TEXT = "long_text", _("Texte long")

    CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE}

    class LogbookField(models.TextChoices):
        """The logbook entry's fields a « carnet de bord » question fills (LogbookEntry's names)."""

        HAPPENED = "happened", _("Ce qui s'est passé")
        DIFFICULTIES = "difficulties", _("Difficultés")
        LESSONS = "lessons", _("Enseignements")
        CHANGES_OF_COURSE = "changes_of_course", _("Changements de cap")
        NEXT_STEPS = "next_steps", _("Prochaines étapes")
        TIME_SPENT_HOURS = "time_spent_hours", _("Temps passé (heures)")
        SUPPORT_NEEDED = "support_needed", _("Appui souhaité")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions", verbose_name=_("questionnaire")
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0, validators=bounded("order"))
    section = models.CharField(
        _("partie"),
        max_length=200,
        blank=True,
        help_text=_("Les questions qui se suivent sous la même partie sont regroupées."),
    )
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("aide"), max_length=500, blank=True)
    kind = models.CharField(_("type de réponse"), max_length=12, choices=Kind.choices)
    required = models.BooleanField(_("réponse obligatoire"), default=False)
    choices = models.TextField(
        _("choix proposés"),
        max_length=4000,
        blank=True,
        help_text=_("Un choix par ligne (choix unique ou multiple)."),
    )
    item = models.ForeignKey(
        "diagnostics.AssessmentItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item d'appréciation"),
        help_text=_("Pour une note de 1 à 10 des regards croisés : l'item du territoire qu'elle note."),
    )
    logbook_field = models.CharField(
        _("rubrique du carnet de bord"),
        max_length=20,
        choices=LogbookField.choices,
        blank=True,
        help_text=_(
            "Pour un questionnaire « Carnet de bord » : la rubrique du bilan que la réponse remplit."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "pk"]

    def __str__(self):
        return self.text

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        """A logbook rubric is filled by an answer of its own shape, once per questionnaire, and
        only in a « carnet de bord » questionnaire; « ce qui s'est passé » is always asked."""
        super().clean()
        field = self.logbook_field
        if not field:
            return
        errors = []
        questionnaire = self.questionnaire if self.questionnaire_id else None
        if questionnaire is not None and questionnaire.template != Questionnaire.Template.LOGBOOK:
            errors.append(
                _("Seul un questionnaire « Carnet de bord » remplit le carnet de bord : laissez vide.")
            )
        if field == self.LogbookField.TIME_SPENT_HOURS and self.kind != self.Kind.NUMBER:
            errors.append(_("Le temps passé se répond par un nombre : choisissez « Nombre »."))
        if field != self.LogbookField.TIME_SPENT_HOURS and self.kind not in (
            self.Kind.SHORT_TEXT,
            self.Kind.LONG_TEXT,
        ):
            errors.append(
                _("Cette rubrique se répond par un texte : choisissez « Texte court » ou « Texte long ».")
            )
        if field == self.LogbookField.HAPPENED and not self.required:
            errors.append(_("« Ce qui s'est passé » est toujours demandé : cochez « Réponse obligatoire »."))
        if (
            questionnaire is not None
            and questionnaire.questions.filter(logbook_field=field).exclude(pk=self.pk).exists()
        ):
            errors.append(_("Une autre question remplit déjà cette rubrique : choisissez-en une autre."))
        if errors:
            raise ValidationError({"logbook_field": errors})


class Campaign(models.Model):
    """A questionnaire sent to recipients, open between two dates."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("questionnaire")
    )
    title = models.CharField(_("intitulé"), max_length=200, unique=True)
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="campaigns",
        verbose_name=_("site"),
        help_text=_("Le site des regards croisés ; vide pour une campagne sur plusieurs territoires."),
    )
    opens_on = models.DateField(_("ouverture le"), validators=bounded("date"))
    closes_on = models.DateField(_("clôture le"), validators=bounded("date"))
    anonymous = models.BooleanField(
        _("réponses anonymes"),
        default=False,
        help_text=_("La plateforme sait qui a répondu, jamais ce que chacun·e a répondu."),
    )
    max_reminders = models.PositiveSmallIntegerField(
        _("nombre maximal de relances"), default=2, validators=bounded("reminders")
    )
    reminder_delay_days = models.PositiveSmallIntegerField(
        _("délai minimal entre deux envois (jours)"), default=7, validators=bounded("reminder_days")
    )
    auto_reminders = models.BooleanField(
        _("relances automatiques"),
        default=False,
        help_text=_(
            "Chaque matin, la plateforme relance qui n'a pas répondu, dans la limite du nombre "
            "maximal de relances et du délai minimal."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campagne de questionnaire")
        verbose_name_plural = _("campagnes de questionnaire")
        ordering = ["-opens_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="campaign_dates_order",
                violation_error_message=_("La clôture doit suivre l'ouverture."),
            ),
        ]

    def __str__(self):
        return self.title

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class CampaignRecipient(models.Model):
    """One person a campaign is sent to, with their personal link (only its SHA-256 is kept)."""

    class Function(models.TextChoices):
        PREFET_DELEGATE = "prefet_delegate", _("Délégué·e du préfet")
        CITY_REFERENT = "city_referent", _("Référent·e politique de la ville (commune)")
        INTERCO_REFERENT = (
            "interco_referent",
            _("Référent·e politique de la ville (intercommunalité)"),
        )
        FACILITATOR = "facilitator", _("Animateur·rice")
        OTHER = "other", _("Autre")

    class Side(models.TextChoices):
        INSTITUTIONAL = "institutional", _("Acteurs institutionnels")
        FACILITATOR = "facilitator", _("Animateur·rice")
        RESIDENTS = "residents", _("Habitant·es")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("campagne")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte"),
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("adresse e-mail"), max_length=254)
    function = models.CharField(_("fonction"), max_length=20, choices=Function.choices)
    side = models.CharField(_("regard"), max_length=16, choices=Side.choices, default=Side.INSTITUTIONAL)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="campaign_recipients", verbose_name=_("territoire")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_at = models.DateTimeField(_("invité·e le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("relancé·e le"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(
        _("relances envoyées"), default=0, validators=bounded("reminders")
    )
    # A date only: with anonymous answers, a precise time would match the answer's.
    answered_on = models.DateField(_("a répondu le"), null=True, blank=True, validators=bounded("date"))
    revoked_at = models.DateTimeField(_("lien révoqué le"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("destinataire d'enquête")
        verbose_name_plural = _("destinataires d'enquête")
        ordering = ["campaign", "site__city", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="campaign_recipient_email_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_function_display()})"


class AnswerDraft(models.Model):
    """What a recipient typed and saved before sending: deleted when the answer is sent."""

    recipient = models.OneToOneField(CampaignRecipient, on_delete=models.CASCADE, related_name="draft")
    data = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Brouillon {self.recipient_id}"


class CampaignResponse(models.Model):
    """One answer to a campaign. In an anonymous campaign `recipient`, `site` and `function` stay
    empty and the key is random: nothing in the row leads back to the person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    recipient = models.OneToOneField(
        CampaignRecipient, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    function = models.CharField(max_length=20, blank=True, choices=CampaignRecipient.Function.choices)
    side = models.CharField(max_length=16, choices=CampaignRecipient.Side.choices)
    submitted_on = models.DateField(validators=bounded("date"))

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")

    def __str__(self):
        return f"{self.campaign_id} — {self.submitted_on}"


class CampaignAnswer(models.Model):
    response = models.ForeignKey(CampaignResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=bounded("indicator")
    )
    text = models.TextField(max_length=10000, blank=True)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="campaign_answer_unique"),
        ]

    def __str__(self):
        return f"{self.question_id} — {self.response_id}"
