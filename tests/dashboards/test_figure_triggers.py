"""Every table a stored or cached figure can read has its three figure triggers, so that a new
table (or a new figure reading an old one) cannot be forgotten by the freshness mechanism."""

import inspect
import pkgutil
from importlib import import_module

import pytest
from django.apps import apps
from django.db import models

import evaluation.figures
from sites.models import Site
from tests.dashboards.test_figure_properties import drop_figure_triggers, figure_triggers

pytestmark = pytest.mark.django_db

# Tables reaching a site that no stored or cached figure reads, each with why.
NOT_FIGURES = {
    "evaluation_quote": "actors' words chosen for a report's text, never counted",
    "evaluation_historicalquote": "audit history, never counted",
    "evaluation_reportnarrative": "a report's texts, never counted",
    "evaluation_reportnarrative_logbook_entries": "logbook extracts a report quotes, never counted",
    "evaluation_reportnarrative_quotes": "the words a report's text quotes, never counted",
    "evaluation_historicalreportnarrative": "audit history of a report's texts, never counted",
    "evaluation_historicalreportnarrative_logbook_entries": "audit history, never counted",
    "evaluation_historicalreportnarrative_quotes": "audit history of a report's texts, never counted",
    "atc_role_sites": "who may read a site (the access cache has its own version)",
    "sites_sitequarterstats": "the pre-aggregates themselves",
    "sites_sitedataversion": "the versions the triggers bump",
    "pilotage_historicalmeeting": "audit history, never counted",
    "pilotage_historicalaction": "audit history, never counted",
    "diagnostics_historicalfinding": "audit history, never counted",
    "diagnostics_historicalassessment": "audit history, never counted",
    "evaluation_historicallogbookentry": "audit history, never counted",
    "sites_historicalfacilitatorassignment": "audit history (the team page's), never counted",
    "evaluation_logbookreminder": "reminder bookkeeping",
    "evaluation_evaluationreport": "the reports themselves",
    "evaluation_evaluationreportpart": "the reports themselves",
    "evaluation_reportschedule": "report schedules",
    "evaluation_reportlinkuse": "the trace of the reports' signed links",
    "evaluation_attentionsignal": "written by the signals' refresh itself, which bumps the `signals` counter",
    "atc_notification": "people's inboxes, never counted",
    "pilotage_minutesevent": "the minutes' history; the meeting row each step changes has its triggers",
    "pilotage_historicalavoidedcostclaim": "audit history, never counted",
    "evaluation_experiencesheet": "experience sheets: texts, no figure (the showcase has its own version)",
    "evaluation_experiencesheet_actions": "experience sheets: texts, no figure",
    "evaluation_historicalexperiencesheet": "audit history, never counted",
    "evaluation_siteshowcase": "public pages: texts, versioned by the showcase's own counter",
    "evaluation_siteshowcase_achievements": "public pages: texts, versioned by the showcase's own counter",
    "evaluation_historicalsiteshowcase": "audit history, never counted",
    "evaluation_showcasefile": "public pages' files, versioned by the showcase's own counter",
    "evaluation_historicalshowcasefile": "audit history, never counted",
    "evaluation_answerdraft": "a recipient's unsent draft, never counted",
    "evaluation_historicalcampaign": "audit history, never counted",
    "evaluation_historicalquestion": "audit history, never counted",
    "evaluation_historicalquestionnaire": "audit history, never counted",
}
# Read by the figures package without being figures: the counters and who reads.
# The attention signals are the output of the rules (versioned by their own counter), and a change
# of their thresholds refreshes every site's signals.
FIGURES_BOOKKEEPING = {
    "sites_sitequarterstats",
    "sites_sitedataversion",
    "sites_figuresversion",
    "sites_recordversion",
    "atc_user",
    "evaluation_attentionsignal",
    "evaluation_attentionthreshold",
}
EVENTS = ("ins", "upd", "del")


def _reaches_a_site(model, depth: int = 0) -> bool:
    if model is Site:
        return True
    if depth > 2:
        return False
    return any(
        f.is_relation and f.related_model not in (None, model) and _reaches_a_site(f.related_model, depth + 1)
        for f in model._meta.concrete_fields
    )


def _figure_modules():
    for info in pkgutil.iter_modules(evaluation.figures.__path__):
        yield import_module(f"evaluation.figures.{info.name}")


def _tables_read_by_the_figures() -> set[str]:
    """The tables of the models the figures package imports, and their many-to-many tables
    (but the bookkeeping)."""
    tables = set()
    for module in _figure_modules():
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, models.Model) and not value._meta.abstract:
                if value._meta.db_table in FIGURES_BOOKKEEPING:
                    continue
                tables.add(value._meta.db_table)
                tables |= {f.remote_field.through._meta.db_table for f in value._meta.local_many_to_many}
    return tables


def _missing(tables) -> dict[str, list[str]]:
    installed = {name for name, _table in figure_triggers()}
    return {
        table: [event for event in EVENTS if f"figures_{table}_{event}" not in installed]
        for table in sorted(tables)
        if any(f"figures_{table}_{event}" not in installed for event in EVENTS)
    }


def test_every_table_reaching_a_site_has_its_triggers_or_says_why_not():
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True) if _reaches_a_site(m)}
    assert _missing(tables - set(NOT_FIGURES)) == {}
    # An exemption for a table that no longer exists is a stale reason.
    assert set(NOT_FIGURES) <= tables


def test_every_table_the_figures_read_has_its_triggers():
    read = _tables_read_by_the_figures()
    assert "pilotage_meeting" in read and "sites_partnerorganisation" in read  # the walk finds them
    assert _missing(read) == {}
    # An exempted table read by the figures package would be a figure without freshness.
    assert read & set(NOT_FIGURES) == set()


def test_the_walk_fails_on_a_table_without_triggers(marseille):
    """The check can fail: a figure table whose triggers are dropped is reported."""
    assert _missing({"pilotage_meeting"}) == {}
    drop_figure_triggers()
    assert _missing({"pilotage_meeting"}) == {"pilotage_meeting": list(EVENTS)}
