"""Which way to render the site tables' 50 rows and the filters' options (issue 11, item 6): the
options measured on the same data in one process, beside the floor page's own 50-row loop.

    .venv/bin/python -m bench.fragments

(a) Jinja2 (templates/jinja2/, what the pages use), (b) the rendered fragment read back from the
versioned figure cache (a hit), (c) Django templates: the loop the pages had before, and a leaner
one (the link computed before the loop instead of `{% url %}` per row). No database is needed.
"""

import os
import statistics
import time
from decimal import Decimal
from types import SimpleNamespace

ROWS_DJANGO = """{% for s in rows %}
<tr>
  <th scope="row"><a href="{% url 'dashboards:site' s.slug %}">{{ s.name }}</a></th>
  <td>{{ s.network.name }}</td>
  <td>{{ s.region }}</td>
  <td class="num">{{ s.fte|floatformat:"-2" }}</td>
  <td class="num">{{ s.meetings_count }}</td>
  <td class="num">{{ s.steering }}</td>
  <td class="num">{% if s.civil_share is None %}—{% else %}
    {{ s.civil_share|floatformat:0 }} %{% endif %}</td>
  <td class="num">{{ s.actions_count }}</td>
  <td class="num">{{ s.actions_done }}</td>
  <td class="num">{{ s.reached }}</td>
  <td class="num">{{ s.partners_max }}</td>
  <td class="num">{{ s.logbook_filled }}/{{ s.expected }}</td>
  <td class="num">{{ s.indicators_filled }}/{{ s.expected }}</td>
</tr>
{% endfor %}"""
ROWS_DJANGO_LEAN = ROWS_DJANGO.replace("{% url 'dashboards:site' s.slug %}", "{{ s.url }}")
ROWS_JINJA = '{% load jinja %}{% jinja "dashboards/_site_rows.html" rows=rows %}'
OPTIONS_DJANGO = """{% for select in selects %}
<select name="{{ select.name }}">
  {% for value, label in select.choices %}
    <option value="{{ value }}"{% if value == select.selected %} selected{% endif %}>{{ label }}</option>
  {% endfor %}
</select>
{% endfor %}"""
OPTIONS_JINJA = """{% load jinja %}{% for select in selects %}
<select name="{{ select.name }}">
  {% jinja "dashboards/_options.html" choices=select.choices selected=select.selected %}
</select>
{% endfor %}"""
FLOOR_LOOP = """{% for row in rows %}
<tr><th scope="row"><a href="#">{{ row.name }}</a></th><td>{{ row.network }}</td>
<td>{{ row.region }}</td><td>{{ row.meetings }}</td><td>{{ row.actions }}</td></tr>
{% endfor %}"""


def _rows() -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            slug=f"site-{n}",
            name=f"Site {n} <Saint-Denis>",
            network=SimpleNamespace(name="FCSF"),
            region="Hauts-de-France",
            fte=Decimal(n % 7) / 4,
            meetings_count=n * 3,
            steering=n % 5,
            civil_share=None if n % 9 == 0 else (n * 7.3) % 100,
            actions_count=n,
            actions_done=n // 2,
            reached=n * 40,
            partners_max=n % 12,
            logbook_filled=n % 6,
            indicators_filled=n % 4,
            expected=6,
        )
        for n in range(50)
    ]


def _medians_ms(candidates: dict, repeat: int) -> dict[str, float]:
    """Each candidate's median, the renders interleaved so that noise (other processes sharing the
    cores) hits every candidate alike."""
    for render in candidates.values():
        render()
    timings = {name: [] for name in candidates}
    for _n in range(repeat):
        for name, render in candidates.items():
            started = time.perf_counter()
            render()
            timings[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in timings.items()}


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atc.settings")
    django.setup()
    from django.template import engines
    from django.urls import reverse
    from django.utils import timezone, translation

    from atc.periods import EXPERIMENT_START, quarter_label, quarter_param, quarters_between
    from bench.floor import ROWS as FLOOR_ROWS
    from evaluation.figures.cache import cached

    translation.activate("fr")
    template = engines["django"].from_string
    rows = _rows()
    for row in rows:
        row.url = reverse("dashboards:site", args=[row.slug])
    quarters = [("", "Tous")]
    quarters += [
        (quarter_param(q), quarter_label(q)) for q in quarters_between(EXPERIMENT_START, timezone.localdate())
    ]
    regions = [("", "Tous")] + [(f"Région {n}", f"Région {n}") for n in range(18)]
    selects = [
        {"name": "region", "choices": regions, "selected": ""},
        {"name": "du", "choices": quarters, "selected": "2021-T1"},
        {"name": "au", "choices": quarters, "selected": ""},
    ]
    floor, rows_jinja, options_jinja = template(FLOOR_LOOP), template(ROWS_JINJA), template(OPTIONS_JINJA)
    rows_django, rows_lean, options_django = (
        template(ROWS_DJANGO),
        template(ROWS_DJANGO_LEAN),
        template(OPTIONS_DJANGO),
    )
    candidates = {
        "floor page's 50-row loop (Django)": lambda: floor.render({"rows": FLOOR_ROWS}),
        "rows (c) Django, as before": lambda: rows_django.render({"rows": rows}),
        "rows (c) Django, leaner": lambda: rows_lean.render({"rows": rows}),
        "rows (a) Jinja2": lambda: rows_jinja.render({"rows": rows}),
        "rows (b) cache hit": lambda: cached(("bench-rows",), lambda: rows_jinja.render({"rows": rows})),
        "options (c) Django": lambda: options_django.render({"selects": selects}),
        "options (a) Jinja2": lambda: options_jinja.render({"selects": selects}),
        "options (b) cache hit": lambda: cached(
            ("bench-options",), lambda: options_jinja.render({"selects": selects})
        ),
    }
    repeat = int(os.environ.get("BENCH_REQUESTS", "200"))
    print(
        f"{sum(len(s['choices']) for s in selects)} options, {len(rows)} rows; median ms of {repeat} renders"
    )
    medians = _medians_ms(candidates, repeat)
    floor_ms = medians["floor page's 50-row loop (Django)"]
    for name, median in medians.items():
        print(f"  {name:36s} {median:7.3f} ms  {median / floor_ms:5.1f}× the floor's loop")


if __name__ == "__main__":
    main()
