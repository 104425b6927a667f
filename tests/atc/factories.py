import factory
from django.utils import timezone

from atc.models import Notification, Role, User

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """allauth requires a verified email to sign in (mandatory verification)."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.FACILITATOR

    @factory.post_generation
    def sites(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.sites.set(extracted)


class NotificationFactory(factory.django.DjangoModelFactory):
    """An unread inbox row about a comment (traits: `read`, `emailed`)."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "comment"
    title = factory.Sequence(lambda n: f"Nouveau commentaire n° {n}")
    body = "Le conseil citoyen a-t-il été associé ?"
    url = "/"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))
        emailed = factory.Trait(emailed_at=factory.LazyFunction(timezone.now))
