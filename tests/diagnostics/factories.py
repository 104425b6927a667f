import datetime
from decimal import Decimal

import factory

from diagnostics.models import Assessment, AssessmentItem, Diagnostic, Finding, Theme
from sites.models import Site


def _marseille():
    return Site.objects.get(slug="marseille")


class DiagnosticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnostic

    site = factory.LazyFunction(_marseille)
    title = factory.Sequence(lambda n: f"Diagnostic partagé {n}")
    date = datetime.date(2020, 6, 15)


class FindingFactory(factory.django.DjangoModelFactory):
    """A finding on a theme of the national catalogue (loaded by migration)."""

    class Meta:
        model = Finding

    site = factory.LazyFunction(_marseille)
    theme = factory.LazyFunction(lambda: Theme.objects.get(code="civic-engagement"))
    title = factory.Sequence(lambda n: f"Les associations travaillent chacune de leur côté {n}")
    description = "Relevé lors de l'atelier de lancement."
    source = Finding.Source.WORKSHOP
    date = datetime.date(2020, 6, 15)

    class Params:
        food = factory.Trait(theme=factory.LazyFunction(lambda: Theme.objects.get(code="food-solidarity")))
        survey = factory.Trait(source=Finding.Source.SURVEY)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    site = factory.LazyFunction(_marseille)
    item = factory.LazyFunction(lambda: AssessmentItem.objects.get(code="trust"))
    respondent_kind = Assessment.RespondentKind.INSTITUTIONAL
    date = datetime.date(2019, 10, 1)
    score = Decimal("5.0")
    respondents = 4

    class Params:
        by_facilitator = factory.Trait(respondent_kind=Assessment.RespondentKind.FACILITATOR, respondents=1)
        by_residents = factory.Trait(respondent_kind=Assessment.RespondentKind.RESIDENTS)
