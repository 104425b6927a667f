"""One search across the records a person may read: meetings, decisions, actions, findings, logbook
entries and partners, grouped by kind, ranked, highlighted and paginated.

On PostgreSQL the full-text search with the `french_unaccent` configuration (French stemming,
accents ignored: atc migration 0005) reads the GIN expression indexes of `documents.py`; the query
goes through `websearch_to_tsquery`, which accepts any text (quotes, `&`, `|`, `!`, `:`, `*` are words
or nothing to it, never a syntax error). On SQLite every word must appear, accents and case
ignored (`folding.py`). Experience sheets do not exist yet on the platform: nothing to search there.

Access: every kind is filtered by the sites the person may read (`atc.permissions.readable_sites`),
the same rule as the site pages the results link to.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVectorField
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, CharField, F, Func, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from atc.permissions import is_national, readable_sites
from diagnostics.models import Finding
from evaluation.models import LogbookEntry
from evaluation.search import documents, folding
from pilotage.models import Action, Decision, Meeting
from sites.models import PartnerOrganisation, Site

MAX_QUERY_LENGTH = 200
GROUP_SIZE = 5
PAGE_SIZE = 20
# Beyond this many matches of one kind a search is counted as « plus de 1 000 » and its matches
# come newest first instead of ranked: ranking every meeting of 1,600 sites (a word in every title)
# would read them all, and such a search needs more words, not a better order.
COUNT_LIMIT = 1000
SNIPPET_WORDS = 30
# ts_headline marks matched words with these; the text around them is escaped by the template.
START, STOP = "\x02", "\x03"

Segments = list[tuple[str, bool]]


@dataclass(frozen=True)
class Kind:
    """A kind of record the search covers."""

    key: str
    label: str
    document: documents.Document
    queryset: Callable[[], QuerySet]
    site_path: str
    date: Callable[[object], datetime.date | None]
    url: Callable[[object], str]
    title: Callable[[object], str] | None = None


def _site_url(name: str, obj, anchor: str = "") -> str:
    site = obj.site
    kwargs = {"slug": site.slug}
    if not anchor:
        kwargs["pk"] = obj.pk
    return reverse(name, kwargs=kwargs) + anchor


def _logbook_title(entry: LogbookEntry) -> str:
    return _("%(kind)s du %(start)s au %(end)s") % {
        "kind": entry.get_kind_display(),
        "start": date_format(entry.period_start, "SHORT_DATE_FORMAT"),
        "end": date_format(entry.period_end, "SHORT_DATE_FORMAT"),
    }


KINDS: tuple[Kind, ...] = (
    Kind(
        "reunions",
        _("Réunions"),
        documents.MEETING,
        lambda: Meeting.objects.select_related("site"),
        "site",
        lambda m: m.date,
        lambda m: _site_url("pilotage:meeting_detail", m),
    ),
    Kind(
        "decisions",
        _("Décisions"),
        documents.DECISION,
        lambda: Decision.objects.select_related("meeting__site"),
        "meeting__site",
        lambda d: d.meeting.date,
        lambda d: reverse(
            "pilotage:meeting_detail", kwargs={"slug": d.meeting.site.slug, "pk": d.meeting_id}
        ),
    ),
    Kind(
        "actions",
        _("Actions"),
        documents.ACTION,
        lambda: Action.objects.select_related("site"),
        "site",
        lambda a: a.start_date or a.created_at.date(),
        lambda a: _site_url("pilotage:action_detail", a),
    ),
    Kind(
        "constats",
        _("Constats du diagnostic"),
        documents.FINDING,
        lambda: Finding.objects.select_related("site"),
        "site",
        lambda f: f.date,
        lambda f: _site_url("diagnostics:finding_list", f, anchor=f"#constat-{f.pk}"),
    ),
    Kind(
        "carnet",
        _("Carnet de bord"),
        documents.LOGBOOK_ENTRY,
        lambda: LogbookEntry.objects.select_related("site"),
        "site",
        lambda e: e.period_end,
        lambda e: _site_url("evaluation:logbook_detail", e),
        title=_logbook_title,
    ),
    Kind(
        "partenaires",
        _("Partenaires"),
        documents.PARTNER,
        lambda: PartnerOrganisation.objects.select_related("site"),
        "site",
        lambda p: p.created_at.date(),
        lambda p: _site_url("partners:partner_detail", p),
    ),
)
KIND_KEYS = {kind.key: kind for kind in KINDS}


@dataclass
class Result:
    title: Segments
    snippet: Segments
    site: Site
    date: datetime.date | None
    url: str


@dataclass
class Group:
    kind: Kind
    count: int
    results: list[Result]
    page: Page | None = None

    @property
    def more_than_limit(self) -> bool:
        """Too many matches to count or rank them all (COUNT_LIMIT)."""
        return self.count > COUNT_LIMIT

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_LIMIT)


class _CountedPaginator(Paginator):
    """A paginator over a count already made (capped at COUNT_LIMIT), not counted again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@dataclass
class Search:
    query: str
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.shown_count for group in self.groups)

    @property
    def more_than_limit(self) -> bool:
        return any(group.more_than_limit for group in self.groups)


def clean_query(text: str) -> str:
    """The query as searched: control characters dropped, spaces collapsed, at most
    MAX_QUERY_LENGTH characters (the form says so before it comes to that)."""
    printable = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def _scoped(kind: Kind, user) -> QuerySet:
    queryset = kind.queryset()
    if is_national(user):
        # The national committee's meetings (no site) have pages of their own, not searched here.
        return queryset.filter(**{f"{kind.site_path}__isnull": False})
    return queryset.filter(**{f"{kind.site_path}__in": readable_sites(user, Site.objects.all()).values("id")})


def _segments(marked: str) -> Segments:
    """ts_headline's text cut at its START/STOP marks into (piece, matched) segments."""
    segments: Segments = []
    matched = False
    piece = []
    for char in marked:
        if char in (START, STOP):
            if piece:
                segments.append(("".join(piece), matched))
            piece = []
            matched = char == START
        else:
            piece.append(char)
    if piece:
        segments.append(("".join(piece), matched))
    return segments


def postgres_matches(kind: Kind, user, query: str) -> QuerySet:
    """The rows of `kind` matching `query` that `user` may read, best first, with their marked
    title and snippet (ts_headline runs on the page's rows only: the count drops it)."""
    search_query = SearchQuery(query, search_type="websearch", config=documents.CONFIG)
    document = RawSQL(kind.document.sql, [], output_field=SearchVectorField())
    headline = {"config": documents.CONFIG, "start_sel": START, "stop_sel": STOP}
    fragments = {"max_words": SNIPPET_WORDS, "min_words": 10, "max_fragments": 2}
    columns = kind.document.columns
    body = kind.document.body_columns or columns
    body_text = Concat(*_spaced(body), output_field=TextField()) if len(body) > 1 else F(body[0])
    # A short title is shown whole; a long text standing for one (a decision, what happened in a
    # logbook entry) only around its matches.
    short = isinstance(kind.queryset().model._meta.get_field(columns[0]), CharField)
    title_options = {"highlight_all": True} if short else fragments
    return (
        _scoped(kind, user)
        .annotate(search_document=document)
        .filter(search_document=search_query)
        .annotate(
            search_rank=SearchRank(F("search_document"), search_query),
            search_title=SearchHeadline(F(columns[0]), search_query, **title_options, **headline),
            search_snippet=SearchHeadline(body_text, search_query, **fragments, **headline),
        )
    )


def _spaced(columns: tuple[str, ...]) -> list:
    parts = []
    for column in columns:
        if parts:
            parts.append(Value(" "))
        parts.append(F(column))
    return parts


def sqlite_matches(kind: Kind, user, words: list[str]) -> QuerySet:
    """The fallback: every word in one of the fields, accents and case ignored; titles first."""
    columns = kind.document.columns
    folded = {column: Func(F(column), function=folding.FOLD_FUNCTION) for column in columns}
    condition = Q()
    for word in words:
        anywhere = Q()
        for column in columns:
            anywhere |= Q(**{f"folded_{column}__contains": word})
        condition &= anywhere
    in_title = sum(
        (
            Case(
                When(**{f"folded_{columns[0]}__contains": word}, then=1),
                default=0,
                output_field=IntegerField(),
            )
            for word in words
        ),
        Value(0),
    )
    return (
        _scoped(kind, user)
        .annotate(**{f"folded_{column}": expression for column, expression in folded.items()})
        .filter(condition)
        .annotate(search_rank=in_title)
    )


def _result(kind: Kind, obj, words: list[str], *, postgres: bool) -> Result:
    columns = kind.document.columns
    if postgres:
        title = _segments(obj.search_title)
        snippet = _segments(obj.search_snippet) if kind.document.body_columns else []
    else:
        title = folding.highlight(getattr(obj, columns[0]), words, window=120)
        body = " ".join(getattr(obj, column) for column in kind.document.body_columns if getattr(obj, column))
        snippet = folding.highlight(body, words, window=100) if body else []
    if kind.title is not None:
        # The record has no title of its own (a logbook entry): its period names it, its text follows.
        snippet = title + ([(" — ", False)] if snippet else []) + snippet
        title = [(kind.title(obj), False)]
    if snippet and not any(matched for _piece, matched in snippet):
        snippet = []
    return Result(
        title=title, snippet=snippet, site=_site_of(kind, obj), date=kind.date(obj), url=kind.url(obj)
    )


def _site_of(kind: Kind, obj) -> Site:
    for step in kind.site_path.split("__"):
        obj = getattr(obj, step)
    return obj


def search(*, user, query: str, kind: str = "", page: int = 1) -> Search:
    """The records matching `query` that `user` may read, grouped by kind: the first GROUP_SIZE of
    each kind, or with `kind` one page of PAGE_SIZE of that kind only. Two queries per kind."""
    query = clean_query(query)
    result = Search(query=query)
    words = folding.terms(query)
    if not words:
        return result
    postgres = connection.vendor == "postgresql"
    for each in [KIND_KEYS[kind]] if kind in KIND_KEYS else KINDS:
        matches = postgres_matches(each, user, query) if postgres else sqlite_matches(each, user, words)
        count = matches.order_by()[: COUNT_LIMIT + 1].count()
        ordered = matches.order_by("-search_rank", "-pk") if count <= COUNT_LIMIT else matches.order_by("-pk")
        if kind in KIND_KEYS:
            paginator = _CountedPaginator(ordered, PAGE_SIZE, count=min(count, COUNT_LIMIT))
            current = paginator.get_page(page)
            rows = list(current.object_list)
        else:
            current = None
            rows = list(ordered[:GROUP_SIZE]) if count else []
        results = [_result(each, obj, words, postgres=postgres) for obj in rows]
        result.groups.append(Group(kind=each, count=count, results=results, page=current))
    return result
