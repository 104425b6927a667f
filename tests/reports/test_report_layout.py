"""The layout defects the national team found in the report, one by one: a legend cut off, the
« Guyane » label hidden under its shape, « (déduit) » in site names, « 0 sur 0 » for an indicator
without an objective, a number printed without the French format."""

import importlib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.apps import apps
from PIL import ImageFont

from atc import charts
from atc.periods import parse_period
from evaluation.reports.content import _meeting_bucket_label
from evaluation.reports.scopes import parse_scope
from evaluation.reports.services import render_html
from sites.francemap import MapPoint, france_map
from sites.models import Site
from tests.reports.factories import IndicatorFactory

SVG = "{http://www.w3.org/2000/svg}"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
THIN = "\u202f"


def _font(size: int):
    """The font WeasyPrint draws the charts' text with (the report's first family)."""
    assert DEJAVU.exists(), "fonts-dejavu-core is missing: run scripts/system-deps.sh test"
    return ImageFont.truetype(str(DEJAVU), size)


def _texts(svg: str):
    root = ET.fromstring(str(svg))
    return root, list(root.iter(f"{SVG}text"))


def test_a_long_legend_of_a_share_bar_fits_inside_the_chart():
    chart = charts.share_bar(
        title="Configurations de l'animation",
        parts=[
            ("Aucune personne enregistrée", 0),
            ("Une seule personne", 8),
            ("Une personne avec un appui", 3),
            ("Fonction partagée entre plusieurs professionnel·les de la structure porteuse", 4),
        ],
    )
    root, texts = _texts(chart.svg)
    font = _font(12)
    width = float(root.get("width"))

    legends = [text for text in texts if float(text.get("y")) >= 62]
    assert len(legends) == 4
    for text in legends:
        right = float(text.get("x")) + font.getlength(text.text)
        assert right <= width, f"« {text.text} » ends at {right:.0f} px, the chart is {width:.0f} px wide"


def test_short_legends_stay_on_two_columns():
    chart = charts.share_bar(title="Format", parts=[("Présentiel", 5), ("Visio", 2), ("Hybride", 1)])
    _root, texts = _texts(chart.svg)

    columns = {text.get("x") for text in texts if float(text.get("y")) >= 62}
    assert len(columns) == 2


def test_the_guyane_label_is_drawn_over_its_shape_on_a_white_band():
    chart = france_map(
        title="Carte",
        points=[
            MapPoint("Cayenne", 4.93, -52.33, "973", "Guyane"),
            MapPoint("Lyon", 45.76, 4.83, "69", "ARA"),
        ],
    )
    root = ET.fromstring(str(chart.svg))
    drawn = list(root.iter())
    shape = next(e for e in drawn if e.tag == f"{SVG}path" and e.get("data-region") == "guyane")
    label = next(e for e in drawn if e.get("data-inset-label") == "guyane")
    band = drawn[drawn.index(label) - 1]

    assert label.text == "Guyane"
    assert drawn.index(shape) < drawn.index(label)
    assert band.tag == f"{SVG}rect" and band.get("fill") == "#ffffff"
    assert float(band.get("x")) + float(band.get("width")) >= float(label.get("x")) + _font(10).getlength(
        "Guyane"
    )
    assert float(band.get("y")) <= float(label.get("y")) - 10


def test_bucket_labels_and_the_map_summary_print_numbers_the_french_way():
    assert _meeting_bucket_label(1000, None) == f"1{THIN}000 et plus"
    assert _meeting_bucket_label(1000, 2500) == f"1{THIN}000 – 2{THIN}500"
    points = [MapPoint(f"Site {n}", 45.0, 4.0, "69", "ARA") for n in range(1200)]
    assert france_map(title="Carte", points=points).summary.startswith(f"1{THIN}200 sites sur la carte")


@pytest.mark.django_db
def test_an_indicator_says_why_nothing_is_counted_instead_of_0_sur_0(evaluation_data):
    IndicatorFactory(name="Jardins partagés ouverts", unit="jardins", default_objective=None)
    IndicatorFactory(name="Ateliers tenus", unit="ateliers")
    IndicatorFactory(computed=True, name="Comités tenus", default_objective=1)

    html = render_html(target=parse_scope("national"), period=parse_period("2020-Q3"))

    def row(name):
        return html[html.index(f"{name} (") :].split("</tr>")[0]

    assert "sans objectif" in row("Jardins partagés ouverts")
    assert "aucune valeur sur la période" in row("Ateliers tenus")
    assert "1 sur 15" in row("Comités tenus")  # Marseille held two steering meetings in Q3 2020
    assert "0 sur 0" not in html


@pytest.mark.django_db
def test_site_names_and_neighbourhoods_carry_no_doubt_marker():
    names = list(Site.objects.values_list("name", "neighbourhood_label"))

    assert len(names) == 15
    assert not [name for name in names if "déduit" in " ".join(name)]
    roubaix = Site.objects.get(slug="roubaix")
    assert roubaix.name == "Roubaix – Nouveau Roubaix"
    assert roubaix.data_confidence == "low"  # the doubt stays where it belongs
    assert "déduit" in roubaix.data_notes


@pytest.mark.django_db
def test_the_migration_strips_the_marker_from_an_existing_database():
    migration = importlib.import_module("sites.migrations.0013_pdf_site_names")
    Site.objects.filter(slug="roubaix").update(
        name="Roubaix – Nouveau Roubaix (déduit)", neighbourhood_label="Nouveau Roubaix (déduit)"
    )
    Site.objects.filter(slug="grigny").update(name="Grigny – La Grande Borne")

    migration.strip_marker(apps, None)

    roubaix = Site.objects.get(slug="roubaix")
    assert (roubaix.name, roubaix.neighbourhood_label) == ("Roubaix – Nouveau Roubaix", "Nouveau Roubaix")
    assert Site.objects.get(slug="grigny").name == "Grigny – La Grande Borne"
