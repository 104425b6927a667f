"""Territories and people on the ground: networks, host organisations, QPV, sites, facilitators,
partner organisations and the préfet delegates' review comments."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from atc.bounds import bounded
from atc.permissions import readable_sites
from sites.zones import DEFAULT_TIME_ZONE, TimeZone

# A département on three characters: 001–095 and 02A/02B in metropolitan France, 971–976 overseas.
_DEPARTEMENT3 = r"(?:0(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B)|97[1-6])"

qpv_2015_validator = RegexValidator(
    rf"^QP{_DEPARTEMENT3}[0-9]{{3}}$",
    _(
        "Code QPV 2015 invalide : « QP », le département sur 3 caractères puis 3 chiffres "
        "(exemple : QP013044, ou QP02A001 en Corse)."
    ),
)
qpv_2024_validator = RegexValidator(
    rf"^QN{_DEPARTEMENT3}[0-9]{{2}}[NMIC]$",
    _(
        "Code QPV 2024 invalide : « QN », le département sur 3 caractères, 2 chiffres puis une "
        "lettre N, M, I ou C (exemple : QN01344M)."
    ),
)
insee_validator = RegexValidator(
    r"^(?:[0-9]{5}|2[AB][0-9]{3})$",
    _("Code INSEE invalide : 5 caractères, par exemple 13055 ou 2A004."),
)
departement_validator = RegexValidator(
    r"^(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$",
    _("Code de département invalide : par exemple 13, 2A ou 972."),
)


class Confidence(models.TextChoices):
    HIGH = "high", _("élevée")
    MEDIUM = "medium", _("moyenne")
    LOW = "low", _("faible (déduite)")


class OrganisationCategory(models.TextChoices):
    """Stakeholder categories, shared by partner organisations, committee members and attendance."""

    STATE = "state", _("État")
    LOCAL_AUTHORITY = "local_authority", _("Collectivité territoriale")
    LANDLORD = "landlord", _("Bailleur social")
    ASSOCIATION = "association", _("Association")
    BUSINESS = "business", _("Entreprise")
    RESIDENTS = "residents", _("Habitant·es / collectif d'habitant·es")
    CITIZENS_COUNCIL = "citizens_council", _("Conseil citoyen")
    OTHER = "other", _("Autre")


class Network(models.Model):
    """A national network (tête de réseau) carrying sites: FCSF, CNLRQ, BBZ."""

    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("nom court"), max_length=40, unique=True)
    full_name = models.CharField(_("nom complet"), max_length=200)

    class Meta:
        verbose_name = _("tête de réseau")
        verbose_name_plural = _("têtes de réseau")
        ordering = ["name"]

    def __str__(self):
        return self.name


class HostOrganisation(models.Model):
    """The local organisation that employs the facilitator (structure porteuse)."""

    class Kind(models.TextChoices):
        SOCIAL_CENTRE = "social_centre", _("Centre social")
        REGIE = "regie", _("Régie de quartier")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="hosts", verbose_name=_("tête de réseau")
    )
    city = models.CharField(_("commune"), max_length=120)

    class Meta:
        verbose_name = _("structure porteuse")
        verbose_name_plural = _("structures porteuses")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="host_unique_name_city"),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"


class Neighbourhood(models.Model):
    """A priority neighbourhood (QPV), with its codes in the 2015 and the 2024 lists."""

    name = models.CharField(_("nom"), max_length=300)
    code_2015 = models.CharField(
        _("code QPV 2015"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        validators=[qpv_2015_validator],
    )
    code_2024 = models.CharField(
        _("code QPV 2024"),
        max_length=8,
        unique=True,
        null=True,
        blank=True,
        validators=[qpv_2024_validator],
        help_text=_("Liste 2024 en métropole ; liste 2025 outre-mer."),
    )

    class Meta:
        verbose_name = _("quartier prioritaire (QPV)")
        verbose_name_plural = _("quartiers prioritaires (QPV)")
        ordering = ["code_2015", "code_2024"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code_2015__isnull=False) | Q(code_2024__isnull=False),
                name="qpv_has_a_code",
                violation_error_message=_("Un QPV doit avoir au moins un code (2015 ou 2024)."),
            ),
        ]

    def __str__(self):
        codes = " / ".join(c for c in (self.code_2015, self.code_2024) if c)
        return f"{self.name} ({codes})"

    def clean(self):
        for field in ("code_2015", "code_2024"):
            value = getattr(self, field)
            setattr(self, field, value.strip().upper() if value else None)


class PriorityModel(models.Model):
    """One of the ATC priority models (a site may follow several)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("intitulé"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("modèle prioritaire")
        verbose_name_plural = _("modèles prioritaires")
        ordering = ["label"]

    def __str__(self):
        return self.label


class Scheme(models.Model):
    """Another public scheme on the neighbourhood (NPNRU, PAQT, Cité éducative…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("intitulé"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("dispositif")
        verbose_name_plural = _("dispositifs")
        ordering = ["label"]

    def __str__(self):
        return self.label


class SiteQuerySet(models.QuerySet):
    def for_user(self, user):
        """The sites a user may read (see atc.permissions)."""
        return readable_sites(user, self)


class SiteScopedQuerySet(models.QuerySet):
    """Rows that belong to a site; what a user may read follows the sites they may read."""

    def for_user(self, user):
        return self.filter(site__in=Site.objects.for_user(user))


class Site(models.Model):
    """An ATC experimentation site: one or more QPV of one commune, carried by a host."""

    class InstitutionalSupport(models.TextChoices):
        STRONG_PAIR = "strong_pair", _("Binôme fort délégué·e du préfet / ATC")
        TRIUMVIRATE = (
            "triumvirate",
            _("Triumvirat DP + chef·fe de projet ville + structure porteuse"),
        )
        WEAK_CHOSEN = "weak_chosen", _("Appui institutionnel faible (distance choisie)")
        WEAK_SUFFERED = "weak_suffered", _("Appui institutionnel faible (distance subie)")
        UNKNOWN = "unknown", _("Non qualifié")

    class Configuration(models.TextChoices):
        NONE = "none", _("Aucune personne enregistrée")
        SINGLE = "single", _("Une seule personne")
        WITH_SUPPORT = "with_support", _("Une personne avec un appui")
        SHARED = "shared", _("Fonction partagée entre plusieurs professionnel·les")

    name = models.CharField(_("nom du site"), max_length=120, unique=True)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    city = models.CharField(_("commune"), max_length=120)
    insee_code = models.CharField(_("code INSEE"), max_length=5, validators=[insee_validator])
    departement_code = models.CharField(_("département"), max_length=3, validators=[departement_validator])
    departement_name = models.CharField(_("nom du département"), max_length=80)
    region = models.CharField(_("région"), max_length=80)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        validators=bounded("latitude"),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        validators=bounded("longitude"),
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="sites", verbose_name=_("tête de réseau")
    )
    host = models.ForeignKey(
        HostOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
        verbose_name=_("structure porteuse"),
    )
    neighbourhoods = models.ManyToManyField(
        Neighbourhood, related_name="sites", verbose_name=_("quartiers prioritaires")
    )
    neighbourhood_label = models.CharField(_("quartier (libellé d'usage)"), max_length=200, blank=True)
    priority_models = models.ManyToManyField(
        PriorityModel, blank=True, related_name="sites", verbose_name=_("modèles prioritaires")
    )
    institutional_support = models.CharField(
        _("appui institutionnel"),
        max_length=20,
        choices=InstitutionalSupport.choices,
        default=InstitutionalSupport.UNKNOWN,
    )
    # The configuration is derived from the facilitators recorded (sites.team.facilitation); this field
    # only overrides it, and every page that shows an override says so.
    configuration_override = models.CharField(
        _("configuration de l'animation (saisie manuelle)"),
        max_length=20,
        choices=Configuration.choices,
        blank=True,
        default="",
        help_text=_(
            "Laisser vide : la configuration se déduit des personnes enregistrées dans l'équipe "
            "d'animation. À remplir seulement si ces personnes ne la reflètent pas."
        ),
    )
    start_date = models.DateField(
        _("début de l'expérimentation sur le site"), null=True, blank=True, validators=bounded("date")
    )
    other_schemes = models.ManyToManyField(
        Scheme, blank=True, related_name="sites", verbose_name=_("autres dispositifs")
    )
    data_confidence = models.CharField(
        _("fiabilité des données de référence"),
        max_length=10,
        choices=Confidence.choices,
        default=Confidence.HIGH,
    )
    data_notes = models.TextField(
        _("précisions sur la fiabilité"),
        blank=True,
        help_text=_("Ce qui est incertain dans les données de référence et pourquoi."),
    )
    data_sources = models.TextField(_("sources des données de référence"), blank=True)
    time_zone = models.CharField(
        _("fuseau horaire"),
        max_length=40,
        choices=TimeZone.choices,
        default=DEFAULT_TIME_ZONE,
        help_text=_("Les heures des réunions du site sont des heures locales de ce fuseau."),
    )

    objects = SiteQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ContextEventQuerySet(models.QuerySet):
    def within(self, start: datetime.date, end: datetime.date):
        """The events of a period: those whose dates overlap it. An event without an end date
        happened on one day (an election, a change of contact), so it belongs to that day's
        period only — never to every period after it."""
        return self.filter(
            Q(start_date__lte=end),
            Q(start_date__gte=start) | Q(end_date__gte=start),
        )


class ContextEvent(models.Model):
    """An event that slowed or changed the work (lockdown, elections…); national when no site."""

    class Kind(models.TextChoices):
        LOCKDOWN = "lockdown", _("Confinement / crise sanitaire")
        ELECTION = "election", _("Élections")
        TURNOVER = "turnover", _("Changement d'interlocuteur")
        OTHER = "other", _("Autre")

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="context_events",
        verbose_name=_("site"),
        help_text=_("Laisser vide pour un événement national."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("intitulé"), max_length=200)
    start_date = models.DateField(_("début"), validators=bounded("date"))
    end_date = models.DateField(
        _("fin"),
        null=True,
        blank=True,
        validators=bounded("date"),
        help_text=_("Laisser vide pour un événement d'un seul jour."),
    )

    objects = ContextEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement de contexte")
        verbose_name_plural = _("événements de contexte")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="context_event_end_after_start",
                violation_error_message=_("La date de fin doit suivre la date de début."),
            ),
        ]

    def __str__(self):
        return self.title


class FacilitatorAssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))


class FacilitatorAssignment(models.Model):
    """A person facilitating a site for a period; tenure, FTE and turnover derive from these."""

    class ContractType(models.TextChoices):
        CDD = "cdd", _("CDD")
        CDI = "cdi", _("CDI")
        SECONDMENT = "secondment", _("Mise à disposition")
        OTHER = "other", _("Autre")

    class Position(models.TextChoices):
        LEAD = "lead", _("Animateur·rice")
        SUPPORT = "support", _("Appui")
        SHARED = "shared", _("Fonction partagée")

    class DepartureReason(models.TextChoices):
        END_OF_CONTRACT = "end_of_contract", _("Fin de contrat")
        RESIGNATION = "resignation", _("Démission")
        MOBILITY = "mobility", _("Mobilité interne (autre poste dans la structure)")
        LEAVE = "leave", _("Congé de longue durée")
        DISMISSAL = "dismissal", _("Licenciement ou rupture conventionnelle")
        OTHER = "other", _("Autre")

    # The positions that hold the facilitation function: they fill a vacancy and their leaving is
    # turnover (a support does neither).
    LEADING = frozenset({Position.LEAD, Position.SHARED})

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="facilitators", verbose_name=_("site")
    )
    person_name = models.CharField(_("nom de la personne"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitator_assignments",
        verbose_name=_("compte"),
    )
    position = models.CharField(_("fonction"), max_length=10, choices=Position.choices, default=Position.LEAD)
    fte = models.DecimalField(
        _("temps dédié (ETP)"),
        max_digits=3,
        decimal_places=2,
        validators=bounded("fte"),
        help_text=_("Entre 0,1 et 2,0 ETP."),
    )
    contract_type = models.CharField(
        _("type de contrat"), max_length=12, choices=ContractType.choices, default=ContractType.CDD
    )
    start_date = models.DateField(_("début du contrat"), validators=bounded("date"))
    end_date = models.DateField(_("fin"), null=True, blank=True, validators=bounded("date"))
    fte_since = models.DateField(
        _("temps dédié applicable depuis"),
        null=True,
        blank=True,
        validators=bounded("date"),
        help_text=_("Vide : depuis l'arrivée."),
    )
    departure_reason = models.CharField(
        _("motif du départ"), max_length=20, choices=DepartureReason.choices, blank=True, default=""
    )
    departure_details = models.CharField(_("précisions sur le départ"), max_length=300, blank=True)
    handover_note = models.TextField(_("note de passation"), max_length=5000, blank=True)

    objects = FacilitatorAssignmentQuerySet.as_manager()
    # Every arrival, change of FTE and departure is kept (shown on the team page).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("animateur·rice (affectation)")
        verbose_name_plural = _("animateur·rices (affectations)")
        ordering = ["site", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte__gte=Decimal("0.1")) & Q(fte__lte=Decimal("2.0")),
                name="facilitator_fte_range",
                violation_error_message=_("Le temps dédié doit être compris entre 0,1 et 2,0 ETP."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="facilitator_end_after_start",
                violation_error_message=_("La fin de l'affectation doit suivre son début."),
            ),
        ]

    def __str__(self):
        return f"{self.person_name} — {self.site}"


class PartnerOrganisationQuerySet(models.QuerySet):
    def known_by(self, day: datetime.date):
        """The partners a site had on `day` (a period's end): recorded on the platform by then, or
        with a dated trace by then — a meeting attended, an action started, a committee seat held.

        The record date alone is not the rule: sites enter their history after the fact (the
        import, the demo), so an organisation recorded today that attended meetings in 2021 was a
        partner in 2021. Reports read this rule; it never counts fewer partners than were present."""
        meetings = self.model.meetings.through.objects.filter(
            partnerorganisation_id=OuterRef("pk"), meeting__date__lte=day
        )
        actions = self.model.actions.through.objects.filter(
            partnerorganisation_id=OuterRef("pk"), action__start_date__lte=day
        )
        seats = self.model._meta.get_field("committee_seats").related_model.objects.filter(
            organisation_id=OuterRef("pk"), start_date__lte=day
        )
        return self.filter(Q(created_at__date__lte=day) | Exists(meetings) | Exists(actions) | Exists(seats))


class PartnerOrganisation(models.Model):
    """An organisation that works with a site: the unit of the cooperation map."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="partners", verbose_name=_("site"))
    name = models.CharField(_("nom"), max_length=200)
    category = models.CharField(_("catégorie"), max_length=20, choices=OrganisationCategory.choices)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = PartnerOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation partenaire")
        verbose_name_plural = _("organisations partenaires")
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name="partner_unique_name_per_site",
                violation_error_message=_("Cette organisation existe déjà pour ce site."),
            ),
        ]

    def __str__(self):
        return self.name


class ReviewCommentQuerySet(SiteScopedQuerySet):
    def written_by(self, user):
        """The person's own comments on the sites they still read (« Mes commentaires »)."""
        if not user.is_authenticated:
            return self.none()
        return self.for_user(user).filter(author=user)

    def open(self):
        """Comments nobody has marked handled yet."""
        return self.filter(handled_at__isnull=True)

    def unanswered(self, *, before: datetime.datetime):
        """Open comments written before `before` that nobody has replied to."""
        return self.open().filter(created_at__lt=before, replies__isnull=True)

    def open_first(self):
        """Open threads first, newest first within each group (the dashboard's and the list's order)."""
        return self.order_by(F("handled_at").desc(nulls_first=True), "-created_at", "-pk")


class ReviewComment(models.Model):
    """A dated review comment left on a site's dashboard by a préfet delegate."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="review_comments", verbose_name=_("site")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="review_comments",
        verbose_name=_("auteur·rice"),
    )
    body = models.TextField(_("commentaire"), max_length=5000)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_review_comments",
        verbose_name=_("traité par"),
    )

    objects = ReviewCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commentaire de suivi")
        verbose_name_plural = _("commentaires de suivi")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.site} — {self.created_at:%d/%m/%Y}"

    def clean(self):
        if not self.body.strip():
            raise ValidationError({"body": _("Écrivez votre commentaire.")})

    @property
    def is_open(self) -> bool:
        return self.handled_at is None


class ReviewReply(models.Model):
    """An answer in a review comment's thread (the site team, the delegate, the national team)."""

    comment = models.ForeignKey(
        ReviewComment, on_delete=models.CASCADE, related_name="replies", verbose_name=_("commentaire")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="review_replies",
        verbose_name=_("auteur·rice"),
    )
    body = models.TextField(_("réponse"), max_length=5000)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("réponse à un commentaire de suivi")
        verbose_name_plural = _("réponses aux commentaires de suivi")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.comment} — {self.created_at:%d/%m/%Y}"


class SiteQuarterStats(models.Model):
    """One site's figures for one calendar quarter, pre-aggregated by `evaluation.figures.aggregates`.

    The national and network dashboards read about one row per site and quarter instead of
    counting millions of meetings per request. One row exists for every quarter from the site's
    first activity (or start) to the current quarter, zero rows included, so that reporting
    completeness counts the quarters a site was expected to report on (`in_experiment`).
    Never edited by hand: `evaluation.figures.aggregates.refresh_site_stats` rebuilds a site's rows.
    """

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="quarter_stats", verbose_name=_("site")
    )
    quarter = models.DateField(_("trimestre (premier jour)"))
    in_experiment = models.BooleanField(
        _("trimestre de l'expérimentation"),
        default=True,
        help_text=_("Faux pour un trimestre antérieur au début du site."),
    )
    meetings = models.PositiveIntegerField(_("réunions"), default=0)
    steering_meetings = models.PositiveIntegerField(_("réunions de pilotage"), default=0)
    meetings_by_kind = models.JSONField(_("réunions par type"), default=dict)
    attendees_state = models.PositiveIntegerField(default=0)
    attendees_local_authority = models.PositiveIntegerField(default=0)
    attendees_landlord = models.PositiveIntegerField(default=0)
    attendees_association = models.PositiveIntegerField(default=0)
    attendees_business = models.PositiveIntegerField(default=0)
    attendees_residents = models.PositiveIntegerField(default=0)
    attendees_citizens_council = models.PositiveIntegerField(default=0)
    attendees_other = models.PositiveIntegerField(default=0)
    steering_attendance = models.JSONField(_("présences en pilotage par catégorie"), default=dict)
    actions = models.PositiveIntegerField(_("actions commencées"), default=0)
    actions_done = models.PositiveIntegerField(_("dont réalisées"), default=0)
    actions_by_status = models.JSONField(_("actions par état"), default=dict)
    residents_reached = models.PositiveIntegerField(_("habitant·es touché·es"), default=0)
    logbook_entries = models.PositiveIntegerField(_("bilans de période couvrant le trimestre"), default=0)
    indicator_values = models.PositiveIntegerField(_("valeurs d'indicateurs saisies"), default=0)
    partners = models.PositiveIntegerField(_("partenaires distincts"), default=0)
    partner_pairs = models.PositiveIntegerField(_("paires de partenaires"), default=0)
    cross_category_pairs = models.PositiveIntegerField(_("paires intersectorielles"), default=0)

    class Meta:
        verbose_name = _("statistiques trimestrielles d'un site")
        verbose_name_plural = _("statistiques trimestrielles des sites")
        ordering = ["site", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["site", "quarter"], name="site_quarter_stats_once"),
        ]
        indexes = [models.Index(fields=["quarter", "site"], name="site_quarter_stats_quarter")]

    def __str__(self):
        return f"{self.site_id} — {self.quarter:%Y-%m}"


class SiteDataVersion(models.Model):
    """How many times a site's data changed, and the change its pre-aggregates were built from.

    Database triggers (evaluation/migrations/0005_figure_triggers.py) bump `version` on every
    write to a table a figure reads — forms, the CSV import's bulk inserts, the admin,
    `queryset.update()`, deletions, erasure and raw SQL alike — so no write path can forget it.
    `aggregated_version < version` marks the site's `SiteQuarterStats` stale: the next read
    rebuilds them (evaluation.figures.aggregates.refresh_stale), and so does the beat sweep.
    """

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, primary_key=True, related_name="data_version", verbose_name=_("site")
    )
    version = models.BigIntegerField(_("version des données"), default=1)
    aggregated_version = models.BigIntegerField(_("version des statistiques trimestrielles"), default=0)
    # One counter per family of records (evaluation/figures/triggers.py: RECORD_FAMILIES, and
    # FAMILIES for what each table's writes bump), beside `version`: a page of records is kept
    # under the families it shows only.
    meetings = models.BigIntegerField(_("version des réunions"), default=1)
    actions = models.BigIntegerField(_("version des actions"), default=1)
    setup = models.BigIntegerField(_("version de l'organisation du site"), default=1)
    diagnostic = models.BigIntegerField(_("version du diagnostic"), default=1)
    logbook = models.BigIntegerField(_("version du carnet de bord"), default=1)
    partnerships = models.BigIntegerField(_("version des participations des partenaires"), default=1)

    class Meta:
        verbose_name = _("version des données d'un site")
        verbose_name_plural = _("versions des données des sites")

    def __str__(self):
        return f"{self.site_id}: {self.aggregated_version}/{self.version}"


class RecordVersion(models.Model):
    """How many times one record's page changed (`kind` "meeting": the meeting, its participants,
    organisations, decisions and attachments), bumped by the same triggers as `SiteDataVersion`:
    a meeting's page is kept under its own version, so the meetings saved beside it leave it kept.
    A row appears with the record's first write after this table was made; none reads as 0."""

    kind = models.CharField(_("type"), max_length=20)
    object_id = models.BigIntegerField(_("identifiant"))
    version = models.BigIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("version d'une fiche")
        verbose_name_plural = _("versions des fiches")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="record_version_unique")]

    def __str__(self):
        return f"{self.kind} {self.object_id}: {self.version}"


class FiguresVersion(models.Model):
    """Version counters bumped by the same triggers for changes not tied to one site: `epoch`
    (networks, themes, national context events, a deleted site…) and `sites` (the sites' own
    rows, which the map and the dashboards' filters show)."""

    name = models.CharField(_("nom"), max_length=20, primary_key=True)
    version = models.BigIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("version des chiffres")
        verbose_name_plural = _("versions des chiffres")

    def __str__(self):
        return f"{self.name}: {self.version}"
