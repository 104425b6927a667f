"""The floor page: the base layout and a 50-row table built in memory, no query of its own.

Reachable only in the benchmark process (bench/run.py adds its URL at run time)."""

from django.http import HttpResponse
from django.template import engines

ROWS = [
    {"name": f"Site {n}", "network": "FCSF", "region": "Région", "meetings": n * 3, "actions": n}
    for n in range(50)
]
TEMPLATE = """{% extends "base.html" %}
{% block title %}Plancher{% endblock title %}
{% block content %}
  <h1>Plancher</h1>
  <table>
    <caption>50 lignes</caption>
    <thead><tr><th scope="col">Site</th><th scope="col">Réseau</th><th scope="col">Région</th>
    <th scope="col">Réunions</th><th scope="col">Actions</th></tr></thead>
    <tbody>
      {% for row in rows %}
        <tr><th scope="row"><a href="#">{{ row.name }}</a></th><td>{{ row.network }}</td>
        <td>{{ row.region }}</td><td>{{ row.meetings }}</td><td>{{ row.actions }}</td></tr>
      {% endfor %}
    </tbody>
  </table>
{% endblock content %}"""


def floor_page(request):
    # Compiled once, as the cached template loader keeps a real page's template.
    if not hasattr(floor_page, "template"):
        floor_page.template = engines["django"].from_string(TEMPLATE)
    return HttpResponse(floor_page.template.render({"rows": ROWS}, request))
