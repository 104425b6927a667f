"""The shared diagnostic: themes, findings and the 1–10 territory assessments by respondent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from atc.bounds import bounded
from atc.concurrency import version_field
from sites.models import Site, SiteScopedQuerySet


class Theme(models.Model):
    """A theme from the shared national catalogue (civic engagement, food solidarity…)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("nom"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0, validators=bounded("order"))

    class Meta:
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Diagnostic(models.Model):
    """A site's shared diagnostic, as agreed on a date (a site may revise it)."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="diagnostics", verbose_name=_("site")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date"), default=timezone.localdate, validators=bounded("date"))
    summary = models.TextField(_("synthèse"), blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("diagnostic partagé")
        verbose_name_plural = _("diagnostics partagés")
        ordering = ["site", "-date"]

    def __str__(self):
        return self.title


class Finding(models.Model):
    """A common finding (constat commun) of the shared diagnostic."""

    class Source(models.TextChoices):
        WORKSHOP = "workshop", _("Atelier")
        SURVEY = "survey", _("Questionnaire")
        INTERVIEW = "interview", _("Entretien")
        OBSERVATION = "observation", _("Observation")
        DATA = "data", _("Données statistiques")
        DOCUMENT = "document", _("Document existant")
        OTHER = "other", _("Autre")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="findings", verbose_name=_("site"))
    diagnostic = models.ForeignKey(
        Diagnostic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("diagnostic"),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="findings", verbose_name=_("thématique")
    )
    title = models.CharField(_("constat"), max_length=200)
    description = models.TextField(_("précisions"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    date = models.DateField(_("date"), default=timezone.localdate, validators=bounded("date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)
    version = version_field()

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("constat")
        verbose_name_plural = _("constats")
        ordering = ["site", "theme", "title"]

    def __str__(self):
        return self.title


class AssessmentItem(models.Model):
    """An item of the territory reading, rated 1–10 (same items for every respondent kind)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("intitulé"), max_length=200, unique=True)
    order = models.PositiveSmallIntegerField(_("ordre"), default=0, validators=bounded("order"))

    class Meta:
        verbose_name = _("item d'appréciation")
        verbose_name_plural = _("items d'appréciation")
        ordering = ["order", "label"]

    def __str__(self):
        return self.label


class Assessment(models.Model):
    """A 1–10 rating of an item by one kind of respondent on a site at a date."""

    class RespondentKind(models.TextChoices):
        INSTITUTIONAL = "institutional", _("Acteurs institutionnels")
        FACILITATOR = "facilitator", _("Animateur·rice")
        RESIDENTS = "residents", _("Habitant·es")

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("site")
    )
    item = models.ForeignKey(
        AssessmentItem, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("item")
    )
    respondent_kind = models.CharField(_("qui évalue"), max_length=16, choices=RespondentKind.choices)
    date = models.DateField(_("date"), default=timezone.localdate, validators=bounded("date"))
    score = models.DecimalField(
        _("note (1 à 10)"),
        max_digits=3,
        decimal_places=1,
        validators=bounded("score"),
        help_text=_("Moyenne des réponses, de 1 (très faible) à 10 (très fort)."),
    )
    respondents = models.PositiveIntegerField(
        _("nombre de répondant·es"), default=1, validators=bounded("count")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )

    objects = SiteScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appréciation du territoire")
        verbose_name_plural = _("appréciations du territoire")
        ordering = ["site", "item", "date", "respondent_kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=10),
                name="assessment_score_1_to_10",
                violation_error_message=_("La note doit être comprise entre 1 et 10."),
            ),
            models.CheckConstraint(
                condition=Q(respondents__gte=1),
                name="assessment_has_respondents",
                violation_error_message=_("Il faut au moins un·e répondant·e."),
            ),
            models.UniqueConstraint(
                fields=["site", "item", "respondent_kind", "date"],
                name="assessment_unique_reading",
                violation_error_message=_("Cet item a déjà une note de ce type de répondant à cette date."),
            ),
        ]

    def __str__(self):
        return f"{self.item} — {self.get_respondent_kind_display()} : {self.score}"
