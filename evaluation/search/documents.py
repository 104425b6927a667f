"""What each kind of record is searched on, as the PostgreSQL expression its GIN index holds.

A query uses an expression index only when it repeats the indexed expression exactly: the indexes
(migrations `search_*` of each app) were written from these strings, and
tests/search/test_search_postgres.py checks that every search plan reads its index.
"""

from dataclasses import dataclass

CONFIG = "french_unaccent"


@dataclass(frozen=True)
class Document:
    """The searched text of one table: columns weighted A (titles) and B (bodies)."""

    table: str
    index: str
    title_columns: tuple[str, ...]
    body_columns: tuple[str, ...] = ()

    def _vector(self, columns: tuple[str, ...], weight: str) -> str:
        text = " || ' ' || ".join(f'"{self.table}"."{column}"' for column in columns)
        return f"setweight(to_tsvector('{CONFIG}'::regconfig, {text}), '{weight}')"

    @property
    def sql(self) -> str:
        parts = [self._vector(self.title_columns, "A")]
        if self.body_columns:
            parts.append(self._vector(self.body_columns, "B"))
        return " || ".join(parts)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.title_columns + self.body_columns

    def create_index_sql(self) -> str:
        return f'CREATE INDEX IF NOT EXISTS {self.index} ON "{self.table}" USING gin (({self.sql}))'

    def drop_index_sql(self) -> str:
        return f"DROP INDEX IF EXISTS {self.index}"


MEETING = Document("pilotage_meeting", "search_meeting_document", ("title",), ("agenda", "minutes"))
DECISION = Document("pilotage_decision", "search_decision_document", ("text",))
ACTION = Document("pilotage_action", "search_action_document", ("title",), ("description", "outcomes"))
FINDING = Document("diagnostics_finding", "search_finding_document", ("title",), ("description",))
LOGBOOK_ENTRY = Document(
    "evaluation_logbookentry",
    "search_logbookentry_document",
    ("happened",),
    ("difficulties", "lessons", "changes_of_course", "next_steps", "support_needed"),
)
PARTNER = Document("sites_partnerorganisation", "search_partner_document", ("name",))
