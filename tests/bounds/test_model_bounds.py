"""Every number and date a person can type has a plausible range, declared in atc/bounds.py: a new
model field without one fails here."""

from django.apps import apps
from django.db import models

from atc import bounds

APPS = ("atc", "sites", "pilotage", "diagnostics", "evaluation")
BOUNDED_TYPES = (models.DateField, models.IntegerField, models.DecimalField, models.FloatField)
# Written by the platform, never typed: job bookkeeping, heartbeats and the derived quarterly
# figures (sums of bounded inputs).
COMPUTED = {
    "atc.Heartbeat": "the worker's heartbeat",
    "sites.SiteQuarterStats": "figures derived from bounded inputs",
    "sites.SiteDataVersion": "counters bumped by the figure triggers",
    "sites.FiguresVersion": "counters bumped by the figure triggers",
    "sites.RecordVersion": "counters bumped by the figure triggers",
    "evaluation.ShowcaseVersion": "the counter bumped by every showcase publication",
    "evaluation.EvaluationReport.attempts": "retry counter",
    "evaluation.EvaluationReport.page_count": "measured on the rendered PDF",
    "evaluation.EvaluationReportPart.index": "position of a part, set by the renderer",
    "evaluation.EvaluationReportPart.page_count": "measured on the rendered PDF",
    "pilotage.Attachment.size": "measured on the upload, bounded by the upload limit",
    # A choice among 0, 1 and 2 in a list: the choices bound it (a validator on a choice field would
    # see the typed text before it becomes a number).
    "evaluation.Indicator.decimal_places": "a choice among 0, 1, 2",
    "atc.NotificationDigest": "digest bookkeeping (the period a digest covers), written by its task",
    # Typed by the national team, but each rule's parameter has its own range, declared once beside
    # the rule (evaluation/figures/attention.py, Parameter.minimum/maximum) and checked by the
    # thresholds' form and service (tests/evaluation/test_attention_pages.py).
    "evaluation.AttentionThreshold.value": "bounded per rule parameter in evaluation/figures/attention.py",
}


def _typed_fields():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, BOUNDED_TYPES) or isinstance(field, models.DateTimeField):
                    continue
                if field.primary_key or not field.editable:
                    continue
                name = f"{model._meta.label}.{field.name}"
                if model._meta.label in COMPUTED or name in COMPUTED:
                    continue
                yield name, field


def _declared(field):
    """The explicit validators (field.validators adds the database's integer range)."""
    return field.deconstruct()[3].get("validators", [])


def test_every_typed_number_and_date_has_both_ends_of_a_declared_range():
    unbounded = []
    for name, field in _typed_fields():
        kinds = {(type(v).__name__, getattr(v, "kind", None)) for v in _declared(field)}
        lows = {kind for cls, kind in kinds if cls == "AtLeast"}
        highs = {kind for cls, kind in kinds if cls == "AtMost"}
        if not lows or lows != highs:
            unbounded.append(name)
    assert not unbounded, "fields without a range from atc/bounds.py:\n" + "\n".join(unbounded)


def test_every_date_field_reads_the_experiments_span():
    for name, field in _typed_fields():
        if isinstance(field, models.DateField):
            assert {getattr(v, "kind", None) for v in _declared(field)} == {"date"}, name


def test_the_walk_sees_the_fields_it_must():
    names = {name for name, _field in _typed_fields()}
    assert {"pilotage.Meeting.date", "pilotage.Meeting.attendees_state", "pilotage.Action.progress"} <= names
    assert bounds.RANGES["date"].high.year == 2100
