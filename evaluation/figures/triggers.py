"""Database triggers that mark derived figures stale on every write, whatever the write path.

Every table a figure reads gets AFTER INSERT/UPDATE/DELETE row triggers that bump its site's
`sites_sitedataversion.version` (or the `epoch` counter for rows tied to no site), so that the
pre-aggregates and the cached figures can never go stale because a write path (bulk_create,
queryset.update, raw SQL, erasure…) skipped a Django signal. The same UPDATE bumps the counters of
the families of records the row belongs to (FAMILIES), and a record's own page counter
(`sites_recordversion`, RECORDS): the pages of records are kept under those, so that a meeting
saved leaves the action board kept.

They are dropped before every `migrate` and installed again after it (EvaluationConfig.ready),
never by a migration: SQLite rebuilds a table for many schema changes (adding a column with a
default, for one); a trigger naming the rebuilt table makes the rebuild fail, and the rebuilt
table has lost its own triggers. `missing()` lists what is absent;
`check_figures` reports it.
"""

from django.core.exceptions import ImproperlyConfigured

# Tables whose rows carry their site: (table, site expression with {row} for NEW/OLD, nullable site).
DIRECT = [
    ("pilotage_meeting", "{row}.site_id", True),
    ("pilotage_action", "{row}.site_id", False),
    ("pilotage_avoidedcostclaim", "{row}.site_id", False),
    ("pilotage_committee", "{row}.site_id", True),
    ("diagnostics_diagnostic", "{row}.site_id", False),
    ("diagnostics_finding", "{row}.site_id", False),
    ("diagnostics_assessment", "{row}.site_id", False),
    ("evaluation_logbookentry", "{row}.site_id", False),
    ("evaluation_indicatorvalue", "{row}.site_id", False),
    ("evaluation_indicatorobjective", "{row}.site_id", False),
    ("evaluation_campaignrecipient", "{row}.site_id", False),
    # An anonymous campaign's answer names no site: it bumps the global counter only.
    ("evaluation_campaignresponse", "{row}.site_id", True),
    ("sites_contextevent", "{row}.site_id", True),
    ("sites_facilitatorassignment", "{row}.site_id", False),
    ("sites_partnerorganisation", "{row}.site_id", False),
    ("sites_reviewcomment", "{row}.site_id", False),
    # Not counted (RECORDS_ONLY): listed on the meeting and action pages.
    ("pilotage_attachment", "{row}.site_id", False),
]
# Tables reaching their site through a parent row.
VIA_PARENT = [
    ("pilotage_meeting_organisations", "meeting_id", "pilotage_meeting"),
    ("pilotage_meetingparticipant", "meeting_id", "pilotage_meeting"),
    ("pilotage_decision", "meeting_id", "pilotage_meeting"),
    ("pilotage_action_partners", "action_id", "pilotage_action"),
    ("pilotage_action_findings", "action_id", "pilotage_action"),
    ("pilotage_committeemember", "committee_id", "pilotage_committee"),
    ("evaluation_logbookentry_meetings", "logbookentry_id", "evaluation_logbookentry"),
    ("evaluation_logbookentry_actions", "logbookentry_id", "evaluation_logbookentry"),
    ("sites_reviewreply", "comment_id", "sites_reviewcomment"),
    ("evaluation_campaignanswer", "response_id", "evaluation_campaignresponse"),
    # An action's history of states, shown on its page (RECORDS_ONLY: the state itself is on the
    # action's row).
    ("pilotage_actionstatuschange", "action_id", "pilotage_action"),
]
# Tables that no figure, pre-aggregate, signal or page kept under the site's version reads: their
# writes bump the families and records whose pages show them, not the site's version. An upload of
# minutes to a meeting (every few seconds on a busy site) thus neither makes the site's
# pre-aggregates stale (a rebuild on the next read of its home or dashboard) nor changes the data
# version the many-site tables are kept under.
RECORDS_ONLY = {"pilotage_attachment", "pilotage_actionstatuschange"}
# The site's own many-to-many rows: shown on its dashboard and used by the dashboards' filters.
SITE_LINKS = ["sites_site_priority_models", "sites_site_other_schemes", "sites_site_neighbourhoods"]
# Reference tables every site's figures may name (a network's name, a theme, an indicator…).
GLOBAL = [
    "sites_network",
    "sites_prioritymodel",
    "sites_scheme",
    # The priority neighbourhoods' names and codes, on the site pages kept under the versions.
    "sites_neighbourhood",
    "diagnostics_theme",
    "diagnostics_assessmentitem",
    "evaluation_indicator",
    "evaluation_campaign",
    "evaluation_question",
    # Its kind says which campaigns are crossed readings, kept with a site's dashboard figures.
    "evaluation_questionnaire",
]

# The families of a site's records, each with its own counter on `SiteDataVersion` (a column of
# that name): a page of records is kept under the families it shows (`{% figurecache
# "site-records" … reads="…" %}`), so a meeting saved leaves the action board, the findings and the
# logbook served from the cache. Here, not in sites.models: this module is imported before the
# models are (EvaluationConfig).
RECORD_FAMILIES = ("meetings", "actions", "setup", "diagnostic", "logbook", "partnerships")
# The families of records a table's writes bump beside the site's
# version, each always or when its condition holds for the row ({row}: NEW or OLD). A table named
# nowhere here bumps the site's version only: no page of records shows it. A page kept under some
# families shows nothing from the tables of the others (templates' `reads=`), so each condition
# says which pages show the row:
FAMILIES: dict[str, dict[str, str | None]] = {
    # An action's page shows the title and date of the meeting it was decided in and the text of
    # its decision: a meeting or decision that an action names bumps the actions too, so that the
    # action pages read the actions alone and a meeting being written elsewhere leaves them kept.
    # A logbook entry's page, likewise, lists the titles of its meetings and actions.
    "pilotage_meeting": {
        "meetings": None,
        "actions": "EXISTS (SELECT 1 FROM pilotage_action WHERE meeting_id = {row}.id)",
        "logbook": "EXISTS (SELECT 1 FROM evaluation_logbookentry_meetings WHERE meeting_id = {row}.id)",
    },
    # Who took part in what: counted on the partners' list, which reads no meeting or action.
    "pilotage_meeting_organisations": {"meetings": None, "partnerships": None},
    "pilotage_meetingparticipant": {"meetings": None},
    "pilotage_decision": {
        "meetings": None,
        "actions": "EXISTS (SELECT 1 FROM pilotage_action WHERE decision_id = {row}.id)",
    },
    # Listed on its meeting's page or its action's; an avoided-cost claim (on its action's page)
    # names its document, which may be any of the site's files.
    "pilotage_attachment": {
        "meetings": "{row}.meeting_id IS NOT NULL",
        "actions": "{row}.action_id IS NOT NULL "
        "OR EXISTS (SELECT 1 FROM pilotage_avoidedcostclaim WHERE document_id = {row}.id)",
    },
    "pilotage_action": {
        "actions": None,
        "logbook": "EXISTS (SELECT 1 FROM evaluation_logbookentry_actions WHERE action_id = {row}.id)",
    },
    "pilotage_action_partners": {"actions": None, "partnerships": None},
    "pilotage_action_findings": {"actions": None},
    "pilotage_actionstatuschange": {"actions": None},
    "pilotage_avoidedcostclaim": {"actions": None},
    "pilotage_committee": {"setup": None},
    "pilotage_committeemember": {"setup": None},
    "sites_facilitatorassignment": {"setup": None},
    "sites_partnerorganisation": {"setup": None},
    "diagnostics_diagnostic": {"diagnostic": None},
    "diagnostics_finding": {"diagnostic": None},
    "diagnostics_assessment": {"diagnostic": None},
    "evaluation_logbookentry": {"logbook": None},
    "evaluation_logbookentry_meetings": {"logbook": None},
    "evaluation_logbookentry_actions": {"logbook": None},
    "evaluation_indicatorvalue": {"logbook": None},
    "evaluation_indicatorobjective": {"logbook": None},
    # The site's own row: its slug is in every link of every page, its name on some.
    "sites_site": dict.fromkeys(RECORD_FAMILIES),
}

# Tables whose rows a record's own page shows: (kind, the record's id with {row}), bumping that
# record's `sites_recordversion` row, so that a meeting's page stays kept while others are saved.
# A kind names a part of the page kept under it ("meeting": all but the files; "meeting_files").
RECORDS: dict[str, tuple[str, str]] = {
    "pilotage_meeting": ("meeting", "{row}.id"),
    "pilotage_meeting_organisations": ("meeting", "{row}.meeting_id"),
    "pilotage_meetingparticipant": ("meeting", "{row}.meeting_id"),
    "pilotage_decision": ("meeting", "{row}.meeting_id"),
    # A meeting's files have their own version: the upload of its minutes (seconds after the
    # meeting is saved) leaves the rest of its page kept, only its list of files is drawn again.
    "pilotage_attachment": ("meeting_files", "{row}.meeting_id"),
}

EVENTS = {"ins": ("INSERT", ["NEW"]), "upd": ("UPDATE", ["OLD", "NEW"]), "del": ("DELETE", ["OLD"])}
# Columns whose change renames what pages kept under the versions show (a minutes author, a
# comment's writer): an UPDATE OF them bumps the epoch. Only these columns: a sign-in writes
# `last_login` on every user row, which must not empty every cache.
RENAMES = {"atc_user": ("first_name", "last_name", "email")}


def _bump_site(expr: str, table: str = "", row: str = "") -> str:
    counters = [] if table in RECORDS_ONLY else ["version = version + 1"]
    for family, condition in FAMILIES.get(table, {}).items():
        if condition is None:
            counters.append(f"{family} = {family} + 1")
        else:
            condition = condition.format(row=row)
            counters.append(f"{family} = {family} + CASE WHEN {condition} THEN 1 ELSE 0 END")
    return f"UPDATE sites_sitedataversion SET {', '.join(counters)} WHERE site_id = {expr};"


def _bump_record(table: str, row: str) -> list[str]:
    if table not in RECORDS:
        return []
    kind, expr = RECORDS[table]
    expr = expr.format(row=row)
    # An upsert, in the one form both databases accept in a trigger (SELECT … WHERE: an action's
    # attachment names no meeting).
    return [
        f"INSERT INTO sites_recordversion (kind, object_id, version) SELECT '{kind}', {expr}, 1 "
        f"WHERE {expr} IS NOT NULL "
        "ON CONFLICT (kind, object_id) DO UPDATE SET version = sites_recordversion.version + 1;"
    ]


def _bump(name: str, condition: str = "") -> str:
    where = f"name = '{name}'" + (f" AND {condition}" if condition else "")
    return f"UPDATE sites_figuresversion SET version = version + 1 WHERE {where};"


def _statements(table: str, rows: list[str], event: str) -> list[str]:
    statements = []
    for row in rows:
        if table == "sites_site":
            if event == "ins":
                statements.append(
                    "INSERT INTO sites_sitedataversion "
                    f"(site_id, version, aggregated_version, {', '.join(RECORD_FAMILIES)}) "
                    f"VALUES ({row}.id, 1, 0{', 1' * len(RECORD_FAMILIES)});"
                )
            elif event == "upd":
                statements.append(_bump_site(f"{row}.id", table, row))
            else:
                statements.append(_bump("epoch"))
            statements.append(_bump("sites"))
            continue
        direct = {name: (expr, nullable) for name, expr, nullable in DIRECT}
        parents = {name: (column, parent) for name, column, parent in VIA_PARENT}
        if table in direct:
            expr, nullable = direct[table]
            expr = expr.format(row=row)
            statements.append(_bump_site(expr, table, row))
            if nullable:
                statements.append(_bump("epoch", f"{expr} IS NULL"))
        elif table in parents:
            column, parent = parents[table]
            statements.append(
                _bump_site(f"(SELECT site_id FROM {parent} WHERE id = {row}.{column})", table, row)
            )
        elif table in SITE_LINKS:
            statements.append(_bump_site(f"{row}.site_id"))
            statements.append(_bump("sites"))
        else:
            statements.append(_bump("epoch"))
        statements += _bump_record(table, row)
    # An UPDATE bumps for both the old and the new row (a meeting moved to another site); the
    # global counters once are enough.
    return list(dict.fromkeys(statements))


def _tables() -> list[str]:
    return (
        ["sites_site"] + [t for t, _e, _n in DIRECT] + [t for t, _c, _p in VIA_PARENT] + SITE_LINKS + GLOBAL
    )


def _triggers(vendor: str) -> list[tuple[str, str, str, str]]:
    """(table, trigger name, what fires it — event, table, row and condition —, body) of every
    figure trigger."""
    triggers = [
        (
            table,
            f"figures_{table}_{suffix}",
            f"{event} ON {table} FOR EACH ROW",
            " ".join(_statements(table, rows, suffix)),
        )
        for table in _tables()
        for suffix, (event, rows) in EVENTS.items()
    ]
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    for table, columns in RENAMES.items():
        changed = " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)
        event = f"UPDATE OF {', '.join(columns)} ON {table} FOR EACH ROW WHEN ({changed})"
        triggers.append((table, f"figures_{table}_rename", event, _bump("epoch")))
    return triggers


def install(connection) -> None:
    """Create (or re-create) every figure trigger; idempotent."""
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        # atc.settings accepts only these two databases (database_from_url); a third would serve
        # stale figures without triggers, so it is refused outright.
        raise ImproperlyConfigured(f"The figures need PostgreSQL or SQLite, not {vendor}.")
    with connection.cursor() as cursor:
        for table, name, event, body in _triggers(vendor):
            if vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ "
                    f"BEGIN {body} RETURN NULL; END $$ LANGUAGE plpgsql;"
                )
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
                cursor.execute(f"CREATE TRIGGER {name} AFTER {event} EXECUTE FUNCTION {name}();")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name};")
                cursor.execute(f"CREATE TRIGGER {name} AFTER {event} BEGIN {body} END;")


def uninstall(connection) -> None:
    """Drop every figure trigger that exists (the tables may not exist yet)."""
    absent = set(missing(connection))
    with connection.cursor() as cursor:
        for table, name in names():
            if name in absent:
                continue
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table};")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}();")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name};")


def names() -> list[tuple[str, str]]:
    """(table, trigger name) of every trigger the figures need."""
    return [(table, name) for table, name, _event, _body in _triggers("")]


def missing(connection) -> list[str]:
    """The figure triggers absent from the database (empty when all are in place)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return [name for _table, name in names() if name not in present]
