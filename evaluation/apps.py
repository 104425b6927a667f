from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate

from evaluation.figures import triggers
from evaluation.search import folding  # noqa: F401  (registers the SQLite folding function)


def _drop_figure_triggers(sender, using, **kwargs):
    triggers.uninstall(connections[using])


def _install_figure_triggers(sender, using, **kwargs):
    triggers.install(connections[using])


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        # Around every migrate (see evaluation/figures/triggers.py for why not in a migration).
        pre_migrate.connect(_drop_figure_triggers, sender=self)
        post_migrate.connect(_install_figure_triggers, sender=self)
