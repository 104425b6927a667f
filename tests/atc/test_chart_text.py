"""Charts stay readable when scrolled on a phone: 12 px text at least, a wider picture rather than
smaller text for many quarters, and partners' names wrapped, never cut."""

import xml.etree.ElementTree as ET

from atc.charts import column_chart, network_graph

SVG = "{http://www.w3.org/2000/svg}"


def _texts(chart):
    root = ET.fromstring(str(chart.svg))
    return root, [(t.text or "", float(t.get("font-size")), t) for t in root.iter(f"{SVG}text")]


def test_thirty_quarters_make_a_wider_chart_with_12_px_text():
    quarters = [f"T{q % 4 + 1} {2019 + q // 4}" for q in range(30)]
    chart = column_chart(
        title="Réunions par trimestre",
        categories=quarters,
        series=[("Pilotage", list(range(30))), ("Autres", [1] * 30)],
    )
    root, texts = _texts(chart)
    width = float(root.get("viewBox").split()[2])
    assert width >= 30 * 56
    assert root.get("width") == str(int(width))
    assert min(size for _text, size, _node in texts) >= 12
    assert {text for text, _size, _node in texts} >= set(quarters)


def test_a_long_partner_name_is_wrapped_whole_inside_the_graph():
    long_name = "Association intercommunale des habitant·es et locataires de Hautepierre-Cronenbourg"
    chart = network_graph(
        title="Qui travaille avec qui",
        nodes=[(long_name, "Association"), ("Ville", "Collectivité"), ("Préfecture du Bas-Rhin", "État")],
        edges=[(0, 1, 3), (1, 2, 1)],
    )
    root, texts = _texts(chart)
    width = float(root.get("viewBox").split()[2])
    shown = " ".join(text for text, _size, _node in texts)
    assert "…" not in shown
    for word in long_name.split():
        assert word in shown
    for text, size, node in texts:
        assert size >= 12
        x, anchor = float(node.get("x")), node.get("text-anchor")
        # 7 px per character of 12 px text (generous): the line stays within the picture.
        extent = 7 * len(text)
        left = {"start": x, "end": x - extent, "middle": x - extent / 2}[anchor]
        assert left >= 0 and left + extent <= width, (text, left, width)
