"""Demo data: the 15 real sites filled with realistic, deterministic content (Sept. 2019 – Dec. 2021).

The content follows the interim evaluation of December 2020 (seed 004) and the Grand Atelier
synthesis (seed 001): 0.4 to 1.5 FTE of facilitation per site (mean 0.8), 0 to 8 steering meetings
per site by the end of September 2020 (mean 3), the flash survey's 30 recipients and 17 answers,
the named actions (shared food stock, exhibition, summer workshops, joint training, street family
activities). People are fictional; institutions are named after the real public bodies.

What is decided by hand (accounts, site profiles, catalogues of findings and actions, the national
committee…) is data, in `sites/data/demo/*.json`; this module reads it and plans the rest. Everything
is planned from seeded generators, independently of what the database holds, then written by
natural key: a second run finds every row and creates nothing.
"""

import datetime as dt
import io
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from atc.models import Role, User
from atc.periods import next_quarter, quarter_as_period, quarter_of
from diagnostics.models import Assessment, AssessmentItem, Diagnostic, Finding, Theme
from evaluation.figures.aggregates import rebuild_all_stats
from evaluation.models import (
    Campaign,
    CampaignRecipient,
    ExperienceSheet,
    Indicator,
    IndicatorValue,
    LogbookEntry,
    Questionnaire,
    ShowcaseFile,
    SiteShowcase,
)
from evaluation.showcase import services as showcase_services
from pilotage.models import (
    ATTENDANCE_FIELDS,
    Action,
    ActionStatusChange,
    Attachment,
    AvoidedCostClaim,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingParticipant,
)
from pilotage.services import attachment_create
from sites.models import (
    ContextEvent,
    FacilitatorAssignment,
    HostOrganisation,
    Network,
    PartnerOrganisation,
    PriorityModel,
    Scheme,
    Site,
)
from sites.models import OrganisationCategory as Cat

D = dt.date
DEFAULT_PASSWORD = "demo-atc-2021!"
# The facilitators' logbook was filled in September 2020: the interim figures are read on this day.
REFERENCE_DATE = D(2020, 9, 30)
LAST_DAY = D(2021, 12, 15)

Status = Action.Status
Fmt = Meeting.Format
Kind = Meeting.Kind
Pos = FacilitatorAssignment.Position
Contract = FacilitatorAssignment.ContractType
Support = Site.InstitutionalSupport
Config = Site.Configuration

# --- The data, read from sites/data/demo/ -------------------------------------------------------
# UTF-8 JSON files, one per concern. Dates are ISO strings, decimals are strings (exact), and every
# choice is its stored value, read back through its Choices class so that a typo fails at import.

DATA_DIR = Path(__file__).resolve().parent / "data" / "demo"


def _read(name: str):
    with open(DATA_DIR / f"{name}.json", encoding="utf-8") as file:
        return json.load(file)


def _date(text: str | None) -> dt.date | None:
    return None if text is None else D.fromisoformat(text)


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


ACCOUNTS = [
    (a["email"], a["first_name"], a["last_name"], Role.Kind(a["role"]), tuple(a["sites"]), a["network"])
    for a in _read("accounts")
]

_people = _read("people")
FIRST_NAMES_F = _people["first_names_women"]
FIRST_NAMES_M = _people["first_names_men"]
LAST_NAMES = _people["last_names"]
# Seat titles by category, (masculine, feminine).
TITLES = {Cat(category): tuple(titles) for category, titles in _people["titles_by_category"].items()}
# Titles of the seats that are not told apart by their category alone.
SEAT_TITLES = {seat: tuple(titles) for seat, titles in _people["titles_by_seat"].items()}

_institutions = _read("institutions")
DEPARTEMENTS = {code: tuple(names) for code, names in _institutions["departements"].items()}
HOST_KINDS = {network: HostOrganisation.Kind(kind) for network, kind in _institutions["host_kinds"].items()}


@dataclass(frozen=True)
class Profile:
    """What is decided by hand for a site; everything else is drawn from its seeded generator."""

    host: str
    config: str
    support: str
    models: tuple[str, ...]
    schemes: tuple[str, ...]
    # (person, position, FTE, contract, start, end)
    facilitators: tuple[tuple, ...]
    steering_by_reference: int
    steering_later: int
    first_steering: dt.date
    diagnostic_date: dt.date
    themes: tuple[str, ...]
    city_hall: str
    interco: str
    landlord: str
    business: str
    associations: tuple[str, ...]
    steering_name: str = ""
    second_body: str = ""
    associations_in_steering: bool = True
    council_in_steering: bool = False
    residents_in_steering: bool = False
    residents_assessed: bool = False
    working_groups: tuple[str, ...] = ()
    project_team: str = ""
    extra_partners: tuple[tuple[str, str], ...] = ()
    action_count: int = 6

    @classmethod
    def from_data(cls, row: dict) -> "Profile":
        lists = ("models", "schemes", "themes", "associations", "working_groups")
        return cls(
            **{
                **row,
                **{name: tuple(row[name]) for name in lists if name in row},
                "config": Config(row["config"]),
                "support": Support(row["support"]),
                "facilitators": tuple(
                    (
                        f["name"],
                        Pos(f["position"]),
                        _decimal(f["fte"]),
                        Contract(f["contract"]),
                        _date(f["start"]),
                        _date(f["end"]),
                    )
                    for f in row["facilitators"]
                ),
                "first_steering": _date(row["first_steering"]),
                "diagnostic_date": _date(row["diagnostic_date"]),
                "extra_partners": tuple(
                    (name, Cat(category)) for name, category in row.get("extra_partners", ())
                ),
            }
        )


PROFILES = {slug: Profile.from_data(row) for slug, row in _read("sites").items()}


def _events(rows: list[dict]) -> list[tuple]:
    return [(ContextEvent.Kind(e["kind"]), e["title"], _date(e["start"]), _date(e["end"])) for e in rows]


_context = _read("context")
NATIONAL_EVENTS = _events(_context["national_events"])
LOCAL_EVENTS = {slug: _events(rows) for slug, rows in _context["local_events"].items()}
# Meetings held during the national lockdowns are held by video.
LOCKDOWNS = [
    (start, end) for kind, _title, start, end in NATIONAL_EVENTS if kind == ContextEvent.Kind.LOCKDOWN
]

# Catalogues of findings and actions by theme.
_catalogue = _read("catalogue")
FINDINGS = _catalogue["findings"]
ACTIONS = {
    theme: [(a["title"], a["description"]) for a in rows] for theme, rows in _catalogue["actions"].items()
}
# Named actions of the interim evaluation, placed on the sites where the models fit.
# (title, theme, description, outcomes, partners (names), residents, timeline)
SIGNATURE_ACTIONS = {
    slug: [
        (
            a["title"],
            a["theme"],
            a["description"],
            a["outcomes"],
            tuple(a["partners"]),
            a["residents"],
            tuple((Status(status), _date(day)) for status, day in a["timeline"]),
        )
        for a in rows
    ]
    for slug, rows in _catalogue["signature_actions"].items()
}

_steering = _read("steering")
# The avoided costs, the published sheet and Marseille's public page (issue 18).
SHOWCASE = _read("showcase")
STEERING_DECISIONS = _steering["decisions"]
AGENDAS = _steering["agendas"]

# By phase: (what happened, difficulties, lessons, next steps).
LOGBOOK = {
    phase: (entry["happened"], entry["difficulties"], entry["lessons"], entry["next_steps"])
    for phase, entry in _read("logbook").items()
}

_indicators = _read("indicators")
INDICATORS = [
    (
        i["code"],
        i["name"],
        i["description"],
        i["unit"],
        Indicator.Source(i["source"]),
        i["computation"],
        _decimal(i["target"]),
        i.get("decimal_places", 0),
    )
    for i in _indicators["indicators"]
]
# Sites that entered their indicator values (the others left them blank).
INDICATOR_SITES = tuple(_indicators["sites_entering_values"])

# The flash survey of September 2020: recipients per site, with the functions that answered.
_survey = _read("survey")
SURVEY_TITLE = _survey["title"]
SURVEY_RECIPIENTS = {slug: tuple(functions) for slug, functions in _survey["recipients"].items()}
SURVEY_RESPONDENTS = {slug: tuple(functions) for slug, functions in _survey["respondents"].items()}

_national = _read("national")
NATIONAL_COMMITTEE = _national["committee"]
NATIONAL_MEMBERS = [
    (m["organisation"], m["person"], m["title"], Cat(m["category"])) for m in _national["members"]
]
NATIONAL_MEETINGS = [
    (_date(m["date"]), Fmt(m["format"]), m["title"], tuple(m["decisions"])) for m in _national["meetings"]
]
GRAND_ATELIER_SYNTHESIS = "\n\n".join(_national["grand_atelier_synthesis"])


# --- Helpers ------------------------------------------------------------------------------------


def _in_lockdown(day: dt.date) -> bool:
    return any(start <= day <= end for start, end in LOCKDOWNS)


def _weekday(day: dt.date) -> dt.date:
    """Meetings fall on working days: a weekend date moves back to the Friday."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def _spread(rng: random.Random, first: dt.date, last: dt.date, count: int) -> list[dt.date]:
    """`count` increasing working days from `first` to `last`, roughly evenly spaced."""
    if count <= 0:
        return []
    if count == 1:
        return [_weekday(first)]
    step = (last - first).days / (count - 1)
    days: list[dt.date] = []
    for index in range(count):
        jitter = rng.uniform(-step / 4, step / 4) if 0 < index < count - 1 else 0
        day = _weekday(first + dt.timedelta(days=round(index * step + jitter)))
        if days and day <= days[-1]:
            day = days[-1] + dt.timedelta(days=1 if days[-1].weekday() < 4 else 3)
        days.append(day)
    return days


def _format(rng: random.Random, day: dt.date) -> str:
    if _in_lockdown(day):
        return Fmt.VIDEO
    if D(2020, 11, 1) <= day <= D(2021, 6, 30):
        return rng.choice([Fmt.VIDEO, Fmt.HYBRID, Fmt.HYBRID])
    return rng.choice([Fmt.IN_PERSON] * 4 + [Fmt.HYBRID])


def _phase(day: dt.date, diagnostic: dt.date) -> str:
    if _in_lockdown(day):
        return "lockdown"
    if day < diagnostic - dt.timedelta(days=60):
        return "launch"
    if day <= diagnostic + dt.timedelta(days=30):
        return "diagnostic"
    return "closing" if day >= D(2021, 10, 1) else "actions"


def _quarters(start: dt.date, end: dt.date):
    """(first day, last day) of each calendar quarter from the one holding `start` to `end`."""
    quarter = quarter_of(start)
    while quarter <= end:
        yield quarter, quarter_as_period(quarter).end
        quarter = next_quarter(quarter)


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _person(rng: random.Random) -> tuple[str, bool]:
    """A fictional name and whether the person is a woman (for the seat's title)."""
    woman = rng.random() < 0.55
    first = rng.choice(FIRST_NAMES_F if woman else FIRST_NAMES_M)
    return f"{first} {rng.choice(LAST_NAMES)}", woman


@dataclass
class MeetingPlan:
    meeting: Meeting
    roster: list[tuple[int, str]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    organisations: list[int] = field(default_factory=list)

    @property
    def key(self):
        m = self.meeting
        return (m.site_id, m.kind, m.title, m.date)


@dataclass
class DemoSummary:
    """Rows created by this run and rows present afterwards, by model."""

    created: Counter
    totals: dict[str, int]
    password_set: bool

    def lines(self) -> list[str]:
        created = sum(self.created.values())
        lines = [
            "Données de démonstration chargées : "
            + (f"{created} lignes créées." if created else "rien à créer, tout était déjà là."),
        ]
        lines += [f"  {label} : {count}" for label, count in self.totals.items()]
        if self.password_set:
            lines.append("Mot de passe des 6 comptes de démonstration défini.")
        return lines


# --- The loader -----------------------------------------------------------------------------------


class _Loader:
    def __init__(self, password: str | None):
        self.password = password
        self.created: Counter = Counter()
        self.password_set = False
        self.sites = {s.slug: s for s in Site.objects.filter(slug__in=PROFILES).select_related("network")}
        missing = sorted(set(PROFILES) - set(self.sites))
        if missing:
            raise DemoError("Sites de référence absents (appliquez les migrations) : " + ", ".join(missing))
        self.themes = {t.code: t for t in Theme.objects.all()}
        self.items = list(AssessmentItem.objects.all())
        self.partners: dict[str, dict[str, tuple[int, str]]] = {}
        self.meetings: dict[str, list[MeetingPlan]] = defaultdict(list)
        self.steering: dict[str, list[MeetingPlan]] = defaultdict(list)
        self.national_meetings: list[MeetingPlan] = []
        self.findings: dict[str, list[tuple[int, str]]] = {}
        self.actions: dict[str, list[tuple[int, list[dt.date]]]] = defaultdict(list)

    def rng(self, *parts) -> random.Random:
        # A generator per site and concern: changing one part of the plan leaves the others alone.
        return random.Random(":".join(str(p) for p in ("atc-demo", *parts)))

    def ensure(self, model, objects: list, key: tuple[str, ...]) -> dict[tuple, int]:
        """Insert the planned objects whose natural key is absent; return every key's pk."""
        existing = {tuple(row[1:]): row[0] for row in model.objects.values_list("pk", *key)}
        missing, seen = [], set()
        for obj in objects:
            k = tuple(getattr(obj, name) for name in key)
            if k not in existing and k not in seen:
                seen.add(k)
                missing.append(obj)
        if missing:
            model.objects.bulk_create(missing, batch_size=500)
            self.created[model._meta.label] += len(missing)
            existing = {tuple(row[1:]): row[0] for row in model.objects.values_list("pk", *key)}
        return existing

    def link(self, through, pairs: set[tuple[int, int]], left: str, right: str) -> None:
        """Add many-to-many links; existing ones are left as they are."""
        before = through.objects.count()
        through.objects.bulk_create(
            [through(**{left: a, right: b}) for a, b in sorted(pairs)],
            ignore_conflicts=True,
            batch_size=500,
        )
        self.created[through._meta.label] += through.objects.count() - before

    # --- steps, in dependency order ---

    def run(self) -> DemoSummary:
        self.accounts()
        self.context_events()
        self.site_fields()
        self.facilitators()
        self.partner_organisations()
        self.committees()
        self.site_meetings()
        self.national()
        self.diagnostics()
        self.assessments()
        self.site_actions()
        self.write_meetings()
        self.write_actions()
        self.backdate_entries()
        self.logbook()
        self.indicators()
        self.survey()
        self.avoided_costs()
        self.experience_sheet()
        self.public_page()
        return DemoSummary(self.created, self.totals(), self.password_set)

    def backdate_entries(self) -> None:
        """Rows get `created_at = now` on insert; the demo's history is 2019–2021, so actions are
        dated by their first status change, as if logged then (an action without a start date
        counts in the quarter it was entered)."""
        first_change = (
            ActionStatusChange.objects.filter(action=OuterRef("pk"))
            .order_by("changed_at")
            .values("changed_at")[:1]
        )
        Action.objects.filter(site__isnull=False, created_at__gt=_moment(D(2022, 1, 1))).exclude(
            status_changes=None
        ).update(created_at=Subquery(first_change))

    def accounts(self) -> None:
        if self.password is not None:
            try:
                validate_password(self.password)
            except ValidationError as exc:
                raise DemoError("Mot de passe refusé : " + " ".join(exc.messages)) from exc
        networks = {n.code: n for n in Network.objects.all()}
        self.users = {}
        for email, first, last, kind, slugs, network in ACCOUNTS:
            is_admin = kind == Role.Kind.ADMIN
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, first_name=first, last_name=last)
                user.is_staff = user.is_superuser = is_admin
                user.set_password(self.password or DEFAULT_PASSWORD)
                user.save()
                self.created[User._meta.label] += 1
                self.password_set = True
            elif self.password is not None:
                user.set_password(self.password)
                user.save(update_fields=["password"])
                self.password_set = True
            address, made = EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            self.created[EmailAddress._meta.label] += made
            if not address.verified:
                address.verified = True
                address.save(update_fields=["verified"])
            role, made = Role.objects.get_or_create(
                user=user,
                kind=kind,
                defaults={"start_date": D(2019, 9, 2), "network": networks.get(network)},
            )
            self.created[Role._meta.label] += made
            if slugs:
                role.sites.add(*(self.sites[s] for s in slugs))
            self.users[kind] = user
        self.author = self.users[Role.Kind.FACILITATOR]

    def author_for(self, slug: str):
        """Rows of Marseille are entered by the demo facilitator; the others by nobody in particular."""
        return self.author if slug == "marseille" else None

    def context_events(self) -> None:
        events = [
            ContextEvent(site=None, kind=k, title=t, start_date=s, end_date=e)
            for k, t, s, e in NATIONAL_EVENTS
        ]
        for slug, rows in LOCAL_EVENTS.items():
            events += [
                ContextEvent(site=self.sites[slug], kind=k, title=t, start_date=s, end_date=e)
                for k, t, s, e in rows
            ]
        self.ensure(ContextEvent, events, ("site_id", "kind", "title", "start_date"))

    def site_fields(self) -> None:
        hosts = [
            HostOrganisation(
                name=p.host,
                kind=HOST_KINDS[self.sites[slug].network.code],
                network=self.sites[slug].network,
                city=self.sites[slug].city,
            )
            for slug, p in PROFILES.items()
        ]
        host_ids = self.ensure(HostOrganisation, hosts, ("name", "city"))
        models_by_code = {m.code: m for m in PriorityModel.objects.all()}
        schemes_by_code = {s.code: s for s in Scheme.objects.all()}
        for slug, profile in PROFILES.items():
            site = self.sites[slug]
            wanted = {
                "host_id": host_ids[(profile.host, site.city)],
                "institutional_support": profile.support,
                "start_date": min(f[4] for f in profile.facilitators),
            }
            changed = [name for name, value in wanted.items() if getattr(site, name) != value]
            if changed:
                for name in changed:
                    setattr(site, name, wanted[name])
                site.save(update_fields=changed)
            site.priority_models.add(*(models_by_code[c] for c in profile.models))
            site.other_schemes.add(*(schemes_by_code[c] for c in profile.schemes))

    def facilitators(self) -> None:
        rows = []
        for slug, profile in PROFILES.items():
            for name, position, fte, contract, start, end in profile.facilitators:
                user = self.author if name == self.author.get_full_name() else None
                rows.append(
                    FacilitatorAssignment(
                        site=self.sites[slug],
                        person_name=name,
                        user=user,
                        position=position,
                        fte=fte,
                        contract_type=contract,
                        start_date=start,
                        end_date=end,
                    )
                )
        self.ensure(FacilitatorAssignment, rows, ("site_id", "person_name", "start_date"))

    def partner_list(self, slug: str) -> list[tuple[str, str]]:
        profile, site = PROFILES[slug], self.sites[slug]
        prefecture, departement = DEPARTEMENTS[site.departement_code]
        label = self.label(slug)
        partners = [
            (prefecture, Cat.STATE),
            (profile.city_hall, Cat.LOCAL_AUTHORITY),
            (profile.interco, Cat.LOCAL_AUTHORITY),
            (departement, Cat.LOCAL_AUTHORITY),
            (profile.landlord, Cat.LANDLORD),
            (profile.host, Cat.ASSOCIATION),
            *((name, Cat.ASSOCIATION) for name in profile.associations),
            (profile.business, Cat.BUSINESS),
            (f"Collectif d'habitant·es {label}", Cat.RESIDENTS),
            (f"Conseil citoyen {label}", Cat.CITIZENS_COUNCIL),
            *profile.extra_partners,
        ]
        optional = [
            (f"Collège du quartier {label}", Cat.STATE),
            (f"Caisse d'allocations familiales – antenne {site.city}", Cat.OTHER),
        ]
        room = 15 - len(partners)
        return partners + optional[: max(0, min(room, self.rng(slug, "partners").randint(0, 2)))]

    def partner_organisations(self) -> None:
        rows = [
            PartnerOrganisation(site=self.sites[slug], name=name, category=category)
            for slug in PROFILES
            for name, category in self.partner_list(slug)
        ]
        ids = self.ensure(PartnerOrganisation, rows, ("site_id", "name"))
        for slug in PROFILES:
            site_id = self.sites[slug].pk
            self.partners[slug] = {
                name: (ids[(site_id, name)], category) for name, category in self.partner_list(slug)
            }

    def label(self, slug: str) -> str:
        """The neighbourhood's usage name."""
        return self.sites[slug].neighbourhood_label

    def steering_bodies(self, slug: str) -> list[str]:
        profile = PROFILES[slug]
        names = [profile.steering_name or f"Instance de pilotage ATC {self.label(slug)}"]
        return names + ([profile.second_body] if profile.second_body else [])

    def committees(self) -> None:
        rows, self.committee_plan = [], []
        for slug, profile in PROFILES.items():
            site = self.sites[slug]
            bodies = [(Committee.Kind.STEERING, name) for name in self.steering_bodies(slug)]
            bodies += [(Committee.Kind.WORKING_GROUP, name) for name in profile.working_groups]
            if profile.project_team:
                bodies.append((Committee.Kind.PROJECT_TEAM, profile.project_team))
            for kind, name in bodies:
                rows.append(Committee(site=site, kind=kind, name=name, description=""))
                self.committee_plan.append((slug, kind, name))
        rows.append(
            Committee(
                site=None,
                kind=Committee.Kind.NATIONAL,
                name=NATIONAL_COMMITTEE,
                description="ANCT, Question de Ville, délégué·es du préfet, recherche et les "
                "trois têtes de réseau : définit les indicateurs et suit l'évaluation.",
            )
        )
        ids = self.ensure(Committee, rows, ("site_id", "kind", "name"))
        self.committee_ids = {
            (slug, name): ids[(self.sites[slug].pk, kind, name)] for slug, kind, name in self.committee_plan
        }
        self.national_committee = ids[(None, Committee.Kind.NATIONAL, NATIONAL_COMMITTEE)]
        self.members()

    def seat_names(self, slug: str, kind: str) -> list[str]:
        """The partner organisations that hold a seat in a body of a site."""
        profile, partners = PROFILES[slug], self.partners[slug]
        by_cat = defaultdict(list)
        for name, (_pk, category) in partners.items():
            by_cat[category].append(name)
        if kind == Committee.Kind.STEERING:
            seats = by_cat[Cat.STATE][:1] + by_cat[Cat.LOCAL_AUTHORITY][:3] + [profile.host]
            if self.rng(slug, "seats").random() < 0.6:
                seats.append(profile.landlord)
            if profile.associations_in_steering:
                seats += list(profile.associations[: 2 + len(profile.associations) // 3])
            if profile.council_in_steering:
                seats += by_cat[Cat.CITIZENS_COUNCIL]
            if profile.residents_in_steering:
                seats += by_cat[Cat.RESIDENTS][:1]
            return seats
        return [profile.host, *profile.associations, *by_cat[Cat.RESIDENTS][:1]]

    def seat_role(self, slug: str, seat: str) -> str:
        profile = PROFILES[slug]
        departement = DEPARTEMENTS[self.sites[slug].departement_code][1]
        return {profile.host: "host", profile.interco: "interco", departement: "departement"}.get(seat, "")

    def members(self) -> None:
        rows, self.rosters = [], defaultdict(list)
        delegate = self.users[Role.Kind.PREFET_DELEGATE].get_full_name()
        host_director = self.users[Role.Kind.HOST_DIRECTOR].get_full_name()
        for slug, kind, name in self.committee_plan:
            rng = self.rng(slug, "members", name)
            committee_id = self.committee_ids[(slug, name)]
            for seat in self.seat_names(slug, kind):
                organisation_id, category = self.partners[slug][seat]
                person, woman = _person(rng)
                if category == Cat.STATE and slug in {"tourcoing", "grande-synthe", "roubaix"}:
                    person, woman = delegate, False
                if seat == PROFILES[slug].host and slug == "marseille":
                    person, woman = host_director, True
                title = SEAT_TITLES.get(self.seat_role(slug, seat), TITLES[category])[woman]
                if category in (Cat.RESIDENTS, Cat.CITIZENS_COUNCIL):
                    # Residents are recorded without their name: no consent was collected.
                    person = ""
                rows.append(
                    CommitteeMember(
                        committee_id=committee_id,
                        organisation_id=organisation_id,
                        organisation_name="",
                        person_name=person,
                        title=title,
                        category=category,
                        start_date=PROFILES[slug].first_steering,
                    )
                )
        for organisation, person, title, category in NATIONAL_MEMBERS:
            rows.append(
                CommitteeMember(
                    committee_id=self.national_committee,
                    organisation=None,
                    organisation_name=organisation,
                    person_name=person,
                    title=title,
                    category=category,
                    start_date=D(2019, 12, 10),
                )
            )
        key = ("committee_id", "organisation_id", "organisation_name", "person_name")
        ids = self.ensure(CommitteeMember, rows, key)
        for row in rows:
            pk = ids[tuple(getattr(row, name) for name in key)]
            self.rosters[row.committee_id].append((pk, row.category, row.organisation_id))

    # --- meetings ---

    def new_meeting(self, slug, kind, title, day, *, committee_id=None, rng, **extra) -> MeetingPlan:
        site = self.sites[slug]
        profile = PROFILES[slug]
        fmt = extra.pop("format", None) or _format(rng, day)
        location = "En ligne" if fmt == Fmt.VIDEO else extra.pop("location", profile.host)
        plan = MeetingPlan(
            Meeting(
                site=site,
                committee_id=committee_id,
                kind=kind,
                title=title,
                date=day,
                start_time=dt.time(*extra.pop("time", (14, 0))),
                duration_minutes=extra.pop("duration", 120),
                format=fmt,
                location=location if fmt != Fmt.VIDEO else "En ligne",
                agenda=extra.pop("agenda", ""),
                created_by=self.author_for(slug),
            )
        )
        self.meetings[slug].append(plan)
        return plan

    def attend_roster(self, plan: MeetingPlan, committee_id: int, rng: random.Random) -> None:
        counts = Counter()
        for member_id, category, organisation_id in self.rosters[committee_id]:
            draw = rng.random()
            presence = "present" if draw < 0.75 else "excused" if draw < 0.92 else "absent"
            plan.roster.append((member_id, presence))
            if presence == "present":
                counts[category] += rng.randint(2, 4) if category == Cat.RESIDENTS else 1
                if organisation_id:
                    plan.organisations.append(organisation_id)
        counts[Cat.OTHER] += 1 + (rng.random() < 0.3)
        self.set_attendance(plan.meeting, counts)

    @staticmethod
    def set_attendance(meeting: Meeting, counts: Counter) -> None:
        for category, name in ATTENDANCE_FIELDS.items():
            setattr(meeting, name, counts.get(category, 0))

    def attend_organisations(self, plan, slug, names, rng, residents=0) -> None:
        counts = Counter({Cat.RESIDENTS: residents, Cat.OTHER: 1})
        for name in names:
            organisation_id, category = self.partners[slug][name]
            plan.organisations.append(organisation_id)
            counts[category] += rng.randint(1, 2)
        self.set_attendance(plan.meeting, counts)

    def site_meetings(self) -> None:
        for slug, profile in PROFILES.items():
            rng = self.rng(slug, "meetings")
            self.steering_meetings(slug, profile, rng)
            self.other_meetings(slug, profile, rng)

    def steering_meetings(self, slug: str, profile: Profile, rng: random.Random) -> None:
        early = _spread(
            rng, profile.first_steering, REFERENCE_DATE - dt.timedelta(days=1), profile.steering_by_reference
        )
        later_start = max(profile.first_steering, D(2020, 10, 6))
        later = _spread(rng, later_start, D(2021, 12, 14), profile.steering_later)
        bodies = self.steering_bodies(slug)
        for number, day in enumerate(early + later, start=1):
            body = bodies[(number - 1) % len(bodies)]
            phase = _phase(day, profile.diagnostic_date)
            committee_id = self.committee_ids[(slug, body)]
            plan = self.new_meeting(
                slug,
                Kind.STEERING,
                f"{body} n° {number}",
                day,
                committee_id=committee_id,
                rng=rng,
                agenda=AGENDAS["actions" if phase == "closing" else phase],
                time=(9, 30),
                duration=150,
            )
            self.attend_roster(plan, committee_id, rng)
            pool = STEERING_DECISIONS["actions" if phase == "closing" else phase]
            plan.decisions = rng.sample(pool, k=min(len(pool), rng.randint(1, 2)))
            self.steering[slug].append(plan)

    def other_meetings(self, slug: str, profile: Profile, rng: random.Random) -> None:
        start = min(f[4] for f in profile.facilitators)
        partners = self.partners[slug]
        institutions = [
            n for n, (_pk, c) in partners.items() if c in (Cat.STATE, Cat.LOCAL_AUTHORITY, Cat.LANDLORD)
        ]
        associations = [n for n, (_pk, c) in partners.items() if c == Cat.ASSOCIATION and n != profile.host]
        met = rng.sample(
            institutions + associations, k=min(len(institutions) + len(associations), rng.randint(4, 7))
        )
        for day, name in zip(
            _spread(rng, start + dt.timedelta(days=7), start + dt.timedelta(days=110), len(met)),
            met,
            strict=True,
        ):
            plan = self.new_meeting(
                slug,
                Kind.BILATERAL,
                f"Rencontre bilatérale – {name}",
                day,
                rng=rng,
                duration=60,
                time=(10, 0),
                location=name,
            )
            self.attend_organisations(plan, slug, [name], rng)
        seminar = profile.first_steering + dt.timedelta(days=rng.randint(10, 30))
        if _in_lockdown(seminar):
            seminar = D(2020, 6, 16) + dt.timedelta(days=rng.randint(0, 10))
        plan = self.new_meeting(
            slug,
            Kind.PARTNERS_WORKSHOP,
            "Séminaire de lancement de l'ATC",
            _weekday(seminar),
            rng=rng,
            duration=210,
            agenda=AGENDAS["launch"],
        )
        self.attend_organisations(plan, slug, list(partners), rng, residents=rng.randint(3, 12))
        plan.meeting.minutes = (
            "Présentation de l'expérimentation, tour de table des attentes de chaque "
            "partenaire, premières pistes pour le diagnostic partagé."
        )
        plan.meeting.minutes_status = Meeting.MinutesStatus.VALIDATED
        diagnostic = profile.diagnostic_date
        for offset, title in (
            (-45, "Atelier diagnostic en pied d'immeuble"),
            (-21, "Atelier diagnostic avec les habitant·es"),
        ):
            plan = self.new_meeting(
                slug,
                Kind.RESIDENTS_WORKSHOP,
                title,
                _weekday(diagnostic + dt.timedelta(days=offset)),
                rng=rng,
                time=(17, 30),
                duration=90,
            )
            self.attend_organisations(plan, slug, [profile.host], rng, residents=rng.randint(8, 30))
        plan = self.new_meeting(
            slug,
            Kind.PARTNERS_WORKSHOP,
            "Atelier de restitution du diagnostic partagé",
            _weekday(diagnostic - dt.timedelta(days=2)),
            rng=rng,
            duration=180,
            agenda=AGENDAS["diagnostic"],
        )
        self.attend_organisations(
            plan, slug, rng.sample(list(partners), k=min(len(partners), 8)), rng, residents=rng.randint(4, 15)
        )
        for name in profile.working_groups + ((profile.project_team,) if profile.project_team else ()):
            committee_id = self.committee_ids[(slug, name)]
            kind = Kind.WORKING_GROUP
            for number, day in enumerate(
                _spread(rng, diagnostic + dt.timedelta(days=20), D(2021, 11, 30), rng.randint(4, 6)), start=1
            ):
                plan = self.new_meeting(
                    slug,
                    kind,
                    f"{name} – réunion {number}",
                    day,
                    committee_id=committee_id,
                    rng=rng,
                    duration=120,
                )
                self.attend_roster(plan, committee_id, rng)
        for theme in profile.themes[:2]:
            day = _weekday(max(diagnostic, D(2021, 2, 1)) + dt.timedelta(days=rng.randint(30, 200)))
            plan = self.new_meeting(
                slug,
                Kind.RESIDENTS_WORKSHOP,
                f"Atelier d'habitant·es – {self.themes[theme].name}",
                day,
                rng=rng,
                time=(18, 0),
                duration=120,
            )
            self.attend_organisations(plan, slug, [profile.host], rng, residents=rng.randint(6, 25))
        events = [("Restitution publique de l'ATC", D(2021, 11, 20))]
        if rng.random() < 0.6:
            events.append(("Fête de quartier de l'été", D(2021, 7, 3)))
        for title, day in events:
            plan = self.new_meeting(
                slug,
                Kind.PUBLIC_EVENT,
                title,
                _weekday(day + dt.timedelta(days=rng.randint(0, 12))),
                rng=rng,
                time=(15, 0),
                duration=240,
                format=Fmt.IN_PERSON,
                location="Place du quartier",
            )
            self.attend_organisations(
                plan,
                slug,
                rng.sample(list(partners), k=min(len(partners), 6)),
                rng,
                residents=rng.randint(40, 160),
            )

    def minutes_for(self, slug: str, rng: random.Random) -> None:
        """Steering minutes: validated once the next meeting approved them, the last one a draft."""
        plans = self.steering[slug]
        for index, plan in enumerate(plans):
            meeting = plan.meeting
            present = meeting.total_attendees
            decisions = " ; ".join(plan.decisions)
            meeting.minutes = (
                f"{present} participant·es. Ordre du jour : {meeting.agenda} Décisions : {decisions}."
            )
            if index == len(plans) - 1:
                meeting.minutes_status = Meeting.MinutesStatus.DRAFT
            elif rng.random() < 0.15:
                meeting.minutes, meeting.minutes_status = "", Meeting.MinutesStatus.NONE
            else:
                meeting.minutes_status = Meeting.MinutesStatus.VALIDATED

    def national(self) -> None:
        rng = self.rng("national")
        for day, fmt, title, decisions in NATIONAL_MEETINGS:
            meeting = Meeting(
                site=None,
                committee_id=self.national_committee,
                kind=Kind.NATIONAL_COMMITTEE,
                title=f"Comité de suivi national – {title}",
                date=day,
                start_time=dt.time(14, 0),
                duration_minutes=180,
                format=fmt,
                location="En ligne" if fmt == Fmt.VIDEO else "ANCT, Paris",
                agenda=title,
                minutes=f"{title}. Décisions : {' ; '.join(decisions)}.",
                minutes_status=Meeting.MinutesStatus.VALIDATED,
            )
            plan = MeetingPlan(meeting, decisions=list(decisions))
            self.attend_roster(plan, self.national_committee, rng)
            self.national_meetings.append(plan)
        atelier = Meeting(
            site=None,
            kind=Kind.NATIONAL_EVENT,
            title="Grand Atelier de l'ATC, en ligne",
            date=D(2021, 1, 29),
            start_time=dt.time(9, 30),
            duration_minutes=360,
            format=Fmt.VIDEO,
            location="En ligne",
            agenda="Temps 1 : huit groupes de travail, répartition aléatoire — facteurs de "
            "réussite, freins, leçons. Temps 2 : huit groupes de pairs — une ATC réussie en "
            "décembre 2021, et après ?",
            minutes=GRAND_ATELIER_SYNTHESIS,
            minutes_status=Meeting.MinutesStatus.VALIDATED,
        )
        self.set_attendance(
            atelier,
            Counter(
                {
                    Cat.STATE: 22,
                    Cat.LOCAL_AUTHORITY: 21,
                    Cat.LANDLORD: 2,
                    Cat.ASSOCIATION: 33,
                    Cat.RESIDENTS: 4,
                    Cat.CITIZENS_COUNCIL: 6,
                    Cat.OTHER: 12,
                }
            ),
        )
        self.national_meetings.append(MeetingPlan(atelier))

    # --- diagnostic ---

    def diagnostics(self) -> None:
        rows = []
        for slug, profile in PROFILES.items():
            label = self.label(slug)
            themes = ", ".join(self.themes[c].name.lower() for c in profile.themes)
            rows.append(
                Diagnostic(
                    site=self.sites[slug],
                    title=f"Diagnostic partagé – {label}",
                    date=profile.diagnostic_date,
                    summary=f"Constats communs établis avec les habitant·es et les partenaires. "
                    f"Thématiques retenues : {themes}.",
                )
            )
        ids = self.ensure(Diagnostic, rows, ("site_id", "title"))
        findings, self.finding_plan = [], defaultdict(list)
        sources = [s for s, _label in Finding.Source.choices if s != Finding.Source.OTHER]
        for row in rows:
            slug = row.site.slug
            rng = self.rng(slug, "findings")
            profile = PROFILES[slug]
            chosen = [
                (t, FINDINGS[t][i])
                for t in profile.themes
                for i in sorted(rng.sample(range(len(FINDINGS[t])), k=rng.randint(1, 2)))
            ]
            others = [t for t in FINDINGS if t not in profile.themes]
            chosen += [(t, rng.choice(FINDINGS[t])) for t in rng.sample(others, k=rng.randint(1, 2))]
            for theme, title in chosen[:10]:
                source = rng.choice(sources)
                how = Finding.Source(source).label.lower()
                day = profile.diagnostic_date - dt.timedelta(days=rng.randint(5, 60))
                findings.append(
                    Finding(
                        site=row.site,
                        diagnostic_id=ids[(row.site_id, row.title)],
                        theme=self.themes[theme],
                        title=title,
                        description=f"Relevé lors du diagnostic partagé ({how}, "
                        f"{day:%m/%Y}) et validé en atelier de restitution.",
                        source=source,
                        date=day,
                        created_by=self.author_for(slug),
                    )
                )
                self.finding_plan[slug].append((theme, title))
        finding_ids = self.ensure(Finding, findings, ("site_id", "title"))
        for slug, planned in self.finding_plan.items():
            site_id = self.sites[slug].pk
            self.findings[slug] = [(finding_ids[(site_id, title)], theme) for theme, title in planned]

    def assessments(self) -> None:
        cooperation = {
            "institutional-cooperation",
            "institutions-associations",
            "associative-cooperation",
            "trust",
        }
        residents_items = {"residents-participation", "residents-heard"}
        rows = []
        for slug, profile in PROFILES.items():
            rng = self.rng(slug, "assessments")
            start = min(f[4] for f in profile.facilitators)
            before = max(D(2020, 1, 15), start + dt.timedelta(days=14))
            after = D(2021, 11, 15) + dt.timedelta(days=rng.randint(0, 20))
            kinds = [Assessment.RespondentKind.INSTITUTIONAL, Assessment.RespondentKind.FACILITATOR]
            if profile.residents_assessed:
                kinds.append(Assessment.RespondentKind.RESIDENTS)
            for item in self.items:
                base = rng.uniform(3.5, 6.0)
                gain = (
                    rng.uniform(0.8, 2.0)
                    if item.code in cooperation or item.code in residents_items
                    else rng.uniform(0.2, 1.2)
                )
                if item.code in cooperation:
                    gap = rng.uniform(1.0, 2.5)
                elif item.code in residents_items:
                    gap = -rng.uniform(0.8, 2.0)
                else:
                    gap = rng.uniform(-0.5, 0.8)
                scores = {
                    Assessment.RespondentKind.FACILITATOR: (base, base + gain),
                    # Over time the two readings move closer: the gap halves.
                    Assessment.RespondentKind.INSTITUTIONAL: (base + gap, base + gain + gap / 2),
                    Assessment.RespondentKind.RESIDENTS: (base - rng.uniform(0, 1.2), base + gain * 0.6),
                }
                for kind in kinds:
                    respondents = {
                        "institutional": rng.randint(3, 7),
                        "facilitator": len(profile.facilitators) if profile.config == Config.SHARED else 1,
                        "residents": rng.randint(8, 25),
                    }[kind]
                    for day, score in zip((before, after), scores[kind], strict=True):
                        rows.append(
                            Assessment(
                                site=self.sites[slug],
                                item=item,
                                respondent_kind=kind,
                                date=day,
                                score=Decimal(str(round(min(10.0, max(1.0, score)), 1))),
                                respondents=respondents,
                                created_by=self.author_for(slug),
                            )
                        )
        self.ensure(Assessment, rows, ("site_id", "item_id", "respondent_kind", "date"))

    # --- actions ---

    def timeline(self, rng: random.Random, status: str, diagnostic: dt.date):
        """The dated statuses an action went through to reach `status`, cut at the end of 2021."""
        earliest = diagnostic + dt.timedelta(days=7)
        if status == Status.IDEA:
            first = max(earliest, D(2021, 5, 1)) + dt.timedelta(days=rng.randint(0, 150))
            path = [Status.IDEA]
        elif status == Status.PREPARATION:
            first = max(earliest, D(2021, 1, 15)) + dt.timedelta(days=rng.randint(0, 200))
            path = [Status.IDEA, Status.PREPARATION]
        else:
            first = earliest + dt.timedelta(days=rng.randint(0, 120))
            path = {
                Status.RUNNING: [Status.IDEA, Status.PREPARATION, Status.RUNNING],
                Status.DONE: [Status.IDEA, Status.PREPARATION, Status.RUNNING, Status.DONE],
                Status.ABANDONED: [Status.IDEA, Status.PREPARATION, Status.ABANDONED],
            }[status]
        gaps = {
            Status.PREPARATION: (20, 70),
            Status.RUNNING: (20, 90),
            Status.DONE: (60, 240),
            Status.ABANDONED: (40, 150),
        }
        steps, day = [], min(first, LAST_DAY - dt.timedelta(days=10))
        for step in path:
            if steps:
                day += dt.timedelta(days=rng.randint(*gaps[step]))
                if day > LAST_DAY:
                    break
            steps.append((step, day))
        return tuple(steps)

    def site_actions(self) -> None:
        statuses = [Status.IDEA, Status.PREPARATION, Status.RUNNING, Status.DONE, Status.ABANDONED]
        self.action_plan = []
        for slug, profile in PROFILES.items():
            rng = self.rng(slug, "actions")
            partners = self.partners[slug]
            helpers = [n for n, (_pk, c) in partners.items() if c not in (Cat.STATE, Cat.CITIZENS_COUNCIL)]
            planned = [
                (title, theme, text, outcomes, list(names), residents, timeline)
                for title, theme, text, outcomes, names, residents, timeline in SIGNATURE_ACTIONS.get(
                    slug, []
                )
            ]
            titles = {p[0] for p in planned}
            templates = [
                (t, title, text) for t in profile.themes for title, text in ACTIONS[t] if title not in titles
            ]
            rng.shuffle(templates)
            for theme, title, text in templates[: profile.action_count - len(planned)]:
                status = rng.choices(statuses, weights=[15, 20, 30, 25, 10])[0]
                timeline = self.timeline(rng, status, profile.diagnostic_date)
                names = [profile.host, *rng.sample(helpers, k=min(len(helpers), rng.randint(1, 3)))]
                planned.append((title, theme, text, "", list(dict.fromkeys(names)), None, timeline))
            for title, theme, text, outcomes, names, residents, timeline in planned:
                self.plan_action(slug, rng, title, theme, text, outcomes, names, residents, timeline)

    def plan_action(self, slug, rng, title, theme, text, outcomes, names, residents, timeline):
        status, last_day = timeline[-1]
        dates = dict(timeline)
        progress = {
            Status.IDEA: 0,
            Status.PREPARATION: rng.randint(10, 30),
            Status.RUNNING: rng.randint(35, 85),
            Status.DONE: 100,
            Status.ABANDONED: rng.randint(10, 40),
        }[status]
        if residents is None:
            residents = {
                Status.IDEA: 0,
                Status.PREPARATION: 0,
                Status.RUNNING: rng.randint(10, 120),
                Status.DONE: rng.randint(20, 250),
                Status.ABANDONED: rng.randint(0, 15),
            }[status]
        if not outcomes and status == Status.DONE:
            outcomes = (
                f"Action réalisée : {residents} habitant·es touché·es ; "
                "les partenaires souhaitent la reconduire."
            )
        if not outcomes and status == Status.ABANDONED:
            outcomes = rng.choice(
                [
                    "Abandonnée faute de financement après le refus de l'appel à projets.",
                    "Abandonnée : les partenaires n'ont pas pu dégager de temps pendant la crise sanitaire.",
                    "Abandonnée : une action équivalente a été lancée dans le cadre de la cité éducative.",
                ]
            )
        decision_plan = None
        if status != Status.IDEA or len(timeline) > 1:
            # The first steering meeting after the idea decides it; ideas after the last one wait.
            later = [p for p in self.steering[slug] if p.meeting.date >= dates[Status.IDEA]]
            decision_plan = later[0] if later else None
        decision = f"Lancer l'action « {title} »"
        if decision_plan is not None:
            decision_plan.decisions.append(decision)
        action = Action(
            site=self.sites[slug],
            title=title,
            description=text,
            theme=self.themes[theme],
            status=status,
            progress=progress,
            residents_reached=residents,
            start_date=dates.get(Status.RUNNING),
            end_date=dates.get(Status.DONE) or dates.get(Status.ABANDONED),
            outcomes=outcomes,
            created_by=self.author_for(slug),
        )
        same_theme = [pk for pk, t in self.findings[slug] if t == theme]
        findings = rng.sample(same_theme, k=min(len(same_theme), rng.randint(1, 2)))
        partners = [self.partners[slug][name][0] for name in names]
        self.action_plan.append((slug, action, partners, findings, timeline, decision_plan, decision))
        self.actions[slug].append((title, [day for _s, day in timeline]))

    # --- writing ---

    def write_meetings(self) -> None:
        for slug in PROFILES:
            self.minutes_for(slug, self.rng(slug, "minutes"))
        plans = [p for slug in PROFILES for p in self.meetings[slug]] + self.national_meetings
        ids = self.ensure(Meeting, [p.meeting for p in plans], ("site_id", "kind", "title", "date"))
        self.meeting_ids = {p.key: ids[p.key] for p in plans}
        participants = [
            MeetingParticipant(meeting_id=ids[p.key], member_id=member, presence=presence)
            for p in plans
            for member, presence in p.roster
        ]
        self.ensure(MeetingParticipant, participants, ("meeting_id", "member_id"))
        decisions = [Decision(meeting_id=ids[p.key], text=text) for p in plans for text in p.decisions]
        self.decision_ids = self.ensure(Decision, decisions, ("meeting_id", "text"))
        self.link(
            Meeting.organisations.through,
            {(ids[p.key], org) for p in plans for org in p.organisations},
            "meeting_id",
            "partnerorganisation_id",
        )

    def write_actions(self) -> None:
        for _slug, action, *_rest, decision_plan, decision in self.action_plan:
            if decision_plan is not None:
                action.meeting_id = self.meeting_ids[decision_plan.key]
                action.decision_id = self.decision_ids[(action.meeting_id, decision)]
        ids = self.ensure(Action, [row[1] for row in self.action_plan], ("site_id", "title"))
        self.action_ids = {}
        partner_links, finding_links, changes = set(), set(), []
        for slug, action, partners, findings, timeline, *_rest in self.action_plan:
            pk = ids[(action.site_id, action.title)]
            self.action_ids[(slug, action.title)] = pk
            partner_links |= {(pk, partner) for partner in partners}
            finding_links |= {(pk, finding) for finding in findings}
            previous = ""
            for status, day in timeline:
                changes.append(
                    ActionStatusChange(
                        action_id=pk,
                        from_status=previous,
                        to_status=status,
                        changed_at=_moment(day),
                        changed_by=self.author_for(slug),
                    )
                )
                previous = status
        self.link(Action.partners.through, partner_links, "action_id", "partnerorganisation_id")
        self.link(Action.findings.through, finding_links, "action_id", "finding_id")
        self.ensure(ActionStatusChange, changes, ("action_id", "to_status", "changed_at"))

    # --- evaluation ---

    @staticmethod
    def fte_on(profile: Profile, day: dt.date) -> Decimal:
        return sum(
            (f[2] for f in profile.facilitators if f[4] <= day and (f[5] is None or f[5] >= day)),
            Decimal(0),
        )

    def logbook(self) -> None:
        rows, links = [], []
        for slug, profile in PROFILES.items():
            rng = self.rng(slug, "logbook")
            site = self.sites[slug]
            start = min(f[4] for f in profile.facilitators)
            for number, (first, last) in enumerate(_quarters(start, D(2021, 12, 31))):
                middle = first + (last - first) / 2
                fte = self.fte_on(profile, max(middle, start))
                keep = number == 0 or first == D(2020, 7, 1) or rng.random() > 0.15
                if not fte or not keep:
                    continue
                first = max(first, start)
                meetings = [p for p in self.meetings[slug] if first <= p.meeting.date <= last]
                steering = sum(p.meeting.kind == Kind.STEERING for p in meetings)
                phase = "lockdown" if first == D(2020, 4, 1) else _phase(middle, profile.diagnostic_date)
                happened, difficulties, lessons, next_steps = LOGBOOK[phase]
                weeks = Decimal((last - first).days + 1) / 7
                hours = (fte * 35 * weeks * Decimal(str(rng.uniform(0.7, 0.95)))).quantize(Decimal("0.1"))
                entry = LogbookEntry(
                    site=site,
                    kind=LogbookEntry.Kind.PERIODIC,
                    period_start=first,
                    period_end=last,
                    happened=f"{happened} {len(meetings)} réunion(s) sur la période, "
                    f"dont {steering} de l'instance de pilotage.",
                    difficulties=difficulties,
                    lessons=lessons,
                    next_steps=next_steps,
                    time_spent_hours=hours,
                    support_needed="Un temps d'échange entre animateur·rices des trois réseaux."
                    if rng.random() < 0.3
                    else "",
                    author=self.author_for(slug),
                )
                rows.append(entry)
                actions = [
                    title for title, days in self.actions[slug] if any(first <= d <= last for d in days)
                ]
                links.append((entry, meetings, actions))
            if start < LOCKDOWNS[0][0]:
                entry = LogbookEntry(
                    site=site,
                    kind=LogbookEntry.Kind.DIFFICULTY,
                    period_start=LOCKDOWNS[0][0],
                    period_end=LOCKDOWNS[0][1],
                    happened="Premier confinement : la démarche est mise en suspens, le lien est "
                    "maintenu par téléphone.",
                    difficulties=LOGBOOK["lockdown"][1],
                    author=self.author_for(slug),
                )
                rows.append(entry)
                links.append((entry, [], []))
        key = ("site_id", "kind", "period_start", "period_end")
        ids = self.ensure(LogbookEntry, rows, key)
        meeting_links, action_links = set(), set()
        for entry, meetings, actions in links:
            pk = ids[tuple(getattr(entry, name) for name in key)]
            meeting_links |= {(pk, self.meeting_ids[p.key]) for p in meetings}
            action_links |= {(pk, self.action_ids[(entry.site.slug, t)]) for t in actions}
        self.link(LogbookEntry.meetings.through, meeting_links, "logbookentry_id", "meeting_id")
        self.link(LogbookEntry.actions.through, action_links, "logbookentry_id", "action_id")

    def indicators(self) -> None:
        rows = [
            Indicator(
                code=code,
                name=name,
                definition=definition,
                unit=unit,
                source=source,
                computation=computation,
                default_objective=objective,
                decimal_places=places,
            )
            for code, name, definition, unit, source, computation, objective, places in INDICATORS
        ]
        ids = {key[0]: pk for key, pk in self.ensure(Indicator, rows, ("code",)).items()}
        values = []
        for slug in INDICATOR_SITES:
            rng = self.rng(slug, "indicators")
            profile = PROFILES[slug]
            start = max(D(2020, 7, 1), min(f[4] for f in profile.facilitators))
            for index, (first, last) in enumerate(_quarters(start, D(2021, 12, 31))):
                if rng.random() < 0.15:
                    continue
                fte = self.fte_on(profile, first + (last - first) / 2)
                entered = {
                    "facilitation-hours": (fte * 455 * Decimal(str(rng.uniform(0.7, 0.95)))).quantize(
                        Decimal("1")
                    ),
                    "residents-mobilised": Decimal(rng.randint(10, 40) + index * rng.randint(5, 20)),
                    "collective-initiatives": Decimal(rng.randint(0, 2) + index // 2),
                }
                for code, value in entered.items():
                    if rng.random() < 0.1:
                        continue
                    values.append(
                        IndicatorValue(
                            indicator_id=ids[code],
                            site=self.sites[slug],
                            period_start=first,
                            period_end=last,
                            value=value,
                            entered_by=self.author_for(slug),
                        )
                    )
        self.ensure(IndicatorValue, values, ("indicator_id", "site_id", "period_start", "period_end"))

    def survey(self) -> None:
        """The flash questionnaire of seed 004 as a campaign already run: recipients with a
        function and a territory (no real address), 17 answered on 10 territories."""
        questionnaire, made = Questionnaire.objects.get_or_create(
            title=SURVEY_TITLE,
            version=1,
            defaults={
                "template": Questionnaire.Template.FLASH,
                "introduction": "Questionnaire court envoyé aux délégué·es du préfet et aux "
                "référent·es politique de la ville des communes et des intercommunalités des "
                "territoires d'expérimentation.",
                "locked_at": dt.datetime(2020, 9, 14, 9, tzinfo=dt.UTC),
            },
        )
        self.created[Questionnaire._meta.label] += made
        campaign, made = Campaign.objects.get_or_create(
            title=SURVEY_TITLE,
            defaults={
                "questionnaire": questionnaire,
                "opens_on": D(2020, 9, 14),
                "closes_on": D(2020, 10, 9),
            },
        )
        self.created[Campaign._meta.label] += made
        rows = []
        for slug, functions in SURVEY_RECIPIENTS.items():
            rng = self.rng(slug, "survey")
            for function in functions:
                answered = function in SURVEY_RESPONDENTS.get(slug, ())
                rows.append(
                    CampaignRecipient(
                        campaign=campaign,
                        site=self.sites[slug],
                        function=function,
                        name=f"{CampaignRecipient.Function(function).label} — {self.sites[slug].city}",
                        email=f"{function}.{slug}@demo.invalid",
                        token_hash=f"demo:{slug}:{function}",
                        invited_at=dt.datetime(2020, 9, 14, 9, tzinfo=dt.UTC),
                        answered_on=D(2020, 9, 15) + dt.timedelta(days=rng.randint(0, 24))
                        if answered
                        else None,
                    )
                )
        self.ensure(CampaignRecipient, rows, ("campaign_id", "email"))

    def _done_actions(self, slug: str) -> list[Action]:
        return list(Action.objects.filter(site=self.sites[slug], status=Status.DONE).order_by("title", "pk"))

    def avoided_costs(self) -> None:
        """A few avoided costs and leverage effects at each confidence level on two sites, on
        their done actions; the verified ones by the national team."""
        national = self.users[Role.Kind.NATIONAL_TEAM]
        claims = []
        for slug, rows in SHOWCASE["claims"].items():
            actions = self._done_actions(slug)
            for index, row in enumerate(rows):
                verified = row["confidence"] == AvoidedCostClaim.Confidence.VERIFIED
                claims.append(
                    AvoidedCostClaim(
                        site=self.sites[slug],
                        action=actions[index % len(actions)],
                        kind=AvoidedCostClaim.Kind(row["kind"]),
                        description=row["description"],
                        amount=_decimal(row["amount"]),
                        quantity=_decimal(row["quantity"]),
                        unit=row["unit"],
                        period_start=_date(row["period_start"]),
                        period_end=_date(row["period_end"]),
                        hypothesis=row["hypothesis"],
                        source=AvoidedCostClaim.Source(row["source"]),
                        source_detail=row["source_detail"],
                        confidence=AvoidedCostClaim.Confidence(row["confidence"]),
                        verified_by=national if verified else None,
                        verified_at=_moment(D(2022, 1, 20)) if verified else None,
                        created_by=self.author_for(slug),
                    )
                )
        self.ensure(AvoidedCostClaim, claims, ("site_id", "description"))

    def experience_sheet(self) -> None:
        """One sheet, written from a done action at Grenoble, reviewed and published."""
        row = dict(SHOWCASE["sheet"])
        site = self.sites[row.pop("site")]
        national = self.users[Role.Kind.NATIONAL_TEAM]
        sheet, made = ExperienceSheet.objects.get_or_create(
            site=site,
            title=row.pop("title"),
            defaults={
                **row,
                "status": ExperienceSheet.Status.PUBLISHED,
                "reviewed_at": _moment(D(2022, 1, 10)),
                "published_by": national,
                "published_at": _moment(D(2022, 1, 17)),
            },
        )
        if made:
            self.created[ExperienceSheet._meta.label] += 1
            sheet.actions.set(self._done_actions(site.slug)[:1])
            self.created[ExperienceSheet.actions.through._meta.label] += sheet.actions.count()

    def public_page(self) -> None:
        """Marseille's public page, published, with two achievements: a photo and a document chosen
        among their attachments, through the showcase's own services (the copy, the check)."""
        plan = SHOWCASE["showcase"]
        site = self.sites[plan["site"]]
        showcase, made = SiteShowcase.objects.get_or_create(
            site=site, defaults={"presentation": plan["presentation"]}
        )
        if not made:
            return
        self.created[SiteShowcase._meta.label] += 1
        first, second = self._done_actions(site.slug)[:2]
        showcase.achievements.set([first, second])
        self.created[SiteShowcase.achievements.through._meta.label] += 2
        for action, (key, data) in (
            (first, ("photo", _demo_photo())),
            (second, ("document", _demo_document())),
        ):
            attachment = attachment_create(
                site=site,
                user=self.author,
                uploaded=SimpleUploadedFile(plan[key]["name"], data),
                action=action,
            )
            showcase_services.showcase_file_add(
                showcase=showcase,
                attachment=attachment,
                description=plan[key]["description"],
                people_consent=key == "photo",
                user=self.author,
            )
            self.created[Attachment._meta.label] += 1
            self.created[ShowcaseFile._meta.label] += 1
        showcase_services.showcase_publish(showcase=showcase, user=self.users[Role.Kind.NATIONAL_TEAM])

    def totals(self) -> dict[str, int]:
        shown = [
            User,
            Site,
            FacilitatorAssignment,
            PartnerOrganisation,
            Committee,
            Meeting,
            Decision,
            Action,
            Finding,
            Assessment,
            LogbookEntry,
            IndicatorValue,
            CampaignRecipient,
        ]
        return {str(model._meta.verbose_name_plural).capitalize(): model.objects.count() for model in shown}


def _demo_photo() -> bytes:
    """A drawn stand-in for a photo of the fête: stalls under garlands on a square."""
    image = Image.new("RGB", (640, 400), (135, 190, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 260, 640, 400), fill=(210, 190, 150))
    for index, colour in enumerate([(220, 80, 60), (60, 140, 90), (240, 180, 40), (80, 90, 180)]):
        left = 40 + index * 150
        draw.rectangle((left, 190, left + 110, 300), fill=(250, 250, 245))
        draw.polygon([(left - 10, 190), (left + 55, 140), (left + 120, 190)], fill=colour)
    draw.line((0, 110, 640, 90), fill=(90, 60, 40), width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _demo_document() -> bytes:
    """A one-page PDF standing in for the guichet commun's yearly review."""
    page = Image.new("RGB", (595, 842), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=22)
    lines = [
        "Guichet commun du Vallon - bilan 2021",
        "",
        "312 familles accueillies",
        "4 structures, un seul dossier partagé",
        "120 heures d'accompagnement non dupliquées",
    ]
    for index, line in enumerate(lines):
        draw.text((50, 60 + index * 40), line, fill="black", font=font)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=72)
    return out.getvalue()


class DemoError(Exception):
    """The demo data cannot be loaded (e.g. the reference sites are missing)."""


def load_demo(*, password: str | None = None) -> DemoSummary:
    """Fill the 15 reference sites with the demo content and create the 6 demo accounts.

    Idempotent: rows are matched by natural key and only the missing ones are created. Passwords
    are set when an account is created, and reset on every account when `password` is given
    (it must pass the password validators).
    """
    with transaction.atomic():
        summary = _Loader(password).run()
        # Bulk inserts bypass the signals that keep the dashboards' pre-aggregates fresh.
        rebuild_all_stats()
    return summary
