"""Every way text can reach a page unescaped is listed here with the reason it is safe (issue 12).

Stored markup acted on another person's page once: an indicator's definition went through
crispy-bootstrap5's `help_text|safe`. These tests read every template the engine actually resolves
(ours, and the installed packages' unless we override them) and every module of the project, and
fail on a `|safe`, an `{% autoescape off %}`, a `mark_safe`, a `format_html` or a `SafeString` that
nobody has reviewed. Adding one means adding it below, with its reason.

`tests/atc/test_planted_markup.py` is the behavioural side: markup planted in every stored text
must not act on any page.
"""

import ast
import re
from pathlib import Path

from django import forms
from django.template import Context, Template, engines
from django.template.utils import get_app_template_dirs

ROOT = Path(__file__).resolve().parents[2]
PROJECT_PACKAGES = ("atc", "sites", "pilotage", "diagnostics", "evaluation")

UNESCAPED = re.compile(r"\{\{[^}]*?\|\s*safe(?:seq)?\b[^}]*\}\}|\{%\s*autoescape\s+off\s*%\}")

CRISPY_OWN_HTML = "crispy's own output: fields and layout objects it has rendered (and escaped) itself"
ADMIN_LITERALS = "Django admin (administrators only): help texts and descriptions are literals in code"
# (template name, unescaped expression) → why it cannot carry stored text. Plain-text e-mail
# templates (`.txt`) may turn autoescape off: a text/plain body is never read as markup.
# The API's documentation (evaluation/api/urls.py: Swagger UI only, Redoc not served).
SPECTACULAR_JSON = (
    "drf-spectacular's json.dumps of SPECTACULAR_SETTINGS and the auth schemes' names: settings "
    "literals, never stored data"
)
# DRF's browsable API, which the API does not enable (JSON renderer only, atc/settings.py).
DRF_FORMS = "DRF's browsable-API forms: not rendered (REST_FRAMEWORK's renderers are JSON only)"
DRF_FORM_TEMPLATES = [
    f"rest_framework/{layout}/{kind}.html"
    for layout in ("horizontal", "vertical")
    for kind in ("checkbox", "checkbox_multiple", "input", "radio", "select", "select_multiple", "textarea")
] + ["rest_framework/raw_data_form.html"]

REVIEWED_TEMPLATES = {
    ("reports/pdf/_part_pages.html", "{% autoescape off %}"): (
        "CSS for the PDF's page boxes: only translated literals and an integer page number"
    ),
    ("admin/includes/fieldset.html", "{{ fieldset.description|safe }}"): ADMIN_LITERALS,
    ("admin/includes/fieldset.html", "{{ field.field.help_text|safe }}"): ADMIN_LITERALS,
    ("admin/auth/user/change_password.html", "{{ form.usable_password.help_text|safe }}"): ADMIN_LITERALS,
    ("admin/auth/user/change_password.html", "{{ form.password1.help_text|safe }}"): ADMIN_LITERALS,
    ("admin/auth/user/change_password.html", "{{ form.password2.help_text|safe }}"): ADMIN_LITERALS,
    ("registration/password_change_form.html", "{{ form.new_password1.help_text|safe }}"): ADMIN_LITERALS,
    ("registration/password_change_form.html", "{{ form.new_password2.help_text|safe }}"): ADMIN_LITERALS,
    ("registration/password_reset_email.html", "{% autoescape off %}"): (
        "Django's password-reset e-mail, sent as text/plain (allauth sends ours)"
    ),
    ("bootstrap5/accordion-group.html", "{{ fields|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/accordion.html", "{{ content|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/div.html", "{{ fields|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/field_with_buttons.html", "{{ buttons|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/buttonholder.html", "{{ fields_output|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/alert.html", "{{ content|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/row.html", "{{ fields|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/tab.html", "{{ links|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/tab.html", "{{ content|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/fieldset.html", "{{ fields|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/formactions.html", "{{ fields_output|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/column.html", "{{ fields|safe }}"): CRISPY_OWN_HTML,
    ("bootstrap5/layout/fieldset.html", "{{ legend|safe }}"): (
        "a Fieldset's legend is a literal in our FormHelpers (none of them builds one from data)"
    ),
    ("bootstrap5/layout/button.html", "{{ button.content|safe }}"): (
        "a Submit's label is a translated literal in our FormHelpers"
    ),
    ("drf_spectacular/redoc.html", "{{ settings|safe }}"): SPECTACULAR_JSON,
    ("drf_spectacular/swagger_ui.js", "{{ oauth2_config|safe }}"): SPECTACULAR_JSON,
    ("drf_spectacular/swagger_ui.js", "{{ schema_auth_names|safe }}"): SPECTACULAR_JSON,
    ("drf_spectacular/swagger_ui.js", "{{ settings|safe }}"): SPECTACULAR_JSON,
    **{(name, "{{ field.help_text|safe }}"): DRF_FORMS for name in DRF_FORM_TEMPLATES},
}

CHARTS = "builds SVG in Python; every label goes through escape() (tests/atc/test_charts.py)"
# (module, function) → why its mark_safe / format_html / SafeString is safe.
REVIEWED_PYTHON = {
    ("atc/charts.py", "Chart"): "the type of a chart's finished SVG",
    ("atc/charts.py", "render"): CHARTS,
    ("atc/charts.py", "print_svg"): "the chart's own SVG with its <title> replaced by the escaped alt text "
    "(title and summary both escaped: tests/reports/test_report_on_demo_data.py)",
    ("sites/francemap.py", "france_map"): CHARTS,
}
UNSAFE_NAMES = {
    "mark_safe",
    "format_html",
    "format_html_join",
    "SafeString",
    "SafeText",
    "Markup",
    "mark_for_escaping",
}


def _resolved_templates():
    """(name, source) of every template the engine resolves. Its loaders look in the project's
    directory, then in each app's in INSTALLED_APPS order, so the first file of a name is the one used
    (an override hides the original)."""
    engine = engines["django"].engine
    seen = set()
    for directory in [*engine.dirs, *get_app_template_dirs("templates")]:
        for path in sorted(Path(directory).rglob("*")):
            name = path.relative_to(directory).as_posix()
            if not path.is_file() or name in seen:
                continue
            seen.add(name)
            yield name, path.read_text(encoding="utf-8", errors="replace")


def test_every_unescaped_template_expression_is_reviewed():
    found = set()
    for name, source in _resolved_templates():
        for match in UNESCAPED.finditer(source):
            expression = re.sub(r"\s+", " ", match.group(0)).replace("|safe}}", "|safe }}")
            if name.endswith(".txt") and "autoescape" in expression:
                continue
            found.add((name, expression))
    unreviewed = sorted(found - REVIEWED_TEMPLATES.keys())
    assert not unreviewed, "unescaped output nobody reviewed (add it to REVIEWED_TEMPLATES, with why):\n" + (
        "\n".join(f"{name}: {expr}" for name, expr in unreviewed)
    )
    # A reviewed entry that no longer exists is removed, so the list stays the truth.
    assert not REVIEWED_TEMPLATES.keys() - found


def _unsafe_calls(path: Path) -> set[str]:
    """The innermost function or class around each use of an unescaping helper in the module."""
    owners = set()

    def visit(node, owner):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            owner = node.name
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if name in UNSAFE_NAMES:
            owners.add(owner)
        for child in ast.iter_child_nodes(node):
            visit(child, owner)

    visit(ast.parse(path.read_text(encoding="utf-8")), "<module>")
    return owners


def test_every_unescaping_helper_in_the_code_is_reviewed():
    found = set()
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = path.relative_to(ROOT).as_posix()
            found.update((module, owner) for owner in _unsafe_calls(path))
    unreviewed = sorted(found - REVIEWED_PYTHON.keys())
    assert not unreviewed, "mark_safe/format_html nobody reviewed (add to REVIEWED_PYTHON, with why):\n" + (
        "\n".join(f"{module}: {owner}" for module, owner in unreviewed)
    )
    assert not REVIEWED_PYTHON.keys() - found


class _StoredHelpForm(forms.Form):
    value = forms.CharField(help_text='<b hx-post="/x" hx-trigger="load">stored</b>')


def test_a_help_text_from_the_database_renders_as_text_in_crispy_forms():
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
        Context({"form": _StoredHelpForm()})
    )
    assert "&lt;b hx-post=&quot;/x&quot;" in html
    assert "<b hx-post" not in html
