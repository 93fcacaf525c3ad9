"""HEAD, as load balancers and uptime checkers send it: every page that answers GET answers HEAD
the same way (status, redirect, content type), with no body."""

import pytest

from tests.site.catalogue import CATALOGUE

PAGES = [name for name, entry in CATALOGUE.items() if "GET" in entry.accepts]


@pytest.mark.parametrize("name", PAGES)
def test_head_answers_like_get_without_a_body(world, client, name):
    entry = CATALOGUE[name]
    user = world.user(entry.persona)
    if user is not None:
        client.force_login(user)
    url, query = entry.url(world), entry.query(world)

    got = client.get(url, query)
    head = client.head(url, query)

    assert head.status_code == got.status_code, f"HEAD {url}: {head.status_code}"
    assert head.get("Location") == got.get("Location")
    assert head.get("Content-Type") == got.get("Content-Type")
    assert head.content == b""


@pytest.mark.parametrize("path", ["/", "/healthz", "/accounts/login/", "/accounts/signup/"])
def test_public_pages_answer_head_to_visitors(client, db, path):
    response = client.head(path)

    assert response.status_code == 200
    assert response.content == b""
