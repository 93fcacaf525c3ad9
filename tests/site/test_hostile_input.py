"""Hostile input at every URL: each view gets hostile values in every parameter it reads, and
never answers 500.

Which parameters a view reads is found out, not listed. The catalogue's request (its persona,
URL, query and valid POST body: tests/site/catalogue.py) is sent while QueryDict's readers note
every key asked of request.GET and request.POST, forms included (their widgets read the data
the same way); the keys found are sent too, with a plain value, and whatever more they make the
view read, until nothing new turns up. Then each key gets every value of HOSTILE_VALUES
(tests/security/hostile.py: Unicode digits, signs, huge and negative numbers, empty, whitespace,
NUL, 10 KB, wrong types), comes twice, comes as a file, and a name that carries an id (the mock
assessment's covered-<item id>) gets a hostile id. A POST also gets them in its query string.
Every other request comes as htmx sends it, for the views that answer htmx with a fragment.

Every request runs in a savepoint rolled back after it, with the cache emptied and the client's
cookies put back, so each meets the world as it was: an accepted answer does not make the next
request an "already answered", a log-out does not sign the next one out, the sign-up throttle
does not answer for the form.
"""

from contextlib import contextmanager
from http.cookies import SimpleCookie
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import QueryDict
from django.template.base import Template
from django.test import Client

from tests.security.hostile import HOSTILE_VALUES, hostile_names, repeated_values
from tests.site.catalogue import CATALOGUE

# The value sent for a parameter the view reads that the catalogue does not give.
PLAIN = "1"
# Present in the first GET so that a form bound only to a non-empty query string
# (`Form(request.GET or None)`) is bound, and reads its fields.
PROBE = "probe"
READERS = ("__getitem__", "__contains__", "get", "getlist", "pop")
ROUNDS = 4
HTMX = {"HX-Request": "true"}

REQUESTS = [
    pytest.param(name, method, id=f"{method} {name}")
    for name, entry in CATALOGUE.items()
    for method in entry.requests
]


@contextmanager
def recording_reads():
    """Note on each QueryDict the keys code asks it for (in its `keys_read`)."""

    def recorder(name):
        original = getattr(QueryDict, name)

        def read(query_dict, key, *args, **kwargs):
            query_dict.__dict__.setdefault("keys_read", set()).add(key)
            return original(query_dict, key, *args, **kwargs)

        return read

    patches = [mock.patch.object(QueryDict, name, recorder(name)) for name in READERS]
    for patch in patches:
        patch.start()
    try:
        yield
    finally:
        for patch in reversed(patches):
            patch.stop()


def keys_read(query_dict: QueryDict) -> set[str]:
    return {key for key in query_dict.__dict__.get("keys_read", ()) if isinstance(key, str)}


def send(client: Client, method: str, url: str, query: dict, body: dict, headers: dict):
    """One request that leaves no trace: database, cache and cookies as they were."""
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    cache.clear()
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url, query, headers=headers)
            else:
                path = f"{url}?{urlencode(query, doseq=True)}" if query else url
                response = client.post(path, body, headers=headers)
            transaction.set_rollback(True)
    finally:
        client.cookies = SimpleCookie(cookies)
    return response


def parameters_read(client, method, url, query, body) -> tuple[dict, dict]:
    """The query and body to send: the catalogue's, and every other key the view reads."""
    query, body = dict(query), dict(body)
    probe = {PROBE: PLAIN} if method == "GET" else {}
    for _ in range(ROUNDS):
        with recording_reads():
            response = send(client, method, url, {**probe, **query}, body, {})
            request = response.wsgi_request
            new_query = keys_read(request.GET) - query.keys() - {PROBE}
            new_body = keys_read(request.POST) - body.keys() if method == "POST" else set()
        if not new_query and not new_body:
            break
        query.update(dict.fromkeys(new_query, PLAIN))
        body.update(dict.fromkeys(new_body, PLAIN))
    return query, body


def as_text(value) -> str:
    """A catalogue value as a form sends it."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value)


def variants(params: dict, *, files: bool):
    """(what is hostile, the parameters) for every hostile change to one parameter."""
    for key, valid in params.items():
        for label, value in HOSTILE_VALUES.items():
            yield f"{key}: {label}", {**params, key: value}
        for label, values in repeated_values(as_text(valid)).items():
            yield f"{key}: {label}", {**params, key: values}
        if files:
            upload = SimpleUploadedFile("x.txt", b"\x00\xff" * 64)
            yield f"{key}: a file instead of text", {**params, key: upload}
        for label, name in hostile_names(key).items():
            rest = {k: v for k, v in params.items() if k != key}
            yield f"{key}: {label}", {**rest, name: valid}


def render_quietly(template: Template, context) -> str:
    """Template._render without the test client's instrumentation, which copies the context
    for every template rendered (each <option> of the profile's 600 time zones is one): this
    test reads status codes only, and runs thousands of requests."""
    return template.nodelist.render(context)


@pytest.fixture(autouse=True)
def _quiet_templates():
    with mock.patch.object(Template, "_render", render_quietly):
        yield


@pytest.mark.parametrize(("name", "method"), REQUESTS)
def test_hostile_values_in_every_parameter_never_get_a_500(world, name, method):
    entry = CATALOGUE[name]
    client = Client()
    user = world.user(entry.persona)
    if user is not None:
        client.force_login(user)
    url = entry.url(world)
    body = entry.post(world, user) if method == "POST" else {}
    query, body = parameters_read(client, method, url, entry.query(world), body)
    requests = [(f"query {label}", params, body) for label, params in variants(query, files=False)]
    requests += [(f"body {label}", query, params) for label, params in variants(body, files=True)]
    failures = []

    for number, (label, query_sent, body_sent) in enumerate(requests):
        # Every other request as htmx sends it: views answering htmx read the same parameters
        # and then take another path.
        headers, label = (HTMX, f"{label} (htmx)") if number % 2 else ({}, label)
        try:
            response = send(client, method, url, query_sent, body_sent, headers)
        except Exception as error:  # the test client raises what the view raised
            failures.append(f"{label}: {error!r:.300}")
            continue
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code}")

    assert requests or not (query or body), "parameters found but nothing sent"
    assert not failures, f"{method} {url} as {entry.persona}:\n" + "\n".join(failures)


def test_the_walk_finds_what_views_read_beyond_the_catalogue(world):
    """A guard on the discovery itself: were it to find nothing, the walk would pass by sending
    nothing."""
    client = Client()
    client.force_login(world.mentor)
    assign = CATALOGUE["mentoring:assign"]

    query, _ = parameters_read(client, "GET", assign.url(world), {}, {})

    assert {"set", "mentee"} <= query.keys()
    client.force_login(world.candidate)
    questions = CATALOGUE["questions:list"]
    query, _ = parameters_read(client, "GET", questions.url(world), {}, {})
    assert {"q", "page", "difficulty", "kind", "topic", "track", "tag"} <= query.keys()
