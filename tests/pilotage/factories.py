import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from pilotage.models import (
    Action,
    Attachment,
    AvoidedCostClaim,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingParticipant,
)
from sites.models import Site
from tests.sites.factories import PartnerOrganisationFactory

# The smallest file the upload checks accept as a PDF.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _marseille():
    return Site.objects.get(slug="marseille")


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    site = factory.LazyFunction(_marseille)
    kind = Committee.Kind.STEERING
    name = factory.Sequence(lambda n: f"Instance de pilotage {n}")

    class Params:
        working_group = factory.Trait(
            kind=Committee.Kind.WORKING_GROUP,
            name=factory.Sequence(lambda n: f"Groupe de travail {n}"),
        )
        national = factory.Trait(
            site=None,
            kind=Committee.Kind.NATIONAL,
            name=factory.Sequence(lambda n: f"Comité de suivi national {n}"),
        )


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(CommitteeFactory)
    organisation = factory.SubFactory(
        PartnerOrganisationFactory, site=factory.SelfAttribute("..committee.site")
    )
    person_name = factory.Faker("name", locale="fr_FR")
    title = "Référent·e"
    category = factory.SelfAttribute("organisation.category")


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    site = factory.LazyFunction(_marseille)
    kind = Meeting.Kind.PARTNERS_WORKSHOP
    title = factory.Sequence(lambda n: f"Atelier partenarial {n}")
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=3))
    format = Meeting.Format.IN_PERSON
    location = "Centre social Frais Vallon"
    attendees_association = 4
    attendees_residents = 6

    class Params:
        steering = factory.Trait(
            kind=Meeting.Kind.STEERING,
            title=factory.Sequence(lambda n: f"Comité de pilotage {n}"),
            committee=factory.SubFactory(CommitteeFactory, site=factory.SelfAttribute("..site")),
        )
        with_minutes = factory.Trait(
            minutes="Tour de table, points d'étape.",
            minutes_status=Meeting.MinutesStatus.VALIDATED,
        )


class MeetingParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingParticipant

    meeting = factory.SubFactory(MeetingFactory, steering=True)
    member = factory.SubFactory(
        CommitteeMemberFactory, committee=factory.SelfAttribute("..meeting.committee")
    )
    presence = MeetingParticipant.Presence.PRESENT


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Organiser une fête de quartier n° {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    site = factory.LazyFunction(_marseille)
    title = factory.Sequence(lambda n: f"Action collective {n}")
    description = "Ateliers hebdomadaires avec les associations du quartier."
    status = Action.Status.RUNNING
    progress = 40
    residents_reached = 25
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    end_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))

    class Params:
        overdue = factory.Trait(
            end_date=factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=5))
        )
        idea = factory.Trait(status=Action.Status.IDEA, progress=0, start_date=None, end_date=None)
        done = factory.Trait(status=Action.Status.DONE, progress=100)

    @factory.post_generation
    def partners(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.partners.set(extracted)


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    site = factory.LazyFunction(_marseille)
    meeting = factory.SubFactory(MeetingFactory, site=factory.SelfAttribute("..site"))
    action = None
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="0f1e2d3c4b5a69788796a5b4c3d2e1f0.pdf"))
    original_name = "compte-rendu.pdf"
    content_type = "application/pdf"
    size = len(PDF_BYTES)

    class Params:
        on_action = factory.Trait(
            meeting=None,
            action=factory.SubFactory(ActionFactory, site=factory.SelfAttribute("..site")),
        )


class ClaimFactory(factory.django.DjangoModelFactory):
    """An avoided cost declared by the site team (traits: documented by a partner, verified)."""

    class Meta:
        model = AvoidedCostClaim

    site = factory.LazyFunction(_marseille)
    action = factory.SubFactory(ActionFactory, site=factory.SelfAttribute("..site"))
    kind = AvoidedCostClaim.Kind.AVOIDED
    description = "Réparations de vandalisme évitées"
    amount = Decimal("1200")
    period_start = datetime.date(2021, 1, 1)
    period_end = datetime.date(2021, 6, 30)
    hypothesis = "Deux réparations de portes de hall par trimestre, 300 € chacune, n'ont plus eu lieu."
    confidence = AvoidedCostClaim.Confidence.DECLARED

    class Params:
        documented = factory.Trait(
            source=AvoidedCostClaim.Source.PARTNER,
            source_detail="Bailleur social, responsable de secteur",
            confidence=AvoidedCostClaim.Confidence.DOCUMENTED,
        )
