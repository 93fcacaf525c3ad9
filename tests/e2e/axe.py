"""Run axe-core (tests/e2e/vendor/axe.min.js) in a page, in light and dark colour schemes.

The script is evaluated through the DevTools protocol (page.evaluate), which the page's
Content-Security-Policy does not govern, so no inline <script> is needed and the policy the
tests see is the one users get.
"""

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
SCHEMES = ("light", "dark")


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page, *, impacts=BLOCKING_IMPACTS) -> list[dict]:
    """The violations of the page as it is now whose impact is in `impacts`."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """async () => await window.axe.run(document, {
            resultTypes: ["violations"],
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]},
        })"""
    )
    return [v for v in results["violations"] if v["impact"] in impacts]


def describe(violations: list[dict], *, where: str) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']} on {where}: {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:8]:
            target = " ".join(str(part) for part in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}\n      {node['html'][:200]}\n      {summary}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more elements")
    return "\n".join(lines)


def check_accessibility(page, label: str, *, schemes=SCHEMES) -> None:
    """Assert no serious or critical axe violation on the page, in light and in dark colours."""
    problems = []
    for scheme in schemes:
        page.emulate_media(color_scheme=scheme)
        # Scripts that follow the scheme (the code editor's theme) restyle a frame later.
        page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        violations = axe_violations(page)
        if violations:
            problems.append(describe(violations, where=f"{label} ({scheme}, {page.url})"))
    page.emulate_media(color_scheme="no-override")
    assert not problems, "axe-core found accessibility problems:\n" + "\n".join(problems)
