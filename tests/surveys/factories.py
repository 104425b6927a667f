import datetime

import factory
from django.utils import timezone

from evaluation.models import Campaign, CampaignRecipient, Question, Questionnaire
from evaluation.surveys.services import SIDE_OF_FUNCTION
from evaluation.surveys.tokens import token_hash


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Questionnaire

    title = factory.Sequence(lambda n: f"Questionnaire {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"Question {n} ?")
    kind = Question.Kind.SCALE
    required = True


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    title = factory.Sequence(lambda n: f"Campagne {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class RecipientFactory(factory.django.DjangoModelFactory):
    """A recipient whose link is `token` (the raw token is kept on the object for the test)."""

    class Meta:
        model = CampaignRecipient
        exclude = ("token",)

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"Personne {n}")
    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    function = CampaignRecipient.Function.PREFET_DELEGATE
    side = factory.LazyAttribute(
        lambda o: SIDE_OF_FUNCTION.get(o.function, CampaignRecipient.Side.INSTITUTIONAL)
    )
    token = factory.Sequence(lambda n: f"jeton-de-test-{n:04d}-aaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    invited_at = factory.LazyFunction(timezone.now)


def recipient_with_token(token: str, **kwargs) -> CampaignRecipient:
    recipient = RecipientFactory(token_hash=token_hash(token), **kwargs)
    recipient.token = token
    return recipient
