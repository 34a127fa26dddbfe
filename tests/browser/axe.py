"""axe-core in the page under test: inject the vendored copy, run it, report what it finds.

axe is a test tool, so it lives here and never under ``app/static``: the app does not serve
it. WebDriver's scripts run outside the page's Content-Security-Policy.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from selenium.webdriver.remote.webdriver import WebDriver

VENDOR = Path(__file__).resolve().parent / "vendor"
# What a page may not have: the impacts axe calls serious or critical.
BLOCKING = ("serious", "critical")


@cache
def source() -> str:
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    (folder,) = [name for name, entry in manifest.items() if entry["package"] == "axe-core"]
    return (VENDOR / folder / "axe.min.js").read_text(encoding="utf-8")


def violations(driver: WebDriver) -> list[dict]:
    """Every axe violation on the current page (all of axe's default rules)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(source() + "; return 1")
    return driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]})
            .then(results => done(results.violations))
            .catch(error => done([{id: "axe-error", impact: "critical",
                                   help: String(error), helpUrl: "", nodes: []}]));
        """
    )


def blocking(found: list[dict]) -> list[dict]:
    return [violation for violation in found if violation["impact"] in BLOCKING]


def describe(found: list[dict]) -> str:
    """Violations as a reader wants them: rule, impact, what to fix, and where."""
    lines = []
    for violation in found:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            summary = node.get("failureSummary", "").replace("\n", "\n      ")
            lines.append(f"      {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
