"""Markup rules the HTML validator (tests/html/validate.py, a CI step that needs Java) would
report, checked on every page of the catalogue without it: machine-readable times a browser
accepts, and htmx's attributes in their valid data-hx-* form."""

import re

import pytest

from tests.site.catalogue import CATALOGUE

PAGES = [name for name, entry in CATALOGUE.items() if "GET" in entry.accepts]
# A valid global date and time: at most three digits after the seconds, an offset or Z.
VALID_DATETIME = re.compile(
    r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:?\d\d)|\d{4}-\d\d-\d\d|P.+"
)
BARE_HTMX_ATTRIBUTE = re.compile(r"<[^>]*\shx-[a-z-]+=", re.DOTALL)


def page_html(world, client, name: str) -> str:
    entry = CATALOGUE[name]
    user = world.user(entry.persona)
    if user is not None:
        client.force_login(user)
    response = client.get(entry.url(world), entry.query(world))
    if not response.get("Content-Type", "").startswith("text/html"):
        pytest.skip("not an HTML page")
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_times_are_valid_and_htmx_attributes_are_data_attributes(world, client, name):
    html = page_html(world, client, name)

    for value in re.findall(r'<time[^>]*\sdatetime="([^"]*)"', html):
        assert VALID_DATETIME.fullmatch(value), f"{name}: <time datetime={value!r}>"
    assert not BARE_HTMX_ATTRIBUTE.search(html), BARE_HTMX_ATTRIBUTE.search(html).group(0)
