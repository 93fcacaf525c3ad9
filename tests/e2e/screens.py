"""Screenshots of the main screens for the README, taken during the browser tests.

Only with SCREENSHOTS=1 in the environment (`make screenshots`), so that an ordinary test run
never rewrites the tracked files in docs/screenshots/. Each screen is saved twice: desktop
(1280 by 860) and phone (390 by 844), the first screen of the page unless `full_page`;
`dark=True` adds a dark-scheme desktop shot.
"""

import os
from pathlib import Path

SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def screenshots_wanted() -> bool:
    return os.environ.get("SCREENSHOTS", "").strip().lower() in {"1", "true", "yes", "on"}


def shoot(
    page, name: str, *, dark: bool = False, full_page: bool = False, at: str | None = None
) -> None:
    """Save `name`-desktop.png and `name`-phone.png (and `name`-dark.png) of the page as it is;
    `at` (a CSS selector) scrolls that element to the top first."""
    if not screenshots_wanted():
        return
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    # No blinking caret or half-finished transition in the pictures.
    options = {"animations": "disabled", "caret": "hide", "full_page": full_page}

    def take(suffix: str) -> None:
        if at:
            page.locator(at).first.evaluate(
                "element => { element.scrollIntoView({block: 'start'}); window.scrollBy(0, -16); }"
            )
        page.screenshot(path=SCREENSHOTS_DIR / f"{name}-{suffix}.png", **options)

    take("desktop")
    if dark:
        page.emulate_media(color_scheme="dark")
        take("dark")
        page.emulate_media(color_scheme="no-override")
    page.set_viewport_size(PHONE)
    take("phone")
    page.set_viewport_size(viewport)
    page.evaluate("window.scrollTo(0, 0)")
