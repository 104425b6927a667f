"""The site tables' rows are built in Python for speed: they must print exactly what the template
they replace printed, French formats and escaping included."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import engines

from evaluation.dashboards.templatetags.site_tables import site_rows

# The template loop the Python replaces, with the platform's number filters (atc.formats).
TEMPLATE = """{% load formats %}{% for s in rows %}
<tr>
    <th scope="row"><a href="{% url 'dashboards:site' s.slug %}">{{ s.name }}</a></th>
    <td>{{ s.network.name }}</td>
    <td>{{ s.region }}</td>
    <td class="num">{{ s.fte|number:2 }}</td>
    <td class="num">{{ s.meetings_count|number }}</td>
    <td class="num">{{ s.steering|number }}</td>
    <td class="num">{{ s.civil_share|percent }}</td>
    <td class="num">{{ s.steering_civil_share|percent }}</td>
    <td class="num">{{ s.actions_count|number }}</td>
    <td class="num">{{ s.actions_done|number }}</td>
    <td class="num">{{ s.reached|number }}</td>
    <td class="num">{{ s.partners_max|number }}</td>
    <td class="num">{{ s.logbook_filled|number }}/{{ s.expected|number }}</td>
    <td class="num">{{ s.indicators_filled|number }}/{{ s.expected|number }}</td>
</tr>
{% empty %}
<tr>
    <td colspan="14">Aucun site ne correspond à ces critères dans votre périmètre.</td>
</tr>
{% endfor %}"""


def _row(n, **changes):
    values = {
        "slug": f"site-{n}",
        "name": f"Site {n}",
        "network": SimpleNamespace(name="FCSF"),
        "region": "Hauts-de-France",
        "fte": Decimal("0.8"),
        "meetings_count": 12,
        "steering": 3,
        "civil_share": 41.6,
        "steering_civil_share": 11.2,
        "actions_count": 7,
        "actions_done": 2,
        "reached": 140,
        "partners_max": 9,
        "logbook_filled": 4,
        "indicators_filled": 0,
        "expected": 6,
    }
    return SimpleNamespace(**{**values, **changes})


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


ROWS = [
    _row(1),
    _row(2, fte=Decimal("1.00"), civil_share=None, meetings_count=0),
    _row(3, fte=Decimal("0.75"), civil_share=49.5, reached=None, meetings_count=4944),
    _row(4, fte=Decimal("1.005"), civil_share=Decimal("0.5"), partners_max=None),
    _row(5, fte=None, civil_share=100.0, expected=0),
    _row(6, name="<script>alert('x')</script> & Cie", region='Île "de" France'),
    _row(7, network=SimpleNamespace(name="Réseau <b>gras</b>"), fte=Decimal("2")),
]


@pytest.mark.parametrize("rows", [ROWS, []], ids=["rows", "no site"])
def test_rows_match_the_template_they_replace(rows):
    expected = engines["django"].from_string(TEMPLATE).render({"rows": rows})
    assert _squash(str(site_rows(rows))) == _squash(expected)


def test_rows_escape_what_people_typed():
    html = str(site_rows([ROWS[5]]))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Cie" in html
    assert "0,8" in html and "42\u202f%" in html
