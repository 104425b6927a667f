"""Every figure the platform shows, declared once: its key, French label, definition, unit and
format, what "in the period" means for it, and how it aggregates over several sites.

Pages read labels from here through the `figure_labels` template tags (which mark each label with
`data-figure="<key>"`), the « Définitions » page lists every declaration, and the report's
« Méthode et sources » chapter prints the definitions of the figures a report shows. A test walks
the rendered pages and fails on a marked figure that is not declared here.

Two figures that count different things have two keys and two labels, even when the old pages
used one word for both (« Associations et habitant·es » of the steering committee vs of every
meeting; « écart » between the highest and lowest reading vs the « différence » facilitator − institutional).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from diagnostics import readings


class Theme(models.TextChoices):
    """The groups of the « Définitions » page, in its order."""

    FACILITATION = "animation", _("Animation")
    STEERING = "pilotage", _("Pilotage")
    MEETINGS = "reunions", _("Réunions et participation")
    DIAGNOSTIC = "diagnostic", _("Diagnostic et lectures du territoire")
    ACTIONS = "actions", _("Actions")
    COOPERATION = "cooperation", _("Coopération et partenaires")
    LEDGER = "couts_evites", _("Coûts évités et effets leviers")
    MONITORING = "suivi", _("Suivi : carnet de bord, indicateurs, enquêtes")
    POSITIONING = "positionnement", _("Sites, modèles et portage")
    ATTENTION = "attention", _("Points d'attention")


class Format(models.TextChoices):
    INTEGER = "integer", _("nombre entier")
    DECIMAL = "decimal", _("nombre décimal")
    PERCENT = "percent", _("pourcentage")
    FTE = "fte", _("équivalent temps plein (ETP)")
    DATE = "date", _("date")
    EURO = "euro", _("montant en euros")


class PeriodRule(models.TextChoices):
    """What "in the period" means for a figure. On a dashboard the period ends today."""

    EVENT_DATE = "event_date", _("compté à la date de l'événement, quand elle tombe dans la période")
    DURING = "during", _("compté quand il est en cours à un moment de la période")
    ANSWER_DATE = "answer_date", _("compté à la date de la réponse, quand elle précède la fin de la période")
    STATE_AT_END = (
        "state_at_end",
        _("état au dernier jour de la période (aujourd'hui sur les tableaux de bord)"),
    )
    SINCE_START = "since_start", _("cumul depuis le début du site jusqu'à la fin de la période")


class Aggregation(models.TextChoices):
    """How the figure of several sites is obtained from each site's."""

    SUM = "sum", _("somme des sites")
    RATIO = "ratio", _("recalculé sur les totaux des sites (pas une moyenne de pourcentages)")
    DISTRIBUTION = "distribution", _("répartition entre les sites (minimum, moyenne, maximum ou quartiles)")
    MEAN = "mean", _("moyenne des sites")
    NONE = "none", _("propre à un site, non agrégeable")


class Place(models.TextChoices):
    """Where a figure is shown (listed on the « Définitions » page)."""

    SITE_DASHBOARD = "site", _("tableau de bord du site")
    COOPERATION = "cooperation", _("carte de la coopération")
    SITE_TABLES = "tables", _("tableaux des sites (national, réseau, Mes sites) et leurs exports")
    REPORT = "report", _("rapport d'évaluation")
    REPORT_LARGE = "report_large", _("rapport d'évaluation de plus de 60 sites (répartition entre les sites)")


@dataclass(frozen=True)
class Figure:
    key: str
    theme: Theme
    label: Promise
    definition: Promise
    unit: Promise
    format: Format
    period: PeriodRule
    aggregation: Aggregation
    places: tuple[Place, ...]


T, F, P, A, W = Theme, Format, PeriodRule, Aggregation, Place
SITES = _("sites")
MEETINGS = _("réunions")
ACTIONS = _("actions")
ORGANISATIONS = _("organisations")

FIGURES: tuple[Figure, ...] = (
    # --- Animation ---------------------------------------------------------------------------------
    Figure(
        "fte_in_post",
        T.FACILITATION,
        _("ETP d'animation en poste"),
        _(
            "Somme des équivalents temps plein des animateur·rices (titulaires et renforts) dont le "
            "contrat couvre le dernier jour de la période ; un site sans personne en poste compte 0."
        ),
        _("ETP"),
        F.FTE,
        P.STATE_AT_END,
        A.DISTRIBUTION,
        (W.SITE_DASHBOARD, W.SITE_TABLES, W.REPORT),
    ),
    Figure(
        "fte_in_post_staffed",
        T.FACILITATION,
        _("Temps d'animation (ETP, sites avec animateur·rice)"),
        _(
            "ETP d'animation en poste au dernier jour de la période, parmi les seuls sites qui ont "
            "au moins une personne en poste ce jour-là."
        ),
        _("ETP"),
        F.FTE,
        P.STATE_AT_END,
        A.DISTRIBUTION,
        (W.REPORT_LARGE,),
    ),
    Figure(
        "fte_buckets",
        T.FACILITATION,
        _("Temps d'animation par site (ETP)"),
        _(
            "Nombre de sites par tranche d'ETP d'animation en poste au dernier jour de la période, "
            "parmi les sites qui ont au moins une personne en poste."
        ),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "sites_without_facilitator",
        T.FACILITATION,
        _("Sites sans animateur·rice en poste"),
        _("Nombre de sites sans aucune personne d'animation en poste au dernier jour de la période."),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "facilitation_since",
        T.FACILITATION,
        _("Animation en poste depuis"),
        _("Date d'arrivée de l'animateur·rice titulaire en poste aujourd'hui arrivé·e la première."),
        _("date"),
        F.DATE,
        P.STATE_AT_END,
        A.NONE,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "vacancy_days",
        T.FACILITATION,
        _("Jours de vacance de poste"),
        _(
            "Jours sans animateur·rice titulaire en poste depuis l'arrivée du ou de la première ; "
            "un contrat sans date de fin couvre jusqu'à aujourd'hui."
        ),
        _("jours"),
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "facilitator_departures",
        T.FACILITATION,
        _("Départs d'animateur·rices"),
        _("Nombre d'animateur·rices titulaires dont le contrat a pris fin avant aujourd'hui."),
        _("départs"),
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "facilitation_configurations",
        T.FACILITATION,
        _("Configurations de l'animation"),
        _(
            "Nombre de sites selon leur configuration d'animation (une seule personne, avec appui, "
            "partagée), telle qu'elle est enregistrée sur la fiche du site."
        ),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "recruitment_by_quarter",
        T.FACILITATION,
        _("Recrutement des animateur·rices par trimestre"),
        _(
            "Nombre de sites selon le trimestre d'arrivée de leur première personne d'animation, "
            "arrivée avant la fin de la période."
        ),
        SITES,
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "contracts_in_period",
        T.FACILITATION,
        _("Contrats des personnes en poste sur la période"),
        _(
            "Nombre de contrats d'animation par type (CDI, CDD, mise à disposition…) en cours à un "
            "moment de la période."
        ),
        _("contrats"),
        F.INTEGER,
        P.DURING,
        A.SUM,
        (W.REPORT,),
    ),
    # --- Pilotage ----------------------------------------------------------------------------------
    Figure(
        "steering_members",
        T.STEERING,
        _("Membres de l'instance de pilotage"),
        _("Nombre de membres de l'instance de pilotage du site dont la participation n'a pas pris fin."),
        _("membres"),
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "steering_composition",
        T.STEERING,
        _("Composition de l'instance de pilotage par catégorie"),
        _("Membres actuels de l'instance de pilotage du site, par catégorie d'organisation."),
        _("membres"),
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "steering_seats",
        T.STEERING,
        _("Composition des instances de pilotage (sièges)"),
        _(
            "Sièges des instances de pilotage des sites au dernier jour de la période, par catégorie "
            "d'organisation."
        ),
        _("sièges"),
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "steering_committee_mix",
        T.STEERING,
        _("Sites selon la composition de leur instance de pilotage"),
        _(
            "Parmi les sites dont l'instance de pilotage a des membres à la fin de la période : ceux "
            "qui n'ont que des acteurs institutionnels (État, collectivités), ceux qui comptent des "
            "associations, ceux qui comptent des habitant·es ou le conseil citoyen."
        ),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "steering_meetings_period",
        T.STEERING,
        _("Réunions de pilotage sur la période"),
        _("Nombre de réunions de type « instance de pilotage » datées dans la période."),
        MEETINGS,
        F.INTEGER,
        P.EVENT_DATE,
        A.DISTRIBUTION,
        (W.SITE_DASHBOARD, W.SITE_TABLES, W.REPORT, W.REPORT_LARGE),
    ),
    Figure(
        "steering_meetings_total",
        T.STEERING,
        _("Réunions de pilotage depuis le début"),
        _(
            "Nombre de réunions de type « instance de pilotage » tenues depuis le début du site "
            "jusqu'au dernier jour de la période (aujourd'hui sur le tableau de bord)."
        ),
        MEETINGS,
        F.INTEGER,
        P.SINCE_START,
        A.DISTRIBUTION,
        (W.SITE_DASHBOARD, W.REPORT, W.REPORT_LARGE),
    ),
    Figure(
        "steering_meetings_sites",
        T.STEERING,
        _("Sites selon le nombre de réunions de pilotage tenues depuis le début"),
        _("Nombre de sites pour chaque nombre de réunions de pilotage tenues depuis le début."),
        SITES,
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "steering_last_meeting",
        T.STEERING,
        _("Dernière réunion de pilotage"),
        _("Date de la plus récente réunion de pilotage tenue."),
        _("date"),
        F.DATE,
        P.STATE_AT_END,
        A.NONE,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "steering_next_meeting",
        T.STEERING,
        _("Prochaine réunion de pilotage"),
        _("Date de la première réunion de pilotage enregistrée après aujourd'hui."),
        _("date"),
        F.DATE,
        P.STATE_AT_END,
        A.NONE,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "steering_civil_share",
        T.STEERING,
        _("Associations et habitant·es en comité de pilotage, depuis le début (%)"),
        _(
            "Part des présences aux réunions de l'instance de pilotage venant d'associations, "
            "d'habitant·es et du conseil citoyen, sur toutes les présences à ces réunions."
        ),
        _("%"),
        F.PERCENT,
        P.SINCE_START,
        A.RATIO,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "steering_civil_share_period",
        T.STEERING,
        _("Associations et habitant·es en comité de pilotage (%)"),
        _(
            "Part des présences aux réunions de l'instance de pilotage de la période venant "
            "d'associations, d'habitant·es et du conseil citoyen, sur toutes les présences à ces "
            "réunions ; à comparer avec la même part sur toutes les réunions."
        ),
        _("%"),
        F.PERCENT,
        P.EVENT_DATE,
        A.RATIO,
        (W.SITE_DASHBOARD, W.SITE_TABLES),
    ),
    Figure(
        "steering_attendance_by_quarter",
        T.STEERING,
        _("Présences aux réunions de pilotage par catégorie et par trimestre"),
        _(
            "Somme des présences aux réunions de pilotage, par catégorie d'organisation et par "
            "trimestre de la date de la réunion."
        ),
        _("présences"),
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    # --- Réunions et participation -------------------------------------------------------------------
    Figure(
        "meetings_period",
        T.MEETINGS,
        _("Réunions de la période"),
        _(
            "Nombre de réunions de tout type (pilotage, ateliers, groupes de travail, événements "
            "publics…) datées dans la période."
        ),
        MEETINGS,
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_TABLES, W.REPORT, W.REPORT_LARGE),
    ),
    Figure(
        "meetings_by_quarter",
        T.MEETINGS,
        _("Réunions par trimestre"),
        _("Nombre de réunions du site par trimestre de leur date : réunions de pilotage et autres réunions."),
        MEETINGS,
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "meetings_by_quarter_all_sites",
        T.MEETINGS,
        _("Réunions par trimestre, tous sites confondus"),
        _(
            "Somme, sur les sites filtrés, des réunions par trimestre de leur date : réunions de "
            "pilotage et autres réunions."
        ),
        MEETINGS,
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_TABLES,),
    ),
    Figure(
        "meetings_sites",
        T.MEETINGS,
        _("Sites selon le nombre de réunions de la période"),
        _("Nombre de sites par tranche du nombre de réunions de tout type datées dans la période."),
        SITES,
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.REPORT_LARGE,),
    ),
    Figure(
        "meetings_civil_share",
        T.MEETINGS,
        _("Associations et habitant·es, toutes réunions (%)"),
        _(
            "Part des présences à toutes les réunions de la période (événements publics compris) "
            "venant d'associations, d'habitant·es et du conseil citoyen, sur toutes les présences."
        ),
        _("%"),
        F.PERCENT,
        P.EVENT_DATE,
        A.RATIO,
        (W.SITE_TABLES,),
    ),
    Figure(
        "attendance_total",
        T.MEETINGS,
        _("Participations aux réunions de la période"),
        _("Somme des présences, toutes catégories, aux réunions datées dans la période."),
        _("participations"),
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "attendance_residents_share",
        T.MEETINGS,
        _("Part des habitant·es et du conseil citoyen dans les participations"),
        _(
            "Part des présences aux réunions de la période venant d'habitant·es et du conseil "
            "citoyen (associations non comprises), sur toutes les présences."
        ),
        _("%"),
        F.PERCENT,
        P.EVENT_DATE,
        A.RATIO,
        (W.REPORT,),
    ),
    Figure(
        "attendance_by_category",
        T.MEETINGS,
        _("Participation aux réunions par catégorie"),
        _("Somme des présences aux réunions datées dans la période, par catégorie d'organisation."),
        _("participations"),
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "meeting_formats",
        T.MEETINGS,
        _("Format des réunions"),
        _("Nombre de réunions datées dans la période, par format (présentiel, visioconférence, hybride)."),
        MEETINGS,
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.REPORT,),
    ),
    # --- Diagnostic ----------------------------------------------------------------------------------
    Figure(
        "first_diagnostic",
        T.DIAGNOSTIC,
        _("Premier diagnostic"),
        _("Date du premier diagnostic partagé saisi pour le site."),
        _("date"),
        F.DATE,
        P.SINCE_START,
        A.NONE,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "findings_by_theme",
        T.DIAGNOSTIC,
        _("Constats par thématique"),
        _("Nombre de constats du diagnostic par thématique, selon qu'au moins une action y répond ou non."),
        _("constats"),
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "findings_without_action",
        T.DIAGNOSTIC,
        _("Constats sans action"),
        _("Nombre de constats du diagnostic auxquels aucune action n'est rattachée."),
        _("constats"),
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "site_readings",
        T.DIAGNOSTIC,
        _("Lecture du territoire (1 à 10) : institutionnels, animation, habitant·es"),
        _(
            "Pour chaque item de la grille, la dernière note de 1 à 10 donnée par chaque type de "
            "répondant (acteurs institutionnels, animateur·rice, habitant·es)."
        ),
        _("note sur 10"),
        F.DECIMAL,
        P.STATE_AT_END,
        A.MEAN,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "reading_gap_range",
        T.DIAGNOSTIC,
        readings.SPREAD_LABEL,
        _(
            "Pour un item, la plus haute des dernières notes des trois types de répondants moins la "
            "plus basse ; toujours positif, vide quand moins de deux types ont répondu."
        ),
        _("points"),
        F.DECIMAL,
        P.STATE_AT_END,
        A.NONE,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "readings_crossed",
        T.DIAGNOSTIC,
        _("Lectures croisées du territoire (échelle de 1 à 10)"),
        _(
            "Pour chaque item, la moyenne sur les sites des dernières notes données avant la fin de la "
            "période, par type de répondant."
        ),
        _("note sur 10"),
        F.DECIMAL,
        P.STATE_AT_END,
        A.MEAN,
        (W.REPORT,),
    ),
    Figure(
        "reading_gap_facilitator_institutional",
        T.DIAGNOSTIC,
        readings.DIFFERENCE_LABEL,
        _(
            "Pour un item, la moyenne des notes des animateur·rices moins la moyenne des notes des "
            "acteurs institutionnels ; positif quand l'animation voit le territoire plus favorablement."
        ),
        _("points"),
        F.DECIMAL,
        P.STATE_AT_END,
        A.MEAN,
        (W.REPORT,),
    ),
    Figure(
        "readings_sites",
        T.DIAGNOSTIC,
        _("Sites ayant une lecture du territoire"),
        _("Nombre de sites ayant au moins une note de lecture du territoire avant la fin de la période."),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    # --- Actions -------------------------------------------------------------------------------------
    Figure(
        "actions_recorded",
        T.ACTIONS,
        _("Actions enregistrées"),
        _("Nombre de toutes les actions du site, quel que soit leur état."),
        ACTIONS,
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "actions_started",
        T.ACTIONS,
        _("Actions démarrées"),
        _("Nombre d'actions dont la date de début (à défaut, la date de saisie) tombe dans la période."),
        ACTIONS,
        F.INTEGER,
        P.EVENT_DATE,
        A.DISTRIBUTION,
        (W.SITE_DASHBOARD, W.SITE_TABLES),
    ),
    Figure(
        "actions_started_done",
        T.ACTIONS,
        _("Actions démarrées et réalisées"),
        _("Parmi les actions démarrées sur la période, celles qui sont aujourd'hui à l'état « Réalisée »."),
        ACTIONS,
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_TABLES,),
    ),
    Figure(
        "actions_at_end",
        T.ACTIONS,
        _("Actions suivies à la fin de la période"),
        _(
            "Nombre d'actions existant au dernier jour de la période, avec l'état qu'elles avaient ce "
            "jour-là."
        ),
        ACTIONS,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT, W.REPORT_LARGE),
    ),
    Figure(
        "actions_progress",
        T.ACTIONS,
        _("Avancement moyen des actions"),
        _("Moyenne du pourcentage d'avancement saisi sur les actions du site."),
        _("%"),
        F.PERCENT,
        P.STATE_AT_END,
        A.MEAN,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "residents_reached_all",
        T.ACTIONS,
        _("Habitant·es touché·es par les actions"),
        _("Somme des habitant·es touché·es saisies sur toutes les actions du site."),
        _("habitant·es"),
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "residents_reached_started",
        T.ACTIONS,
        _("Habitant·es touché·es (actions démarrées)"),
        _("Somme des habitant·es touché·es saisies sur les actions démarrées dans la période."),
        _("habitant·es"),
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_DASHBOARD, W.SITE_TABLES),
    ),
    Figure(
        "residents_reached_active",
        T.ACTIONS,
        _("Habitant·es touché·es par les actions en cours ou réalisées"),
        _(
            "Somme des habitant·es touché·es saisies sur les actions à l'état « En cours » ou "
            "« Réalisée » au dernier jour de la période."
        ),
        _("habitant·es"),
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "actions_by_status",
        T.ACTIONS,
        _("Actions par état"),
        _("Nombre d'actions par état (idée, en préparation, en cours, réalisée, abandonnée)."),
        ACTIONS,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.SITE_DASHBOARD, W.REPORT),
    ),
    Figure(
        "actions_by_theme",
        T.ACTIONS,
        _("Actions par thématique"),
        _("Nombre d'actions du site par thématique du catalogue national."),
        ACTIONS,
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.SITE_DASHBOARD,),
    ),
    Figure(
        "multi_partner_actions",
        T.ACTIONS,
        _("Actions portées par au moins deux partenaires"),
        _(
            "Nombre et part des actions suivies à la fin de la période qui ont au moins deux "
            "organisations partenaires."
        ),
        ACTIONS,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "partners_per_action",
        T.ACTIONS,
        _("Partenaires par action (moyenne)"),
        _("Nombre moyen d'organisations partenaires des actions suivies à la fin de la période."),
        ORGANISATIONS,
        F.DECIMAL,
        P.STATE_AT_END,
        A.MEAN,
        (W.REPORT,),
    ),
    # --- Coopération ---------------------------------------------------------------------------------
    Figure(
        "partner_organisations",
        T.COOPERATION,
        _("Organisations partenaires"),
        _("Nombre d'organisations partenaires enregistrées pour le site avant la fin de la période."),
        ORGANISATIONS,
        F.INTEGER,
        P.SINCE_START,
        A.DISTRIBUTION,
        (W.COOPERATION, W.REPORT, W.REPORT_LARGE),
    ),
    Figure(
        "partners_present_period",
        T.COOPERATION,
        _("Organisations présentes aux réunions de la période"),
        _("Nombre d'organisations distinctes présentes à au moins une réunion datée dans la période."),
        ORGANISATIONS,
        F.INTEGER,
        P.EVENT_DATE,
        A.DISTRIBUTION,
        (W.REPORT, W.REPORT_LARGE),
    ),
    Figure(
        "partners_max_quarter",
        T.COOPERATION,
        _("Partenaires (max. par trimestre)"),
        _(
            "Le plus grand nombre, sur les trimestres de la période, d'organisations distinctes "
            "présentes à une réunion ou partenaires d'une action du trimestre."
        ),
        ORGANISATIONS,
        F.INTEGER,
        P.EVENT_DATE,
        A.DISTRIBUTION,
        (W.SITE_TABLES,),
    ),
    Figure(
        "partner_pairs",
        T.COOPERATION,
        _("Paires qui ont travaillé ensemble"),
        _(
            "Nombre de paires d'organisations partenaires présentes à une même réunion ou partenaires "
            "d'une même action, au moins une fois."
        ),
        _("paires"),
        F.INTEGER,
        P.SINCE_START,
        A.NONE,
        (W.COOPERATION,),
    ),
    Figure(
        "cross_sector_pairs",
        T.COOPERATION,
        _("Paires intersectorielles"),
        _(
            "Parmi les paires qui ont travaillé ensemble, celles dont les deux organisations sont de "
            "catégories différentes."
        ),
        _("paires"),
        F.INTEGER,
        P.SINCE_START,
        A.NONE,
        (W.COOPERATION,),
    ),
    Figure(
        "cooperation_graph",
        T.COOPERATION,
        _("Qui travaille avec qui"),
        _(
            "Graphe des organisations partenaires du site ; un trait relie deux organisations qui ont "
            "travaillé ensemble, d'autant plus épais qu'elles l'ont fait souvent."
        ),
        _("fois ensemble"),
        F.INTEGER,
        P.SINCE_START,
        A.NONE,
        (W.COOPERATION,),
    ),
    Figure(
        "partners_by_quarter",
        T.COOPERATION,
        _("Partenaires et paires de partenaires par trimestre"),
        _(
            "Par trimestre : organisations distinctes présentes à une réunion ou partenaires d'une "
            "action du trimestre, paires qu'elles forment, et paires intersectorielles."
        ),
        ORGANISATIONS,
        F.INTEGER,
        P.EVENT_DATE,
        A.NONE,
        (W.COOPERATION,),
    ),
    Figure(
        "cooperation_change",
        T.COOPERATION,
        _("Évolution depuis le diagnostic"),
        _(
            "Partenaires, paires et paires intersectorielles du trimestre du premier diagnostic "
            "comparés à ceux du trimestre en cours."
        ),
        ORGANISATIONS,
        F.INTEGER,
        P.EVENT_DATE,
        A.NONE,
        (W.COOPERATION,),
    ),
    # --- Suivi ---------------------------------------------------------------------------------------
    Figure(
        "logbook_quarters",
        T.MONITORING,
        _("Trimestres avec carnet de bord"),
        _(
            "Nombre de trimestres de la période, depuis le démarrage du site, couverts au moins en "
            "partie par un bilan de période du carnet de bord, sur le nombre de trimestres attendus."
        ),
        _("trimestres"),
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_DASHBOARD, W.SITE_TABLES),
    ),
    Figure(
        "indicator_quarters",
        T.MONITORING,
        _("Trimestres avec indicateurs"),
        _(
            "Nombre de trimestres de la période, depuis le démarrage du site, où au moins une valeur "
            "d'indicateur commence, sur le nombre de trimestres attendus."
        ),
        _("trimestres"),
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_TABLES,),
    ),
    Figure(
        "reporting_by_quarter",
        T.MONITORING,
        _("Sites à jour de leur suivi par trimestre"),
        _(
            "Par trimestre : sites attendus (démarrés), sites ayant rempli leur carnet de bord, sites "
            "ayant saisi des indicateurs."
        ),
        SITES,
        F.INTEGER,
        P.EVENT_DATE,
        A.SUM,
        (W.SITE_TABLES,),
    ),
    Figure(
        "logbook_entries_period",
        T.MONITORING,
        _("Entrées du carnet de bord sur la période"),
        _("Nombre d'entrées du carnet de bord dont les dates recouvrent au moins un jour de la période."),
        _("entrées"),
        F.INTEGER,
        P.DURING,
        A.SUM,
        (W.REPORT, W.REPORT_LARGE),
    ),
    Figure(
        "indicator_values",
        T.MONITORING,
        _("Indicateurs de la période"),
        _(
            "Pour chaque indicateur actif : valeur saisie ou calculée pour chaque site sur la période, "
            "moyenne et total sur les sites, et nombre de sites ayant atteint leur objectif."
        ),
        _("unité de l'indicateur"),
        F.DECIMAL,
        P.EVENT_DATE,
        A.DISTRIBUTION,
        (W.REPORT,),
    ),
    Figure(
        "survey_response_rate",
        T.MONITORING,
        _("Taux de réponse des enquêtes"),
        _(
            "Pour chaque campagne de questionnaire ouverte sur la période : destinataires (liens "
            "révoqués exclus), réponses reçues avant la fin de la période, et leur rapport ; "
            "territoires ayant au moins une réponse sur territoires destinataires."
        ),
        _("%"),
        F.PERCENT,
        P.ANSWER_DATE,
        A.RATIO,
        (W.REPORT,),
    ),
    # --- Positionnement ------------------------------------------------------------------------------
    Figure(
        "sites_map",
        T.POSITIONING,
        _("Carte des sites"),
        _(
            "Emplacement de chaque site du périmètre (centre de son quartier prioritaire) sur la carte "
            "de France."
        ),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.NONE,
        (W.SITE_TABLES, W.REPORT),
    ),
    Figure(
        "sites_covered",
        T.POSITIONING,
        _("Sites couverts"),
        _("Nombre de sites du périmètre du rapport (national, tête de réseau ou site)."),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "priority_models",
        T.POSITIONING,
        _("Modèles prioritaires (nombre de sites)"),
        _("Nombre de sites ayant retenu chaque modèle prioritaire."),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "institutional_support",
        T.POSITIONING,
        _("Portage institutionnel des sites"),
        _("Nombre de sites selon le niveau d'appui institutionnel enregistré sur leur fiche."),
        SITES,
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.REPORT,),
    ),
    Figure(
        "themes_worked",
        T.POSITIONING,
        _("Thématiques travaillées (nombre de sites)"),
        _(
            "Nombre de sites ayant, avant la fin de la période, un constat du diagnostic ou une action "
            "sur chaque thématique."
        ),
        SITES,
        F.INTEGER,
        P.SINCE_START,
        A.SUM,
        (W.REPORT,),
    ),
    # --- Coûts évités et effets leviers -------------------------------------------------------------
    # Three levels of confidence, never added together (evaluation/figures/ledger.py).
    *(
        Figure(
            f"{kind}_{level}",
            T.LEDGER,
            label,
            definition,
            _("euros"),
            F.EURO,
            P.DURING,
            A.SUM,
            (W.SITE_DASHBOARD, W.REPORT),
        )
        for kind, level, label, definition in (
            (
                "avoided_costs",
                "verified",
                _("Coûts évités vérifiés"),
                _(
                    "Somme des montants en euros des coûts évités enregistrés sur les actions, que "
                    "l'équipe nationale a vérifiés (document ou déclaration d'un partenaire contrôlé), "
                    "dont la période rencontre celle choisie. Chaque montant vient avec son hypothèse."
                ),
            ),
            (
                "avoided_costs",
                "documented",
                _("Coûts évités documentés"),
                _(
                    "Somme des montants en euros des coûts évités appuyés par un document joint ou la "
                    "déclaration d'un partenaire, pas encore vérifiés ; séparée des montants vérifiés "
                    "et des montants seulement déclarés."
                ),
            ),
            (
                "avoided_costs",
                "declared",
                _("Coûts évités déclarés"),
                _(
                    "Somme des montants en euros des coûts évités estimés par l'équipe du site sans "
                    "document ni déclaration d'un partenaire ; jamais ajoutée aux montants documentés "
                    "ou vérifiés."
                ),
            ),
            (
                "leverage",
                "verified",
                _("Effets leviers vérifiés"),
                _(
                    "Somme des moyens obtenus (cofinancements, mises à disposition) chiffrés en euros, "
                    "vérifiés par l'équipe nationale, dont la période rencontre celle choisie."
                ),
            ),
            (
                "leverage",
                "documented",
                _("Effets leviers documentés"),
                _(
                    "Somme des moyens obtenus chiffrés en euros, appuyés par un document ou la "
                    "déclaration d'un partenaire, pas encore vérifiés."
                ),
            ),
            (
                "leverage",
                "declared",
                _("Effets leviers déclarés"),
                _("Somme des moyens obtenus chiffrés en euros, seulement déclarés par l'équipe du site."),
            ),
        )
    ),
    # --- Points d'attention ----------------------------------------------------------------------
    Figure(
        "attention_open",
        T.ATTENTION,
        _("Points d'attention"),
        _(
            "Nombre de points d'attention en cours sur le site aujourd'hui, quelle que soit la période "
            "choisie : chacun vient d'une règle (pilotage, groupes de travail, animation, carnet de "
            "bord et indicateurs, comptes rendus, mixité du pilotage, actions, commentaires) dont les "
            "seuils sont sur la page « Points d'attention : règles et seuils »."
        ),
        _("points d'attention"),
        F.INTEGER,
        P.STATE_AT_END,
        A.SUM,
        (W.SITE_DASHBOARD, W.SITE_TABLES),
    ),
)

BY_KEY: dict[str, Figure] = {figure.key: figure for figure in FIGURES}
if len(BY_KEY) != len(FIGURES):
    raise ValueError("Two figures share a key in evaluation/figures/registry.py.")


# The figure of each column of the site tables (national, network, « Mes sites »), in order; None
# for the columns naming the site (name, network, region). The open attention points come right
# after the site's name: what a delegate looks for first, seen without scrolling on a phone.
SITE_TABLE_COLUMNS: tuple[str | None, ...] = (
    None,
    "attention_open",
    None,
    None,
    "fte_in_post",
    "meetings_period",
    "steering_meetings_period",
    "meetings_civil_share",
    "steering_civil_share_period",
    "actions_started",
    "actions_started_done",
    "residents_reached_started",
    "partners_max_quarter",
    "logbook_quarters",
    "indicator_quarters",
)


def get(key: str) -> Figure:
    """The declaration of `key`; a KeyError naming the key when it is not declared."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"Figure {key!r} is not declared in evaluation/figures/registry.py") from None


def key_for_label(label: str) -> str | None:
    """The key of the figure whose French label is `label` (charts name themselves by their title)."""
    return _labels().get(str(label))


def by_theme(figures: Iterable[Figure] = FIGURES) -> list[tuple[Theme, list[Figure]]]:
    """The figures grouped by theme, in the themes' order, each group in declaration order."""
    figures = list(figures)
    return [(theme, group) for theme in Theme if (group := [f for f in figures if f.theme == theme])]


def report_definitions(*, aggregate: bool) -> list[Figure]:
    """The figures an evaluation report shows, for its « Méthode et sources » chapter: the
    distribution chapter's figures only when the report has one (`aggregate`)."""
    places = {Place.REPORT, Place.REPORT_LARGE} if aggregate else {Place.REPORT}
    return [figure for figure in FIGURES if places.intersection(figure.places)]


def _labels() -> dict[str, str]:
    """Label → key in the active language (labels are lazy translations), built once per language."""
    language = translation.get_language()
    if language not in _LABELS:
        _LABELS[language] = {str(figure.label): figure.key for figure in FIGURES}
    return _LABELS[language]


_LABELS: dict[str | None, dict[str, str]] = {}
