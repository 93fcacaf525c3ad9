"""The benchmark's signed-in floor (bench/site/bench_site): Django's own request cycle for a
signed-in user, in the benchmark's URLconf and not in the product's."""

import importlib

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

import prep.settings
from tests.factories import UserFactory

URL = "/__bench__/signed-in"
pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.site.bench_site.urls")]


def test_it_answers_a_signed_in_user_with_a_few_bytes(candidate_client, candidate):
    response = candidate_client.get(URL)

    assert response.status_code == 200
    assert response.content == (
        f"<!doctype html><title>Signed in</title><p>{candidate.pk}</p>".encode()
    )


def test_it_answers_htmx_with_a_fragment(candidate_client, candidate, htmx_headers):
    response = candidate_client.get(URL, headers=htmx_headers)

    assert response.status_code == 200
    assert response.content == f'<p id="signed-in">{candidate.pk}</p>'.encode()


def test_it_sends_a_visitor_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={URL}"


def test_it_answers_only_get_and_head(candidate_client):
    assert candidate_client.post(URL).status_code == 405
    assert candidate_client.head(URL).status_code == 200


@pytest.mark.parametrize("users", [1, 30])
def test_it_reads_only_the_session_and_the_user(candidate_client, django_assert_num_queries, users):
    UserFactory.create_batch(users)

    with django_assert_num_queries(2):
        # 1. the session (the test settings keep sessions in the database)
        # 2. the signed-in user
        candidate_client.get(URL)


def test_the_product_pages_are_served_as_well(candidate_client):
    assert candidate_client.get("/healthz").status_code == 200
    assert reverse("healthz") == "/healthz"


@override_settings(ROOT_URLCONF="prep.urls")
def test_the_products_urlconf_does_not_have_it():
    with pytest.raises(NoReverseMatch):
        reverse("bench-signed-in")


def test_its_settings_are_production_s_with_only_the_urlconf_changed():
    bench = importlib.import_module("bench.site.bench_site.settings")

    names = [n for n in dir(prep.settings) if n.isupper()]
    assert [n for n in names if getattr(bench, n) is not getattr(prep.settings, n)] == [
        "ROOT_URLCONF"
    ]
    assert bench.ROOT_URLCONF == "bench_site.urls"
