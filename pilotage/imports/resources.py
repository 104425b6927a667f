"""The import's django-import-export Resources: one per kind of row, with its columns, its row
checks, and the service that saves a row.

What the library does here: `Resource.import_data` walks the tablib Dataset row by row, cleans
each cell through its column's widget, gathers every cell's error by column, runs the row checks
(`validate_instance`), saves each row in its own savepoint inside one transaction, and rolls the
whole transaction back for the dry run or on any error.

What stays ours, and why:
- The widgets. The library's date, integer and foreign-key widgets answer in English, accept
  what we refuse (31/12/9999, two billion participants, formula text) and look a committee up by
  exact name with a query per row. Ours answer in French with the ranges of `atc.bounds`, store
  formula text through `atc.spreadsheets.neutralise`, and match names without case or accents
  against one query per file.
- Saving. A row is saved by the app's service, `pilotage.services.meeting_save` or
  `action_save`, the one the forms use, never by `instance.save()`: history, versions, the
  status log and everything else a form save does happen for imported rows too.
- The dry run checks without saving. The service runs once per row, at confirmation only, so
  that the preview of a 20,000-row file answers within a request. The row checks cover every
  rule the save meets (bounds, choices, the site's committees, minutes, duplicates).
- A plain Resource, not a ModelResource: the columns are the template's, not the model's fields,
  and ModelResource's reset of the table's id sequence after an import (meant for files that
  carry their own ids) could, racing another transaction's insert, hand out an id twice.
- Matching the file's header to the columns, and the line numbers of messages, are in
  `pilotage.imports.services`, which builds the Dataset this module reads.
"""

import datetime
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from atc import bounds
from atc.spreadsheets import neutralise
from diagnostics.models import Theme
from pilotage import services
from pilotage.imports import sheet_reader
from pilotage.models import ATTENDANCE_FIELDS, Action, Committee, Meeting, action_state_problems
from sites.models import OrganisationCategory, PartnerOrganisation

# An error message quotes at most this much of a cell: enough to find it, never the whole cell.
QUOTED_CHARS = 80
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
PARTNER_NAME_CHARS = PartnerOrganisation._meta.get_field("name").max_length


def normalise(text: str) -> str:
    """Lower-case letters and digits only, accents removed: « Participant·es État » matches."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if c.isalnum())


def display(value) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def quote(value) -> str:
    """A cell as an error message quotes it: one line, QUOTED_CHARS characters at most."""
    text = " ".join(display(value).split())
    return text if len(text) <= QUOTED_CHARS else text[: QUOTED_CHARS - 1] + "…"


# The template's example row starts its « intitulé » with this mark; the import skips such rows
# (and says so), so a file filled below the example imports as it is.
EXAMPLE_MARK = "[EXEMPLE]"


def is_example(title) -> bool:
    return isinstance(title, str) and title.strip().upper().startswith(EXAMPLE_MARK)


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Widgets: a cell's value to a Python value, or ValueError with the reason in French.


class Cell(widgets.Widget, ABC):
    """A cell of one column: an empty cell is `empty`, or refused if `required`; any other goes to
    `parse`, which each kind of cell defines. `labels` are the values a list column offers in the
    template; `render` writes a value as the preview shows it."""

    labels: tuple = ()
    missing = gettext_lazy("valeur obligatoire manquante : remplissez cette cellule.")

    def __init__(self, *, required: bool = False, empty=None):
        super().__init__()
        self.required = required
        self.empty = empty

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            if self.required:
                raise ValueError(str(self.missing))
            return self.empty
        return self.parse(value.strip() if isinstance(value, str) else value)

    @abstractmethod
    def parse(self, value):
        """The cell's value, or ValueError with the French reason."""

    def render(self, value, obj=None, **kwargs):
        return "—" if value is None or value == "" else display(value)


class Text(Cell):
    def __init__(self, max_length: int, *, required: bool = False):
        super().__init__(required=required, empty="")
        self.max_length = max_length

    def parse(self, value):
        text = neutralise(display(value).strip())
        if len(text) > self.max_length:
            # The reader cuts cells at MAX_CELL_CHARS: past it, the exact length is unknown.
            count = str(len(text)) if len(text) < sheet_reader.MAX_CELL_CHARS else f"{len(text) - 1}+"
            raise ValueError(
                _("le texte fait %(n)s caractères, %(max)s au plus : raccourcissez-le.")
                % {"n": count, "max": self.max_length}
            )
        return text


def _within(kind: str, value, text: str):
    if not bounds.within(kind, value):
        raise ValueError(_("« %(value)s » : %(rule)s") % {"value": text, "rule": bounds.RANGES[kind].message})
    return value


class Date(Cell):
    missing = gettext_lazy("date obligatoire manquante (JJ/MM/AAAA).")

    def parse(self, value):
        if isinstance(value, datetime.datetime | datetime.date):
            day = value.date() if isinstance(value, datetime.datetime) else value
            return _within("date", day, f"{day:%d/%m/%Y}")
        for fmt in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(str(value), fmt).date()
            except ValueError:
                continue
            return _within("date", day, str(value))
        raise ValueError(_("« %(value)s » n'est pas une date valide (JJ/MM/AAAA).") % {"value": quote(value)})


class Count(Cell):
    """A whole number within a range of `atc.bounds`."""

    def __init__(self, kind: str = "count", *, empty: int | None = 0):
        super().__init__(empty=empty)
        self.kind = kind

    def parse(self, value):
        text = display(value).replace("\u202f", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            raise ValueError(
                _("« %(value)s » n'est pas un nombre entier. %(rule)s")
                % {"value": quote(value), "rule": bounds.RANGES[self.kind].message}
            )
        return int(_within(self.kind, number, display(value)))


class Choice(Cell):
    """One of `choices`, by its label, its code, or one of the words people use for it in their
    own spreadsheets (`synonyms`: value → words, compared like labels)."""

    def __init__(
        self,
        choices: Iterable[tuple[str, str]],
        *,
        required: bool = False,
        empty: str = "",
        synonyms: dict[str, tuple[str, ...]] | None = None,
    ):
        super().__init__(required=required, empty=empty)
        self.choices = list(choices)
        self.labels = tuple(label for _value, label in self.choices)
        self.synonyms = synonyms or {}

    @cached_property
    def lookup(self) -> dict[str, str]:
        # Built on first use, not at import: the labels are translated then. A label or a code
        # wins over a synonym that happens to read the same.
        words = {normalise(word): value for value, said in self.synonyms.items() for word in said}
        return words | {normalise(key): value for value, label in self.choices for key in (value, label)}

    def also_accepted(self) -> str:
        """The synonyms, for the template's help: « Visio, Distanciel… »."""
        return ", ".join(word for said in self.synonyms.values() for word in said)

    @property
    def missing(self):
        return _("valeur obligatoire manquante (valeurs possibles : %(allowed)s).") % {
            "allowed": self.allowed()
        }

    def allowed(self) -> str:
        return ", ".join(str(label) for label in self.labels)

    def parse(self, value):
        chosen = self.lookup.get(normalise(value))
        if chosen is None:
            raise ValueError(
                _("« %(value)s » n'est pas une valeur possible (valeurs possibles : %(allowed)s).")
                % {"value": quote(value), "allowed": self.allowed()}
            )
        return chosen

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, "—"))


class Named(Cell):
    """A record named in the cell, among those `load` was given (by name, and code if any)."""

    def __init__(self, unknown, *, none_known=""):
        super().__init__()
        self.unknown = unknown
        self.none_known = none_known
        self.known: dict = {}
        self.listing = ""

    def load(self, records: Iterable, *keys: str) -> None:
        records = list(records)
        self.known = {normalise(getattr(r, key)): r for key in keys for r in records}
        self.listing = ", ".join(r.name for r in records) or str(self.none_known)

    def parse(self, value):
        record = self.known.get(normalise(value))
        if record is None:
            raise ValueError(self.unknown % {"value": quote(value), "known": self.listing})
        return record


class Names(Cell):
    """Names separated by `;` or line breaks, each once (without regard to case or accents)."""

    def __init__(self):
        super().__init__(empty=())

    def parse(self, value):
        names = {}
        for part in re.split(r"[;\n]", str(value)):
            name = neutralise(" ".join(part.split()))
            if len(name) > PARTNER_NAME_CHARS:
                raise ValueError(
                    _("un nom d'organisation dépasse %(max)s caractères : raccourcissez-le.")
                    % {"max": PARTNER_NAME_CHARS}
                )
            if name:
                names.setdefault(normalise(name), name)
        return tuple(names.values())

    def render(self, value, obj=None, **kwargs):
        return ", ".join(value) or "—"


class Column(fields.Field):
    """A column of the template: the French header people see, the widget that reads its cells,
    and the help the template and the import page give. In the Dataset a column is named by its
    key (`column_name`), the header having been matched already."""

    def __init__(self, key: str, header, widget: Cell, help=""):
        super().__init__(attribute=key, column_name=key, widget=widget)
        self.header = header
        self.help = help

    @property
    def key(self) -> str:
        return self.attribute

    @property
    def required(self) -> bool:
        return self.widget.required

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(str(label) for label in self.widget.labels)

    @property
    def full_help(self) -> str:
        """The help the import page and the template's help sheet give: the format, the values
        of a list column and the other words the import accepts for them."""
        text = str(self.help)
        if self.choices:
            text += " : " + ", ".join(self.choices)
            also = self.widget.also_accepted()
            if also:
                text += " " + _("(accepte aussi : %(words)s)") % {"words": also}
        return text


class SiteRowsResource(resources.Resource):
    """Rows of a file, each a new record of one site, saved through the app's service.

    A kind of row declares its columns and provides `check(instance)`, the (column key, reason)
    of each problem of a row whose cells are all readable; `key(instance)`, what makes two rows
    the same record; `recorded_already(instance)` and `repeated()`, the reasons a duplicate of a
    record of the site or of a line above is refused; `save(data)`, through the service; and
    `preview`, the keys of the columns the preview shows; `example()`, the template's example row
    by column key (its title starts with EXAMPLE_MARK).
    """

    class Meta:
        force_init_instance = True
        instance_loader_class = BaseInstanceLoader
        skip_diff = True
        use_transactions = True

    def __init__(self, *, site=None, user=None):
        super().__init__()
        self.site = site
        self.user = user
        # The data of each row that passes, by its number in the Dataset (from 1).
        self.accepted: dict[int, dict] = {}
        self.seen: set = set()
        self.existing: set = set()
        # Organisations the file names that the site does not know yet, in the order met.
        self.new_partners: dict[str, str] = {}

    def columns(self) -> list[Column]:
        return list(self.fields.values())

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """A row whose cells all read is checked as a whole (its rules, then duplicates); a row
        with an unreadable cell is reported for its cells only."""
        errors = dict(import_validation_errors or {})
        if not errors:
            problems = self.check(instance)
            key = self.key(instance)
            if key in self.existing:
                problems.append(("title", self.recorded_already(instance)))
            elif key in self.seen:
                problems.append(("title", self.repeated()))
            self.seen.add(key)
            for column, message in problems:
                errors.setdefault(column, []).append(message)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        data = {column.attribute: getattr(instance, column.attribute) for column in self.columns()}
        self.accepted[kwargs["row_number"]] = data
        if not self._is_dry_run(kwargs):
            self.save(data)


MEETING_KINDS = [(v, label) for v, label in Meeting.Kind.choices if v not in Meeting.NATIONAL_KINDS]

# The words people write in their own tables for the list columns' values (compared without case,
# accents, spaces or punctuation). Defined here only: the import reads them, the template's help
# sheet lists them.
MEETING_KIND_SYNONYMS = {
    Meeting.Kind.STEERING: ("COPIL", "Comité de pilotage", "Pilotage"),
    Meeting.Kind.PARTNERS_WORKSHOP: ("Atelier partenaires", "Atelier partenarial"),
    Meeting.Kind.RESIDENTS_WORKSHOP: ("Atelier habitants", "Atelier d'habitants", "Atelier habitant·es"),
    Meeting.Kind.WORKING_GROUP: ("GT", "Groupe thématique", "Commission"),
    Meeting.Kind.BILATERAL: ("Bilatérale", "Rendez-vous", "RDV", "Entretien"),
    Meeting.Kind.PUBLIC_EVENT: ("Événement", "Réunion publique", "Manifestation"),
}
MEETING_FORMAT_SYNONYMS = {
    Meeting.Format.IN_PERSON: ("Présentiel", "Sur place", "Physique"),
    Meeting.Format.VIDEO: ("Visio", "Visioconférence", "Distanciel", "À distance", "En ligne"),
    Meeting.Format.HYBRID: ("Mixte", "Présentiel et visio"),
}
MINUTES_STATUS_SYNONYMS = {
    Meeting.MinutesStatus.NONE: ("Aucun", "Non", "Pas de CR", "Sans compte rendu"),
    Meeting.MinutesStatus.DRAFT: ("En cours de rédaction", "À valider", "Provisoire"),
    Meeting.MinutesStatus.VALIDATED: ("Valide", "Oui", "Approuvé", "CR validé"),
}
ACTION_STATUS_SYNONYMS = {
    Action.Status.IDEA: ("Piste", "Projet"),
    Action.Status.PREPARATION: ("Préparation", "Prévue", "À venir", "En projet"),
    Action.Status.RUNNING: ("Démarrée", "En cours de réalisation", "Active"),
    Action.Status.DONE: ("Terminée", "Faite", "Fait", "Achevée", "Terminé"),
    Action.Status.ABANDONED: ("Annulée", "Arrêtée", "Abandonné"),
}


class MeetingResource(SiteRowsResource):
    preview = ("date", "kind", "title", "committee")
    date = Column("date", "date", Date(required=True), gettext_lazy("JJ/MM/AAAA"))
    kind = Column(
        "kind",
        "type",
        Choice(MEETING_KINDS, required=True, synonyms=MEETING_KIND_SYNONYMS),
        gettext_lazy("Une des valeurs de la liste"),
    )
    title = Column("title", "intitulé", Text(200, required=True), gettext_lazy("200 caractères au plus"))
    format = Column(
        "format",
        "format",
        Choice(Meeting.Format.choices, empty=Meeting.Format.IN_PERSON, synonyms=MEETING_FORMAT_SYNONYMS),
        gettext_lazy("En présentiel par défaut"),
    )
    committee = Column(
        "committee",
        "instance",
        Named(
            gettext_lazy(
                "« %(value)s » n'est pas une instance de ce site (instances : %(known)s). "
                "Créez-la d'abord ou corrigez le nom."
            ),
            none_known=gettext_lazy("aucune"),
        ),
        gettext_lazy("Nom d'une instance existante du site"),
    )
    location = Column("location", "lieu", Text(200), gettext_lazy("200 caractères au plus"))
    agenda = Column("agenda", "ordre du jour", Text(20_000), gettext_lazy("Texte libre"))
    minutes = Column("minutes", "compte rendu", Text(100_000), gettext_lazy("Texte libre"))
    minutes_status = Column(
        "minutes_status",
        "état du compte rendu",
        Choice(Meeting.MinutesStatus.choices, synonyms=MINUTES_STATUS_SYNONYMS),
        gettext_lazy("Déduit du compte rendu s'il est vide"),
    )

    class Meta:
        model = Meeting

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Then one column per attendance category.
        for category, name in ATTENDANCE_FIELDS.items():
            header = format_lazy("participant·es {}", OrganisationCategory(category).label)
            self.fields[name] = Column(name, header, Count(), gettext_lazy("Nombre entier, 0 si vide"))

    def example(self) -> dict[str, str]:
        counts = dict.fromkeys(ATTENDANCE_FIELDS.values(), "0")
        counts.update(list(dict.fromkeys(ATTENDANCE_FIELDS.values(), "2").items())[:3])
        return {
            "date": "15/03/2021",
            "kind": str(Meeting.Kind.WORKING_GROUP.label),
            "title": _("%(mark)s Groupe de travail aide alimentaire (ligne ignorée à l'import)")
            % {"mark": EXAMPLE_MARK},
            "format": str(Meeting.Format.IN_PERSON.label),
            "committee": "",
            "location": _("Centre social"),
            "agenda": _("Point sur le diagnostic ; calendrier de la distribution"),
            "minutes": "",
            "minutes_status": str(Meeting.MinutesStatus.NONE.label),
            **counts,
        }

    def init_instance(self, row=None):
        # Empty until read: an empty status is deduced from the minutes (`check`).
        return Meeting(site=self.site, minutes_status="")

    def before_import(self, dataset, **kwargs):
        self.fields["committee"].widget.load(Committee.objects.filter(site=self.site), "name")
        meetings = Meeting.objects.filter(site=self.site).values_list("date", "title", "kind")
        self.existing = {(day, normalise(title), kind) for day, title, kind in meetings}

    def key(self, instance):
        return (instance.date, normalise(instance.title), instance.kind)

    def check(self, instance):
        if instance.minutes and not instance.minutes_status:
            instance.minutes_status = Meeting.MinutesStatus.DRAFT
        instance.minutes_status = instance.minutes_status or Meeting.MinutesStatus.NONE
        if instance.minutes_status == Meeting.MinutesStatus.NONE or instance.minutes:
            return []
        reason = _(
            "« %(status)s » demande un compte rendu : remplissez la colonne « compte rendu » ou "
            "indiquez « Pas de compte rendu »."
        ) % {"status": Meeting.MinutesStatus(instance.minutes_status).label}
        return [("minutes_status", reason)]

    def recorded_already(self, instance):
        return _(
            "la réunion « %(title)s » du %(date)s existe déjà sur ce site : retirez la "
            "ligne pour ne pas la créer en double."
        ) % {"title": quote(instance.title), "date": f"{instance.date:%d/%m/%Y}"}

    def repeated(self):
        return _("cette réunion figure déjà plus haut dans le fichier (même date, type et intitulé).")

    def save(self, data):
        services.meeting_save(site=self.site, user=self.user, data=data)


class ActionResource(SiteRowsResource):
    preview = ("title", "theme", "status", "start_date", "end_date", "partner_names")
    title = Column("title", "intitulé", Text(200, required=True), gettext_lazy("200 caractères au plus"))
    description = Column("description", "description", Text(20_000), gettext_lazy("Texte libre"))
    theme = Column(
        "theme",
        "thématique",
        Named(gettext_lazy("« %(value)s » n'est pas une thématique connue (thématiques : %(known)s).")),
        gettext_lazy("Une thématique du catalogue national"),
    )
    status = Column(
        "status",
        "état",
        Choice(Action.Status.choices, empty=Action.Status.IDEA, synonyms=ACTION_STATUS_SYNONYMS),
        gettext_lazy("Idée par défaut"),
    )
    progress = Column(
        "progress", "avancement (%)", Count("percent", empty=None), gettext_lazy("Nombre entier de 0 à 100")
    )
    residents_reached = Column(
        "residents_reached", "habitant·es touché·es", Count(), gettext_lazy("Nombre entier")
    )
    start_date = Column("start_date", "début", Date(), gettext_lazy("JJ/MM/AAAA"))
    end_date = Column("end_date", "fin", Date(), gettext_lazy("JJ/MM/AAAA, après le début"))
    # Not `partners`: the names are read first; the organisations exist only once saved (`save`).
    partner_names = Column(
        "partner_names",
        "partenaires",
        Names(),
        gettext_lazy("Noms séparés par des points-virgules ; les noms inconnus sont créés."),
    )
    outcomes = Column("outcomes", "résultats", Text(20_000), gettext_lazy("Texte libre"))

    class Meta:
        model = Action

    def example(self) -> dict[str, str]:
        return {
            "title": _("%(mark)s Stock alimentaire partagé (ligne ignorée à l'import)")
            % {"mark": EXAMPLE_MARK},
            "description": _("Mutualiser le stock des deux épiceries solidaires du quartier"),
            "theme": "",
            "status": str(Action.Status.RUNNING.label),
            "progress": "40",
            "residents_reached": "25",
            "start_date": "01/02/2021",
            "end_date": "30/06/2021",
            "partner_names": _("Épicerie solidaire ; Centre social"),
            "outcomes": "",
        }

    def init_instance(self, row=None):
        # Empty until read: an empty progress is deduced from the status (`check`).
        action = Action(site=self.site, progress=None)
        action.partner_names = ()
        return action

    def before_import(self, dataset, **kwargs):
        self.fields["theme"].widget.load(Theme.objects.all(), "name", "code")
        # The site's organisations by name; `_partner` adds those the import creates.
        self.partners = {normalise(p.name): p for p in PartnerOrganisation.objects.filter(site=self.site)}
        self.existing = {
            normalise(t) for t in Action.objects.filter(site=self.site).values_list("title", flat=True)
        }

    def key(self, instance):
        return normalise(instance.title)

    def check(self, instance):
        if instance.progress is None:
            instance.progress = 100 if instance.status == Action.Status.DONE else 0
        problems = [
            (field, str(message))
            for field, message in action_state_problems(
                status=instance.status,
                progress=instance.progress,
                end_date=instance.end_date,
                today=timezone.localdate(),
            )
        ]
        start, end = instance.start_date, instance.end_date
        if start and end and end < start:
            reason = _("« %(end)s » est avant la date de début (%(start)s) : corrigez l'une des deux.") % {
                "end": f"{end:%d/%m/%Y}",
                "start": f"{start:%d/%m/%Y}",
            }
            problems.append(("end_date", reason))
        return problems

    def recorded_already(self, instance):
        return _(
            "l'action « %(title)s » existe déjà sur ce site : retirez la ligne pour ne pas la "
            "créer en double."
        ) % {"title": quote(instance.title)}

    def repeated(self):
        return _("cette action figure déjà plus haut dans le fichier.")

    def save_instance(self, instance, is_create, row, **kwargs):
        for name in instance.partner_names:
            if normalise(name) not in self.partners:
                self.new_partners.setdefault(normalise(name), name)
        super().save_instance(instance, is_create, row, **kwargs)

    def save(self, data):
        partners = [self._partner(name) for name in data["partner_names"]]
        services.action_save(site=self.site, user=self.user, data={**data, "partners": partners})

    def _partner(self, name: str) -> PartnerOrganisation:
        """The site's organisation of this name; one the site does not know yet is created in the
        category « Autre » (the preview listed it)."""
        key = normalise(name)
        if key not in self.partners:
            self.partners[key] = PartnerOrganisation.objects.create(
                site=self.site, name=name, category=OrganisationCategory.OTHER
            )
        return self.partners[key]
