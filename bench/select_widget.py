"""`python bench/select_widget.py`: why the bank's filter menus keep questions.forms.PlainSelect.

Django's forms.Select renders a template per <option>; the bank list's tag menu has one option
per tag (369 in the starter bank). This renders that menu with Django's Select and with
PlainSelect, in this process, and puts the figures in bench/results.md ("## The filter menus'
widget"). Needs no database.
"""

from __future__ import annotations

import os
import secrets
import sys
import timeit
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import write_section  # noqa: E402

if TYPE_CHECKING:
    from django.forms import Widget

HEADING = "## The filter menus' widget (issue 15)"
OPTIONS = 370
ROUNDS, NUMBER = 7, 30


def best_ms(widget: Widget) -> float:
    render = lambda: widget.render("tag", "tag-200", {"id": "id_tag"})  # noqa: E731
    render()
    return min(timeit.repeat(render, number=NUMBER, repeat=ROUNDS)) / NUMBER * 1000


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prep.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django import forms

    from questions.forms import PlainSelect

    choices = [("", "Any tag")] + [(f"tag-{n}", f"Tag number {n}") for n in range(OPTIONS)]
    select = best_ms(forms.Select(choices=choices))
    plain = best_ms(PlainSelect(choices=choices))
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    section = "\n".join(
        [
            HEADING,
            "",
            f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/select_widget.py` (load average "
            f"{load}): the tag menu of /questions/, {OPTIONS} options, rendered in process, the "
            f"best of {ROUNDS} rounds of {NUMBER}.",
            "",
            "| Widget | One render |",
            "|---|---:|",
            f"| Django's `forms.Select` (a template per option) | {select:.1f} ms |",
            f"| `questions.forms.PlainSelect` (one `format_html_join`) | {plain:.1f} ms |",
            "",
            f"Select takes {select / plain:.1f} × as long: {select - plain:.0f} ms more on every "
            "bank list page and filter change, so PlainSelect stays.",
            "",
        ]
    )
    write_section(HEADING, section)
    print(section)


if __name__ == "__main__":
    main()
