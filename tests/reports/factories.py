import datetime
from decimal import Decimal

import factory

from evaluation.models import (
    Campaign,
    CampaignRecipient,
    EvaluationReport,
    Indicator,
    IndicatorValue,
    Periodicity,
    ReportSchedule,
    Scope,
)
from sites.models import Site


def _marseille():
    return Site.objects.get(slug="marseille")


class SurveyFactory(factory.django.DjangoModelFactory):
    """A questionnaire campaign sent on `sent_on` (the reports' word: an « enquête »)."""

    class Meta:
        model = Campaign

    class Params:
        sent_on = datetime.date(2020, 9, 14)

    questionnaire = factory.SubFactory("tests.surveys.factories.QuestionnaireFactory")
    title = factory.Sequence(lambda n: f"Questionnaire flash {n}")
    opens_on = factory.SelfAttribute("sent_on")
    closes_on = factory.LazyAttribute(lambda o: o.sent_on + datetime.timedelta(days=60))


class SurveyRecipientFactory(factory.django.DjangoModelFactory):
    """A recipient of a campaign, who answered on `responded_on` (or on 30/09/2020 with `answered`)."""

    class Meta:
        model = CampaignRecipient

    class Params:
        survey = factory.SubFactory(SurveyFactory)
        responded_on = None
        answered = factory.Trait(responded_on=datetime.date(2020, 9, 30))

    campaign = factory.SelfAttribute("survey")
    site = factory.LazyFunction(_marseille)
    function = CampaignRecipient.Function.PREFET_DELEGATE
    name = factory.Sequence(lambda n: f"Destinataire {n}")
    email = factory.Sequence(lambda n: f"destinataire{n}@example.org")
    token_hash = factory.Sequence(lambda n: f"test:{n}")
    answered_on = factory.SelfAttribute("responded_on")


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
