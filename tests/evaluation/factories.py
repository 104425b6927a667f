import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from evaluation.models import (
    ExperienceSheet,
    LogbookEntry,
    LogbookReminder,
    Quote,
    ShowcaseFile,
    SiteShowcase,
)
from pilotage.models import Action
from sites.models import Site
from tests.pilotage.factories import PDF_BYTES, ActionFactory, AttachmentFactory


def _marseille():
    return Site.objects.get(slug="marseille")


class LogbookEntryFactory(factory.django.DjangoModelFactory):
    """A periodic review of the first quarter of 2021."""

    class Meta:
        model = LogbookEntry
        skip_postgeneration_save = True

    site = factory.LazyFunction(_marseille)
    kind = LogbookEntry.Kind.PERIODIC
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 3, 31)
    happened = factory.Sequence(lambda n: f"Trois ateliers partenariaux et un comité de pilotage ({n}).")
    difficulties = "Confinement : réunions en visioconférence."
    time_spent_hours = Decimal("210.5")

    class Params:
        event = factory.Trait(
            kind=LogbookEntry.Kind.EVENT,
            happened="Fête de quartier co-organisée par cinq associations.",
        )

    @factory.post_generation
    def meetings(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.meetings.set(extracted)

    @factory.post_generation
    def actions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.actions.set(extracted)


class LogbookReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LogbookReminder

    site = factory.LazyFunction(_marseille)
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 3, 31)
    recipients = "facilitator@example.org"


class QuoteFactory(factory.django.DjangoModelFactory):
    """An actor's words on Marseille, signed by role (no name, no consent)."""

    class Meta:
        model = Quote

    site = factory.LazyFunction(_marseille)
    text = "Avant, chacun travaillait dans son coin ; maintenant on se connaît et on s'appelle."
    speaker_role = "Directrice d'une association d'aide alimentaire"
    said_on = datetime.date(2021, 6, 15)

    class Params:
        named = factory.Trait(
            speaker_name="Nadia Benali", name_consent=True, consent_on=datetime.date(2021, 6, 15)
        )


class ExperienceSheetFactory(factory.django.DjangoModelFactory):
    """A draft experience sheet (traits: reviewed, published)."""

    class Meta:
        model = ExperienceSheet
        skip_postgeneration_save = True

    site = factory.LazyFunction(_marseille)
    title = factory.Sequence(lambda n: f"Un stock alimentaire partagé entre associations ({n})")
    context = "Six associations d'aide alimentaire se faisaient concurrence pour les mêmes dons."
    cooperation = "Des réunions mensuelles animées par l'ATC, puis une convention de mutualisation."
    lessons = "Commencer par un inventaire commun."
    contacts = "Coordinatrice de la banque alimentaire ; animateur ATC de la structure porteuse."

    class Params:
        reviewed = factory.Trait(status=ExperienceSheet.Status.REVIEWED)
        published = factory.Trait(status=ExperienceSheet.Status.PUBLISHED)


class SiteShowcaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteShowcase
        skip_postgeneration_save = True

    site = factory.LazyFunction(_marseille)
    presentation = (
        "Dans le quartier, l'ATC réunit associations, bailleur et habitant·es autour d'un projet commun."
    )
    is_published = False


def _done_action_attachment(showcase_file):
    site = showcase_file.showcase.site
    action = ActionFactory(site=site, status=Action.Status.DONE)
    return AttachmentFactory(site=site, meeting=None, action=action, original_name="bilan-fete.pdf")


class ShowcaseFileFactory(factory.django.DjangoModelFactory):
    """A PDF attached to a done action, chosen for the site's public page (its public copy made)."""

    class Meta:
        model = ShowcaseFile

    showcase = factory.SubFactory(SiteShowcaseFactory)
    attachment = factory.LazyAttribute(_done_action_attachment)
    description = "Le bilan de la fête de quartier"
    public_file = factory.LazyFunction(
        lambda: ContentFile(PDF_BYTES, name="5e4d3c2b1a09f8e7d6c5b4a392817060.pdf")
    )
    content_type = "application/pdf"
