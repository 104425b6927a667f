import datetime
from decimal import Decimal

import factory

from evaluation.models import (
    EvaluationReport,
    Indicator,
    IndicatorValue,
    Periodicity,
    ReportSchedule,
    Scope,
    Survey,
    SurveyRecipient,
)
from sites.models import Site


def _marseille():
    return Site.objects.get(slug="marseille")


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Questionnaire flash {n}")
    sent_on = datetime.date(2020, 9, 14)


class SurveyRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyRecipient

    survey = factory.SubFactory(SurveyFactory)
    site = factory.LazyFunction(_marseille)
    function = SurveyRecipient.Function.PREFET_DELEGATE

    class Params:
        answered = factory.Trait(responded_on=datetime.date(2020, 9, 30))


class IndicatorFactory(factory.django.DjangoModelFactory):
    """An indicator entered by the sites, every quarter."""

    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"indicateur-{n}")
    name = factory.Sequence(lambda n: f"Habitant·es mobilisé·es {n}")
    definition = "Nombre d'habitant·es ayant participé à une action de la période."
    unit = "personnes"
    source = Indicator.Source.ENTERED
    periodicity = Periodicity.QUARTER
    default_objective = Decimal("50")

    class Params:
        computed = factory.Trait(
            source=Indicator.Source.COMPUTED,
            computation="steering_meetings",
            unit="réunions",
            name=factory.Sequence(lambda n: f"Réunions de pilotage {n}"),
        )


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    site = factory.LazyFunction(_marseille)
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 3, 31)
    value = Decimal("42")


class ReportScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSchedule

    name = factory.Sequence(lambda n: f"Rapport national trimestriel {n}")
    scope = Scope.NATIONAL
    periodicity = Periodicity.QUARTER
    recipients = "comite@example.org\nanct@example.org"


class EvaluationReportFactory(factory.django.DjangoModelFactory):
    """A national report on the first quarter of 2021, still queued."""

    class Meta:
        model = EvaluationReport

    scope = Scope.NATIONAL
    period_label = "2021-Q1"
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 3, 31)

    class Params:
        on_site = factory.Trait(scope=Scope.SITE, site=factory.LazyFunction(_marseille))
        failed = factory.Trait(status=EvaluationReport.Status.FAILED, error="Le rendu a échoué.")
