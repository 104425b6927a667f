import datetime
from decimal import Decimal

import factory

from sites.models import FacilitatorAssignment, OrganisationCategory, PartnerOrganisation, Site


class PartnerOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerOrganisation

    site = factory.LazyFunction(lambda: Site.objects.get(slug="marseille"))
    name = factory.Sequence(lambda n: f"Association partenaire {n}")
    category = OrganisationCategory.ASSOCIATION

    class Params:
        state = factory.Trait(
            name=factory.Sequence(lambda n: f"Préfecture — service {n}"),
            category=OrganisationCategory.STATE,
        )
        local_authority = factory.Trait(
            name=factory.Sequence(lambda n: f"Mairie — direction {n}"),
            category=OrganisationCategory.LOCAL_AUTHORITY,
        )


class FacilitatorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FacilitatorAssignment

    site = factory.LazyFunction(lambda: Site.objects.get(slug="marseille"))
    person_name = factory.Faker("name", locale="fr_FR")
    position = FacilitatorAssignment.Position.LEAD
    fte = Decimal("0.8")
    contract_type = FacilitatorAssignment.ContractType.CDD
    start_date = datetime.date(2020, 1, 6)
    end_date = None

    class Params:
        support = factory.Trait(position=FacilitatorAssignment.Position.SUPPORT, fte=Decimal("0.2"))
        ended = factory.Trait(end_date=datetime.date(2021, 6, 30))
