"""axe-core (the copy shipped inside the axe-playwright-python wheel) run in the test's Chromium.

The script is injected with `page.evaluate`, through the DevTools protocol: a <script> tag would be
refused by the platform's Content-Security-Policy, which is exactly what the browser tests enforce.
"""

from functools import cache
from importlib import resources

# RGAA 4.1 follows WCAG 2.1 AA: the rules of those levels, plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING_IMPACTS = {"serious", "critical"}


@cache
def axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


def axe_violations(page) -> list[dict]:
    """The serious and critical violations axe finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe(path: str, violations: list[dict]) -> str:
    """One readable block per violation: rule id, impact, help, and the offending elements."""
    lines = []
    for violation in violations:
        lines.append(
            f"{path}: {violation['id']} ({violation['impact']}) — {violation['help']}"
            f" [{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node['failureSummary']}")
    return "\n".join(lines)
