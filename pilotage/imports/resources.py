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
- No sequence reset after the import (`after_import`): ModelResource resets the table's id
  sequence for imports that carry their own ids; ours take ids from the sequence, and a reset
  racing another transaction's insert could hand out an id twice.
- Matching the file's header to the columns, and the line numbers of messages, are in
  `pilotage.imports.services`, which builds the Dataset this module reads.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from atc import bounds
from atc.spreadsheets import neutralise
from diagnostics.models import Theme
from pilotage import services
from pilotage.imports import sheet_reader
from pilotage.models import ATTENDANCE_FIELDS, Action, Committee, Meeting
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


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Widgets: a cell's value to a Python value, or ValueError with the reason in French.


class Cell(widgets.Widget):
    """A cell of one column; `labels` are the values a list column offers in the template."""

    labels: tuple = ()

    def __init__(self, *, required: bool = False):
        super().__init__()
        self.required = required


class Text(Cell):
    def __init__(self, max_length: int, *, required: bool = False):
        super().__init__(required=required)
        self.max_length = max_length

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else display(value).strip()
        if not text:
            if self.required:
                raise ValueError(_("valeur obligatoire manquante : remplissez cette cellule."))
            return ""
        text = neutralise(text)
        if len(text) > self.max_length:
            # The reader cuts cells at MAX_CELL_CHARS: past it, the exact length is unknown.
            count = str(len(text)) if len(text) < sheet_reader.MAX_CELL_CHARS else f"{len(text) - 1}+"
            raise ValueError(
                _("le texte fait %(n)s caractères, %(max)s au plus : raccourcissez-le.")
                % {"n": count, "max": self.max_length}
            )
        return text


def _out_of_range(value: str, kind: str) -> ValueError:
    return ValueError(_("« %(value)s » : %(rule)s") % {"value": value, "rule": bounds.RANGES[kind].message})


class Date(Cell):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            if not bounds.within("date", value):
                raise _out_of_range(f"{value:%d/%m/%Y}", "date")
            return value
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                raise ValueError(_("date obligatoire manquante (JJ/MM/AAAA)."))
            return None
        for fmt in DATE_FORMATS:
            try:
                day = datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if not bounds.within("date", day):
                raise _out_of_range(text, "date")
            return day
        raise ValueError(_("« %(value)s » n'est pas une date valide (JJ/MM/AAAA).") % {"value": quote(text)})


class Count(Cell):
    """A whole number within a range of `atc.bounds`; `empty` for an empty cell."""

    def __init__(self, kind: str = "count", *, empty: int | None = 0):
        super().__init__()
        self.kind = kind
        self.empty = empty

    def clean(self, value, row=None, **kwargs):
        if _blank(value):
            return self.empty
        text = display(value).strip().replace("\u202f", "").replace(" ", "")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or number != number.to_integral_value():
            raise ValueError(
                _("« %(value)s » n'est pas un nombre entier. %(rule)s")
                % {"value": quote(value), "rule": bounds.RANGES[self.kind].message}
            )
        if not bounds.within(self.kind, number):
            raise _out_of_range(display(value).strip(), self.kind)
        return int(number)


class Choice(Cell):
    """One of `choices`, by its label or its code; `empty` for an empty cell."""

    def __init__(self, choices: Iterable[tuple[str, str]], *, required: bool = False, empty: str = ""):
        super().__init__(required=required)
        self.choices = list(choices)
        self.labels = tuple(label for _value, label in self.choices)
        self.empty = empty

    @cached_property
    def lookup(self) -> dict[str, str]:
        # Built on first use, not at import: the labels are translated then.
        return {normalise(key): value for value, label in self.choices for key in (value, label)}

    def allowed(self) -> str:
        return ", ".join(str(label) for label in self.labels)

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            if self.required:
                raise ValueError(
                    _("valeur obligatoire manquante (valeurs possibles : %(allowed)s).")
                    % {"allowed": self.allowed()}
                )
            return self.empty
        chosen = self.lookup.get(normalise(text))
        if chosen is None:
            raise ValueError(
                _("« %(value)s » n'est pas une valeur possible (valeurs possibles : %(allowed)s).")
                % {"value": quote(text), "allowed": self.allowed()}
            )
        return chosen


class Named(Cell):
    """A record named in the cell, among those `load` was given (names, and codes if any)."""

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

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        record = self.known.get(normalise(text))
        if record is None:
            raise ValueError(self.unknown % {"value": quote(text), "known": self.listing})
        return record


class Names(Cell):
    """Names separated by `;` or line breaks, each once (without regard to case or accents)."""

    def clean(self, value, row=None, **kwargs):
        names = {}
        for part in re.split(r"[;\n]", "" if value is None else str(value)):
            name = neutralise(" ".join(part.split()))
            if len(name) > PARTNER_NAME_CHARS:
                raise ValueError(
                    _("un nom d'organisation dépasse %(max)s caractères : raccourcissez-le.")
                    % {"max": PARTNER_NAME_CHARS}
                )
            if name:
                names.setdefault(normalise(name), name)
        return list(names.values())


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


class SiteRowsResource(resources.ModelResource):
    """Rows of a file, each a new record of one site, saved through the app's service."""

    class Meta:
        force_init_instance = True
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

    @classmethod
    def columns(cls) -> list[Column]:
        return [cls.fields[name] for name in cls._meta.fields]

    def init_instance(self, row=None):
        return self._meta.model(site=self.site)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """A row's checks once its cells are read; the first problem of a row stops it."""
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

    def check(self, instance) -> list[tuple[str, str]]:
        """(column key, reason) of each problem of a row whose cells are all readable."""
        raise NotImplementedError

    def key(self, instance):
        """What makes two rows the same record: a row whose key the site or a line above has is
        refused as a duplicate."""
        raise NotImplementedError

    def recorded_already(self, instance) -> str:
        raise NotImplementedError

    def repeated(self) -> str:
        raise NotImplementedError

    def save_instance(self, instance, is_create, row, **kwargs):
        data = {column.attribute: getattr(instance, column.attribute) for column in self.columns()}
        self.accepted[kwargs["row_number"]] = data
        if not self._is_dry_run(kwargs):
            self.save(data)

    def save(self, data: dict) -> None:
        raise NotImplementedError

    @classmethod
    def preview_headers(cls) -> list[str]:
        """The preview table's headers, after the line number."""
        raise NotImplementedError

    @classmethod
    def preview_cells(cls, data: dict) -> list[str]:
        """One accepted row in the preview table, as text."""
        raise NotImplementedError

    def after_import(self, dataset, result, **kwargs):
        """Nothing: the ids come from the sequence (see the module's docstring)."""


MEETING_KINDS = [(v, label) for v, label in Meeting.Kind.choices if v not in Meeting.NATIONAL_KINDS]
CATEGORY_OF_ATTENDANCE = {name: category for category, name in ATTENDANCE_FIELDS.items()}


class MeetingResource(SiteRowsResource):
    date = Column("date", "date", Date(required=True), gettext_lazy("JJ/MM/AAAA"))
    kind = Column(
        "kind", "type", Choice(MEETING_KINDS, required=True), gettext_lazy("Une des valeurs de la liste")
    )
    title = Column("title", "intitulé", Text(200, required=True), gettext_lazy("200 caractères au plus"))
    format = Column(
        "format",
        "format",
        Choice(Meeting.Format.choices, empty=Meeting.Format.IN_PERSON),
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
        Choice(Meeting.MinutesStatus.choices),
        gettext_lazy("Déduit du compte rendu s'il est vide"),
    )

    class Meta:
        model = Meeting
        fields = (
            "date",
            "kind",
            "title",
            "format",
            "committee",
            "location",
            "agenda",
            "minutes",
            "minutes_status",
            *ATTENDANCE_FIELDS.values(),
        )

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        """The attendance columns, one per category: the fields not declared above."""
        category = OrganisationCategory(CATEGORY_OF_ATTENDANCE[field_name])
        return Column(
            field_name,
            format_lazy("participant·es {}", category.label),
            Count(),
            gettext_lazy("Nombre entier, 0 si vide"),
        )

    def init_instance(self, row=None):
        # Empty until read: an empty status is deduced from the minutes (`check`).
        return Meeting(site=self.site, minutes_status="")

    def before_import(self, dataset, **kwargs):
        self.fields["committee"].widget.load(Committee.objects.filter(site=self.site), "name")
        self.existing = {
            (day, normalise(title), kind)
            for day, title, kind in Meeting.objects.filter(site=self.site).values_list(
                "date", "title", "kind"
            )
        }

    def key(self, instance):
        return (instance.date, normalise(instance.title), instance.kind)

    def check(self, instance):
        if instance.minutes and not instance.minutes_status:
            instance.minutes_status = Meeting.MinutesStatus.DRAFT
        instance.minutes_status = instance.minutes_status or Meeting.MinutesStatus.NONE
        problems = []
        if instance.minutes_status != Meeting.MinutesStatus.NONE and not instance.minutes:
            problems.append(
                (
                    "minutes_status",
                    _(
                        "« %(status)s » demande un compte rendu : remplissez la colonne « compte "
                        "rendu » ou indiquez « Pas de compte rendu »."
                    )
                    % {"status": Meeting.MinutesStatus(instance.minutes_status).label},
                )
            )
        return problems

    def recorded_already(self, instance):
        return _(
            "la réunion « %(title)s » du %(date)s existe déjà sur ce site : retirez la "
            "ligne pour ne pas la créer en double."
        ) % {"title": quote(instance.title), "date": f"{instance.date:%d/%m/%Y}"}

    def repeated(self):
        return _("cette réunion figure déjà plus haut dans le fichier (même date, type et intitulé).")

    def save(self, data):
        services.meeting_save(site=self.site, user=self.user, data=data)

    @classmethod
    def preview_headers(cls):
        return [_("Date"), _("Type"), _("Intitulé"), _("Instance"), _("Participant·es")]

    @classmethod
    def preview_cells(cls, data):
        return [
            f"{data['date']:%d/%m/%Y}",
            str(Meeting.Kind(data["kind"]).label),
            data["title"],
            data["committee"].name if data["committee"] else "—",
            str(sum(data[name] for name in ATTENDANCE_FIELDS.values())),
        ]


class ActionResource(SiteRowsResource):
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
        Choice(Action.Status.choices, empty=Action.Status.IDEA),
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
        fields = (
            "title",
            "description",
            "theme",
            "status",
            "progress",
            "residents_reached",
            "start_date",
            "end_date",
            "partner_names",
            "outcomes",
        )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.partners: dict[str, PartnerOrganisation] = {}

    def init_instance(self, row=None):
        # Empty until read: an empty progress is deduced from the status (`check`).
        action = Action(site=self.site, progress=None)
        action.partner_names = []
        return action

    def before_import(self, dataset, **kwargs):
        self.fields["theme"].widget.load(Theme.objects.all(), "name", "code")
        self.partners = {normalise(p.name): p for p in PartnerOrganisation.objects.filter(site=self.site)}
        self.existing = {
            normalise(t) for t in Action.objects.filter(site=self.site).values_list("title", flat=True)
        }

    def key(self, instance):
        return normalise(instance.title)

    def check(self, instance):
        problems = []
        start, end = instance.start_date, instance.end_date
        if start and end and end < start:
            problems.append(
                (
                    "end_date",
                    _("« %(end)s » est avant la date de début (%(start)s) : corrigez l'une des deux.")
                    % {"end": f"{end:%d/%m/%Y}", "start": f"{start:%d/%m/%Y}"},
                )
            )
        if instance.progress is None:
            instance.progress = 100 if instance.status == Action.Status.DONE else 0
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

    @classmethod
    def preview_headers(cls):
        return [_("Intitulé"), _("Thématique"), _("État"), _("Début"), _("Fin"), _("Partenaires")]

    @classmethod
    def preview_cells(cls, data):
        return [
            data["title"],
            data["theme"].name if data["theme"] else "—",
            str(Action.Status(data["status"]).label),
            f"{data['start_date']:%d/%m/%Y}" if data["start_date"] else "—",
            f"{data['end_date']:%d/%m/%Y}" if data["end_date"] else "—",
            ", ".join(data["partner_names"]) or "—",
        ]

    def _partner(self, name: str) -> PartnerOrganisation:
        """The site's organisation of this name; one the site does not know yet is created in the
        category « Autre » (the preview listed it)."""
        key = normalise(name)
        if key not in self.partners:
            self.partners[key] = PartnerOrganisation.objects.create(
                site=self.site, name=name, category=OrganisationCategory.OTHER
            )
        return self.partners[key]
