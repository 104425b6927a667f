"""The shared SVG charts: valid XML, escaped labels, accessible markup, tables matching the data."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from django.template.loader import render_to_string

from atc.charts import column_chart, format_number, grouped_bars, share_bar, slope_chart

SVG_NS = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(str(chart.svg))


def test_french_number_format():
    assert format_number(0.8) == "0,8"
    assert format_number(Decimal("7.0")) == "7"
    assert format_number(12.25, 2) == "12,25"
    assert format_number(1234567, 0) == "1\u202f234\u202f567"
    assert format_number(None) == "—"


def test_grouped_bars_is_accessible_xml_with_escaped_labels():
    chart = grouped_bars(
        title="Lecture du territoire",
        categories=["Confiance <script>alert(1)</script>", "Coopération & liens"],
        series=[("Institutionnels", [4.5, Decimal("6.0")]), ("Animateur·rice", [7.2, None])],
        max_value=10,
    )
    root = parse(chart)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 640 ")
    assert root.find(f"{SVG_NS}title").text == "Lecture du territoire"
    assert root.find(f"{SVG_NS}desc").text == chart.summary
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    texts = [t.text for t in root.iter(f"{SVG_NS}text")]
    assert "Confiance <script>alert(1)</script>" in texts
    assert "Coopération & liens" in texts
    assert "7,2" in texts
    assert "style=" not in chart.svg


def test_grouped_bars_table_matches_the_data():
    chart = grouped_bars(
        title="Lecture",
        categories=["Confiance", "Coopération"],
        series=[("Institutionnels", [4.5, 6]), ("Animateur·rice", [7.2, None])],
        category_header="Item",
        extra_columns=[("Écart", ["2,7", "—"])],
    )
    assert chart.table.headers == ["Item", "Institutionnels", "Animateur·rice", "Écart"]
    assert chart.table.rows == [["Confiance", "4,5", "7,2", "2,7"], ["Coopération", "6", "—", "—"]]
    assert chart.summary == "Valeur la plus haute : 7,2 pour « Confiance » (Animateur·rice)."


def test_stacked_columns_total_and_summary():
    chart = column_chart(
        title="Réunions par trimestre",
        categories=["T1 2021", "T2 2021"],
        series=[("Pilotage", [1, 2]), ("Ateliers", [3, 0])],
    )
    parse(chart)
    assert chart.table.headers == ["Période", "Pilotage", "Ateliers", "Total"]
    assert chart.table.rows == [["T1 2021", "1", "3", "4"], ["T2 2021", "2", "0", "2"]]
    assert "T1 2021 (4)" in chart.summary


def test_side_by_side_columns_have_no_total_column():
    chart = column_chart(title="Actions", categories=["2021"], series=[("A", [2]), ("B", [5])], stacked=False)
    parse(chart)
    assert chart.table.headers == ["Période", "A", "B"]


def test_slope_chart_reports_the_change():
    chart = slope_chart(
        title="Évolution",
        start_label="01/10/2019",
        end_label="01/03/2021",
        lines=[("Confiance", 4, Decimal("6.5")), ("Coopération", 5, 5)],
        max_value=10,
    )
    parse(chart)
    assert chart.table.rows == [["Confiance", "4", "6,5", "+2,5"], ["Coopération", "5", "5", "0"]]
    assert "1 en hausse, 0 en baisse, 1 stables" in chart.summary


def test_share_bar_percentages():
    chart = share_bar(title="Couverture", parts=[("Avec action", 3), ("Sans action", 1)])
    parse(chart)
    assert chart.table.rows == [["Avec action", "3", "75\u202f%"], ["Sans action", "1", "25\u202f%"]]


def test_empty_data_says_so():
    chart = grouped_bars(title="Lecture", categories=["Confiance"], series=[("A", [None])])
    assert chart.is_empty
    parse(chart)
    assert chart.summary == "Aucune donnée n'est encore saisie."


def test_two_charts_on_one_page_do_not_share_ids():
    first = grouped_bars(title="A", categories=["x"], series=[("s", [1]), ("t", [2])])
    second = grouped_bars(title="B", categories=["x"], series=[("s", [1]), ("t", [2])])
    assert parse(first).get("aria-labelledby") != parse(second).get("aria-labelledby")


def test_include_renders_figure_caption_and_table():
    chart = share_bar(title="Couverture <b>", parts=[("Avec action", 3), ("Sans action", 1)])
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert "<figure" in html and "<figcaption>" in html and "<details" in html
    assert '<th scope="row">Avec action</th>' in html
    assert "Couverture &lt;b&gt;" in html


def test_a_chart_whose_values_are_all_zero_still_renders_its_bars_and_table():
    chart = grouped_bars(
        title="Réunions par catégorie", categories=["État", "Associations"], series=[("Présents", [0, 0])]
    )
    assert parse(chart).findall(f".//{SVG_NS}rect")
    assert chart.table.rows == [["État", "0"], ["Associations", "0"]]
