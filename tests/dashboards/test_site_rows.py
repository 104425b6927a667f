"""The site tables' rows and the filters' options are rendered by Jinja2 for speed: they must print
exactly what the Django template loops they replace printed, French formats and escaping included,
and the fragments kept in the figure cache must stay escaped."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

# The Django loop the Jinja2 rows replace, with the platform's number filters (atc.formats).
ROWS_TEMPLATE = """{% load formats %}{% for s in rows %}
<tr>
    <th scope="row"><a href="{% url 'dashboards:site' s.slug %}">{{ s.name }}</a></th>
    <td class="num">{% if s.attention %}{% with hidden=" points d'attention : voir lesquels" %}
        <a href="{% url 'attention:site_history' s.slug %}">{{ s.attention|number }}{% comment %}
        {% endcomment %}<span class="visually-hidden">{{ hidden }}</span></a>{% endwith %}{% comment %}
    {% endcomment %}{% else %}0{% endif %}</td>
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
    <td class="num">{% with f=s.logbook_filled e=s.expected %}
        <abbr title="{{ f }} trimestres sur {{ e }} attendus">{{ f|number }}/{{ e|number }}</abbr>
    {% endwith %}
    </td>
    <td class="num">{% with f=s.indicators_filled e=s.expected %}
        <abbr title="{{ f }} trimestres sur {{ e }} attendus">{{ f|number }}/{{ e|number }}</abbr>
    {% endwith %}
    </td>
</tr>
{% empty %}
<tr>
    <td colspan="15">Aucun site ne correspond à ces critères dans votre périmètre.</td>
</tr>
{% endfor %}"""

# The Django loop over a filter's options (what `{{ form.field }}`'s widget printed, leaner).
OPTIONS_TEMPLATE = """{% for value, label in choices %}
<option value="{{ value }}"{% if value|stringformat:"s" == selected %} selected{% endif %}>{% comment %}
{% endcomment %}{{ label }}</option>
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
        "attention": 2,
    }
    return SimpleNamespace(**{**values, **changes})


def _squash(html: str) -> str:
    """The markup without the whitespace between tags, and the two engines' spellings of the same
    escaped quotes made one (Django writes &#x27; and &quot;, Jinja2 &#39; and &#34;)."""
    html = html.replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
    return re.sub(r">\s+<", "><", html).strip()


def _jinja(name: str, **values) -> str:
    """The Jinja2 template as the pages include it: through `{% jinja %}` in a Django template."""
    keys = " ".join(f"{key}={key}" for key in values)
    return engines["django"].from_string(f'{{% load jinja %}}{{% jinja "{name}" {keys} %}}').render(values)


ROWS = [
    _row(1),
    _row(2, fte=Decimal("1.00"), civil_share=None, meetings_count=0, attention=0),
    # Half-up rounding: 0,125 → 0,13; 49,5 % → 50 %; 2,675 (a float) → 2,68; 0,5 % → 1 %.
    _row(3, fte=Decimal("0.125"), civil_share=49.5, reached=None),
    _row(4, fte=2.675, civil_share=Decimal("0.5"), partners_max=None),
    _row(5, fte=None, civil_share=100.0, expected=0, reached=1234567, steering_civil_share=None),
    _row(9, meetings_count=4944, fte=Decimal("1.005")),
    _row(6, name="<script>alert('x')</script> & Cie", region='Île "de" France'),
    _row(7, network=SimpleNamespace(name="Réseau <b>gras</b>"), fte=Decimal("2"), steering=True),
    _row(8, fte=Decimal("0.333"), civil_share=33.333, actions_count=-1, slug="saint-denis"),
]


@pytest.mark.parametrize("rows", [ROWS, []], ids=["rows", "no site"])
def test_rows_match_the_django_loop_they_replace(rows):
    expected = engines["django"].from_string(ROWS_TEMPLATE).render({"rows": rows})
    assert _squash(_jinja("dashboards/_site_rows.html", rows=rows)) == _squash(expected)


def test_rows_print_french_numbers_and_escape_what_people_typed():
    html = _jinja("dashboards/_site_rows.html", rows=ROWS)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Cie" in html
    assert "Île &#34;de&#34; France" in html
    assert '<td class="num">0,13</td>' in html and '<td class="num">2,68</td>' in html
    assert '<td class="num">50\u202f%</td>' in html and '<td class="num">1\u202f%</td>' in html
    assert '<td class="num">4\u202f944</td>' in html and '<td class="num">1\u202f234\u202f567</td>' in html
    assert f'href="{reverse("dashboards:site", args=["saint-denis"])}"' in html
    # A site with open attention signals links its count to their history; none prints 0.
    assert f'<a href="{reverse("attention:site_history", args=["site-1"])}">2<span' in html
    assert '<td class="num">0</td>' in html


CHOICES = [
    ("", gettext_lazy("Tous")),
    ("2021-T1", "T1 2021"),
    ("2021-T2", "T2 2021"),
    ("a&b", "Région <i>« Nord »</i>"),
    (3, "Trois"),
]


@pytest.mark.parametrize("selected", ["", "2021-T2", "a&b", "3", "inconnu"])
def test_options_match_the_django_loop_they_replace(selected):
    expected = (
        engines["django"].from_string(OPTIONS_TEMPLATE).render({"choices": CHOICES, "selected": selected})
    )
    html = _jinja("dashboards/_options.html", choices=CHOICES, selected=selected)
    assert _squash(html) == _squash(expected)
    assert html.count(" selected") == (0 if selected == "inconnu" else 1)
    assert "<i>" not in html


@pytest.mark.parametrize(
    "value",
    [
        0,
        4944,
        -12,
        True,
        None,
        Decimal("0.80"),
        Decimal("1234.5"),
        41.6,
        1e-7,
        datetime.date(2021, 3, 31),
        datetime.datetime(2021, 3, 31, 23, 30, tzinfo=datetime.UTC),
        "texte",
        "Nord <Pas-de-Calais> & « Aisne »",
        gettext_lazy("Tous"),
    ],
)
def test_jinja_prints_values_as_django_templates_do(value):
    """One formatter: `{{ value }}` is the same in both engines (the datetime in local time)."""
    django = engines["django"].from_string("{{ value }}").render({"value": value})
    jinja = engines["jinja2"].from_string("{{ value }}").render({"value": value})
    assert _squash(jinja) == _squash(django)


def test_a_datetime_prints_in_paris_time():
    moment = datetime.datetime(2021, 3, 31, 23, 30, tzinfo=datetime.UTC)
    assert engines["jinja2"].from_string("{{ value }}").render({"value": moment}).startswith("1 avril 2021")
    assert timezone.localtime(moment).day == 1


def test_a_site_name_with_markup_stays_escaped_in_the_cached_dashboard(client, national_team, marseille):
    marseille.name = "Marseille <img src=x onerror=alert(1)>"
    marseille.save()
    client.force_login(national_team)
    url = reverse("dashboards:site", args=[marseille.slug])
    for _attempt in ("computed", "from the cache"):
        html = client.get(url).content.decode()
        assert "<img src=x" not in html
        assert "Marseille &lt;img src=x onerror=alert(1)&gt;" in html
