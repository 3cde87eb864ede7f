"""axe-core (tests/browser/vendor/axe.min.js, MPL-2.0) run inside a page by Playwright: the
accessibility rules of WCAG 2.x A and AA, and axe's best practices, checked on what the page
shows now. The script is handed to the page through the DevTools protocol (page.evaluate), so the
page's Content-Security-Policy, which refuses any script not its own, stays as it is."""

from __future__ import annotations

from functools import cache

from helpers.paths import ROOT

AXE = ROOT / "tests" / "browser" / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """axe's violations on `page` as it is: [{id, impact, help, targets}]."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    found = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")),
            }));
        }"""
    )
    return list(found)


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def summary(name: str, violations: list[dict]) -> str:
    """ "front-phone: 0 serious or critical; moderate: region (2)": one line for the test's output."""
    others = [f"{v['impact']}: {v['id']} ({len(v['targets'])})" for v in violations if v["impact"] not in BLOCKING]
    return f"axe {name}: {len(blocking(violations))} serious or critical" + (f"; {', '.join(others)}" if others else "")
