"""The open data: what is safe to publish about the experiment, as CSV and JSON files described by a
Frictionless data package (`datapackage.json`: a Table Schema per resource, the Licence Ouverte 2.0).

Published: the networks, the sites (reference data from public sources: commune, département,
coordinates, host organisation), their priority neighbourhoods' official codes, and the counts per
site and quarter exactly as the dashboards read them (`evaluation.figures.multisite.published_quarters`,
never recomputed here). Never published: people (facilitators, members, authors), free text typed
on the platform (titles, minutes, notes), anything of one meeting or action. Achievements are left
out: the platform has no notion of a « published » achievement yet, and nothing typed on it is
published without one.

Rebuilt every night by beat (`tasks.py`) and, the first time a file is asked for, on demand. Files
go through the storage API only (`default_storage`: the media folder or the shared bucket).
"""

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from atc.links import absolute_url
from atc.periods import quarter_param
from evaluation.figures.aggregates import ATTENDEE_COLUMNS, CATEGORIES
from evaluation.figures.multisite import published_quarters
from sites.models import Network, Site, SiteQuarterStats, qpv_2015_validator, qpv_2024_validator

FOLDER = "donnees-ouvertes"
PACKAGE = "datapackage.json"
LICENCE = {
    "name": "etalab-2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "title": "Licence Ouverte / Open Licence version 2.0",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    title: str
    description: str
    constraints: dict = field(default_factory=dict)

    def schema(self) -> dict:
        described = {
            "name": self.name,
            "type": self.type,
            "title": str(self.title),
            "description": str(self.description),
        }
        if self.type == "date":
            described["format"] = "default"
        if self.constraints:
            described["constraints"] = self.constraints
        return described


@dataclass(frozen=True)
class Resource:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[list]]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, resource, column)

    def schema(self) -> dict:
        schema = {
            "fields": [column.schema() for column in self.columns],
            "primaryKey": list(self.primary_key),
            "missingValues": [""],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": [column], "reference": {"resource": resource, "fields": [target]}}
                for column, resource, target in self.foreign_keys
            ]
        return schema


def _field_title(model, name: str):
    return model._meta.get_field(name).verbose_name


def _network_rows():
    for network in Network.objects.order_by("code"):
        yield [network.code, network.name, network.full_name]


def _site_rows():
    sites = Site.objects.select_related("network", "host").order_by("slug")
    for site in sites:
        yield [
            site.slug,
            site.name,
            site.network.code,
            site.city,
            site.insee_code,
            site.departement_code,
            site.departement_name,
            site.region,
            site.latitude,
            site.longitude,
            site.host.name if site.host else None,
            site.start_date,
        ]


def _neighbourhood_rows():
    through = Site.neighbourhoods.through.objects.select_related("site", "neighbourhood")
    for link in through.order_by("site__slug", "neighbourhood__code_2015", "neighbourhood__code_2024", "pk"):
        yield [
            link.site.slug,
            link.neighbourhood.code_2015,
            link.neighbourhood.code_2024,
            link.neighbourhood.name,
        ]


# Counts per site and quarter: the pre-aggregates' columns, named in French for the files.
COUNT_COLUMNS = (
    ("reunions", "meetings"),
    ("reunions_pilotage", "steering_meetings"),
    ("actions_commencees", "actions"),
    ("actions_realisees", "actions_done"),
    ("habitants_touches", "residents_reached"),
    ("partenaires", "partners"),
) + tuple(
    (f"presences_{category.value}", column)
    for category, column in zip(CATEGORIES, ATTENDEE_COLUMNS, strict=True)
)


def _quarter_rows():
    for row in published_quarters():
        yield [row.site.slug, quarter_param(row.quarter), row.quarter, row.in_experiment] + [
            getattr(row, column) for _name, column in COUNT_COLUMNS
        ]


def _count_description(column: str):
    for category, attendee_column in zip(CATEGORIES, ATTENDEE_COLUMNS, strict=True):
        if column == attendee_column:
            return format_lazy(
                _("Présences de la catégorie « {category} » aux réunions du trimestre."),
                category=category.label,
            )
    return format_lazy(
        _("{title}, sur le trimestre (compté comme dans les tableaux de bord)."),
        title=_field_title(SiteQuarterStats, column),
    )


SITE = Column("site", "string", _("site"), _("Identifiant du site (colonne « identifiant » de sites.csv)."))
NON_NEGATIVE = {"required": True, "minimum": 0}

RESOURCES: tuple[Resource, ...] = (
    Resource(
        "reseaux",
        _("Têtes de réseau"),
        _("Les têtes de réseau nationales qui portent les sites."),
        (
            Column("code", "string", _("code"), _("Code court de la tête de réseau."), {"required": True}),
            Column("nom", "string", _("nom court"), _("Nom court.")),
            Column("nom_complet", "string", _("nom complet"), _("Nom complet.")),
        ),
        _network_rows,
        ("code",),
    ),
    Resource(
        "sites",
        _("Sites de l'expérimentation"),
        _(
            "Un site par ligne : sa commune, son département, sa région, ses coordonnées et sa "
            "structure porteuse."
        ),
        (
            Column(
                "identifiant",
                "string",
                _("identifiant"),
                _("Identifiant stable du site."),
                {"required": True},
            ),
            Column("nom", "string", _("nom du site"), _("Nom du site.")),
            Column("reseau", "string", _("tête de réseau"), _("Code de la tête de réseau (reseaux.csv).")),
            Column("commune", "string", _("commune"), _("Commune du site.")),
            Column(
                "code_insee",
                "string",
                _("code INSEE"),
                _("Code officiel géographique de la commune."),
                {"pattern": "[0-9][0-9AB][0-9]{3}"},
            ),
            Column("departement", "string", _("département"), _("Code du département.")),
            Column("nom_departement", "string", _("nom du département"), _("Nom du département.")),
            Column("region", "string", _("région"), _("Région.")),
            Column("latitude", "number", _("latitude"), _("Latitude (WGS 84) d'un point du quartier.")),
            Column("longitude", "number", _("longitude"), _("Longitude (WGS 84) d'un point du quartier.")),
            Column(
                "structure_porteuse",
                "string",
                _("structure porteuse"),
                _("Organisation qui emploie l'animation."),
            ),
            Column("debut", "date", _("début"), _("Date de début de l'ATC sur le site, si elle est connue.")),
        ),
        _site_rows,
        ("identifiant",),
        (("reseau", "reseaux", "code"),),
    ),
    Resource(
        "quartiers",
        _("Quartiers prioritaires des sites"),
        _(
            "Les quartiers prioritaires de la politique de la ville (QPV) de chaque site, par leurs "
            "codes officiels."
        ),
        (
            SITE,
            Column(
                "code_qpv_2015",
                "string",
                _("code QPV 2015"),
                _("Code du quartier dans la liste de 2015."),
                {"pattern": qpv_2015_validator.regex.pattern.strip("^$")},
            ),
            Column(
                "code_qpv_2024",
                "string",
                _("code QPV 2024"),
                _("Code du quartier dans la liste de 2024 (2025 outre-mer)."),
                {"pattern": qpv_2024_validator.regex.pattern.strip("^$")},
            ),
            Column("nom", "string", _("nom"), _("Nom officiel du quartier.")),
        ),
        _neighbourhood_rows,
        (),
        (("site", "sites", "identifiant"),),
    ),
    Resource(
        "activite-trimestrielle",
        _("Activité par site et par trimestre"),
        _(
            "Les comptes de chaque site par trimestre civil, tels que les tableaux de bord les lisent : "
            "réunions, actions, habitant·es touché·es, partenaires, présences par catégorie."
        ),
        (
            SITE,
            Column(
                "trimestre",
                "string",
                _("trimestre"),
                _("Trimestre civil, par exemple 2021-T1."),
                {"required": True},
            ),
            Column("debut_trimestre", "date", _("début du trimestre"), _("Premier jour du trimestre.")),
            Column(
                "dans_experimentation",
                "boolean",
                _("dans l'expérimentation"),
                _("Vrai si le site était dans l'expérimentation ce trimestre-là."),
            ),
        )
        + tuple(
            Column(
                name,
                "integer",
                _field_title(SiteQuarterStats, column),
                _count_description(column),
                NON_NEGATIVE,
            )
            for name, column in COUNT_COLUMNS
        ),
        _quarter_rows,
        ("site", "trimestre"),
        (("site", "sites", "identifiant"),),
    ),
)
FILES = {PACKAGE: "application/json"} | {
    f"{resource.name}.{extension}": mediatype
    for resource in RESOURCES
    for extension, mediatype in (("csv", "text/csv"), ("json", "application/json"))
}


def _plain(value):
    """A cell as JSON and CSV write it: dates in ISO 8601, decimals as numbers, lazy text as text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(_plain(value))


def _files_of(resource: Resource) -> dict[str, bytes]:
    rows = list(resource.rows())
    names = [column.name for column in resource.columns]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    records = [dict(zip(names, (_plain(value) for value in row), strict=True)) for row in rows]
    return {
        f"{resource.name}.csv": text.getvalue().encode("utf-8"),
        f"{resource.name}.json": json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8"),
    }


def package_descriptor(*, created: datetime.datetime) -> dict:
    """The Frictionless data package: each table twice (CSV, JSON), one Table Schema each."""
    resources = []
    for resource in RESOURCES:
        for extension, mediatype, suffix in (("csv", "text/csv", ""), ("json", "application/json", "-json")):
            resources.append(
                {
                    "name": f"{resource.name}{suffix}",
                    "path": f"{resource.name}.{extension}",
                    "profile": "tabular-data-resource",
                    "format": extension,
                    "mediatype": mediatype,
                    "encoding": "utf-8",
                    "title": str(resource.title),
                    "description": str(resource.description),
                    "licenses": [LICENCE],
                    "schema": resource.schema(),
                }
            )
            if suffix:
                # The JSON copy points to the CSV tables: one set of keys for both.
                resources[-1]["schema"].pop("foreignKeys", None)
    return {
        "profile": "tabular-data-package",
        "name": "atc-animation-territoriale-citoyenne",
        "title": str(_("Animation territoriale citoyenne (ATC) : sites et activité")),
        "description": str(
            _(
                "Données publiques de l'expérimentation Animation territoriale citoyenne (ANCT) : "
                "têtes de réseau, sites, quartiers prioritaires, activité par site et par trimestre. "
                "Sans données personnelles ni texte saisi sur la plateforme ; les réalisations ne sont "
                "pas publiées tant que la plateforme ne permet pas de les marquer publiables."
            )
        ),
        "homepage": absolute_url(reverse("opendata:index")),
        "created": created.isoformat(timespec="seconds"),
        "licenses": [LICENCE],
        "resources": resources,
    }


def _save(name: str, content: bytes) -> None:
    path = f"{FOLDER}/{name}"
    default_storage.delete(path)
    default_storage.save(path, ContentFile(content))


def build_open_data(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Write every open data file through the storage API; returns file name → size in bytes.

    The tables are read in one transaction (one consistent state of the data); the descriptor
    is written last, so a reader who finds it finds the files it describes."""
    now = now or timezone.now()
    with transaction.atomic():
        files: dict[str, bytes] = {}
        for resource in RESOURCES:
            files.update(_files_of(resource))
    files[PACKAGE] = json.dumps(package_descriptor(created=now), ensure_ascii=False, indent=1).encode("utf-8")
    for name, content in files.items():
        _save(name, content)
    return {name: len(content) for name, content in files.items()}


def stored_path(name: str) -> str:
    """The storage name of an open data file; raises KeyError for a name that is not one."""
    FILES[name]
    return f"{FOLDER}/{name}"


def open_file(name: str):
    """An open data file from storage (built first if it never was): (file, media type)."""
    path = stored_path(name)
    if not default_storage.exists(path):
        build_open_data()
    return default_storage.open(path, "rb"), FILES[name]


def current_package() -> dict | None:
    """The published descriptor (its date and resources), or None before the first build."""
    path = f"{FOLDER}/{PACKAGE}"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return json.loads(handle.read())
