"""The 15 real sites are in the database after migrate, with their public facts and confidence."""

import pytest

from sites.models import Network, Site

pytestmark = pytest.mark.django_db


def test_the_three_networks_carry_five_sites_each():
    counts = {n.name: n.sites.count() for n in Network.objects.all()}
    assert counts == {"FCSF": 5, "CNLRQ": 5, "BBZ": 5}


def test_marseille_has_both_official_codes_and_its_commune():
    site = Site.objects.get(slug="marseille")
    qpv = site.neighbourhoods.get()
    assert (qpv.code_2015, qpv.code_2024) == ("QP013044", "QN01344M")
    assert (site.insee_code, site.departement_code, site.region) == (
        "13055",
        "13",
        "Provence-Alpes-Côte d'Azur",
    )


def test_strasbourg_covers_two_neighbourhoods():
    codes = set(Site.objects.get(slug="strasbourg").neighbourhoods.values_list("code_2015", flat=True))
    assert codes == {"QP067011", "QP067013"}


def test_fort_de_france_keeps_its_overseas_departement_and_coordinates():
    site = Site.objects.get(slug="fort-de-france")
    assert site.departement_code == "972"
    assert site.neighbourhoods.get().code_2024 == "QN97201M"
    assert float(site.longitude) < -60


def test_the_two_inferred_neighbourhoods_are_flagged_low_confidence_with_a_reason():
    low = Site.objects.filter(data_confidence="low")
    assert set(low.values_list("city", flat=True)) == {"Roubaix", "Saint-Denis"}
    for site in low:
        assert "déduit" in site.data_notes
        assert site.data_sources


def test_the_nord_has_three_sites():
    assert set(Site.objects.filter(departement_code="59").values_list("city", flat=True)) == {
        "Tourcoing",
        "Grande-Synthe",
        "Roubaix",
    }
