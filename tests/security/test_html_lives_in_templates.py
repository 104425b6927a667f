"""HTML is written in templates, where the engine escapes every value. Code that marks a Python
string as safe (`mark_safe`, `SafeString`, `format_html`, `Markup`…) skips that escaping, so only
the chart builders, which escape each label themselves, may do it (STYLE.md, rule 5)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# The chart module and the map, which is a chart: SVG built from numbers and escaped labels.
ALLOWED = {"atc/charts.py", "sites/francemap.py"}
MARKING = {"mark_safe", "SafeString", "SafeText", "format_html", "format_html_join", "Markup"}
SKIPPED = {".venv", "var", "node_modules", "tests", ".git"}


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not SKIPPED.intersection(relative.parts[:1]):
            yield relative.as_posix(), path


def _marking_calls(source: str) -> list[tuple[int, str]]:
    """Imports of a marking function (so an alias cannot hide it), and its uses: calls, and
    references such as `map(mark_safe, …)`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name in MARKING]
        name = (
            node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
        )
        if name in MARKING and isinstance(node.ctx, ast.Load):
            found.append((node.lineno, name))
    return sorted(found)


def test_no_python_code_marks_html_safe_outside_the_chart_module():
    offenders = [
        f"{relative}:{line} {name}"
        for relative, path in _python_files()
        if relative not in ALLOWED
        for line, name in _marking_calls(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_each_way_of_marking_a_string():
    source = """
from django.utils import html, safestring
from django.utils.safestring import mark_safe as ms, SafeString
a = safestring.mark_safe("<b>")
b = SafeString("<b>")
c = html.format_html("<b>{}</b>", 1)
d = list(map(safestring.mark_safe, ["<i>"]))
"""
    assert _marking_calls(source) == [
        (3, "SafeString"),
        (3, "mark_safe"),
        (4, "mark_safe"),
        (5, "SafeString"),
        (6, "format_html"),
        (7, "mark_safe"),
    ]


def test_the_check_covers_the_dashboards():
    files = dict(_python_files())
    assert "evaluation/dashboards/views.py" in files and "atc/charts.py" in files
