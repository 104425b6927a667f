from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = "Évaluation"

    def ready(self):
        # Imported here: the figures read every app's models, which exist only once apps are ready.
        from evaluation.figures import aggregates

        aggregates.connect_receivers()
