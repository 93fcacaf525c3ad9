"""Log-in throttling (django-axes) and the sign-up throttle."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.throttling import SIGNUP_ATTEMPT_LIMIT
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"


def log_in(client, username, password, ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client, username, ip="203.0.113.7"):
    return [log_in(client, username, "wrong-password", ip=ip) for _ in range(5)]


def test_four_failures_still_let_the_right_password_in(client):
    user = UserFactory(username="kim")
    for _ in range(4):
        assert log_in(client, "kim", "wrong-password").status_code == 200

    response = log_in(client, "kim", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_five_failures_lock_the_account_with_a_clear_message(client):
    UserFactory(username="kim")

    responses = fail_five_times(client, "kim")

    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429
    assert "Too many failed log-ins" in responses[4].content.decode()


def test_a_locked_account_refuses_even_the_right_password_from_anywhere(client):
    UserFactory(username="kim")
    fail_five_times(client, "kim")

    elsewhere = Client()
    response = log_in(elsewhere, "kim", PASSWORD, ip="198.51.100.20")

    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in elsewhere.session


def test_a_locked_account_refuses_its_email_address_too(client):
    UserFactory(username="kim", email="kim@example.com")
    fail_five_times(client, "kim@example.com")

    response = log_in(Client(), "kim@example.com", PASSWORD, ip="198.51.100.20")

    assert response.status_code == 429


def test_other_users_from_another_address_are_unaffected(client):
    UserFactory(username="kim")
    other = UserFactory(username="lee")
    fail_five_times(client, "kim")

    elsewhere = Client()
    response = log_in(elsewhere, "lee", PASSWORD, ip="198.51.100.20")

    assert response.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(other.pk)


def test_five_failures_from_one_address_lock_that_address(client):
    UserFactory(username="lee")
    for name in ["ann", "bob", "cat", "dan", "eve"]:
        log_in(client, name, "guess", ip="203.0.113.99")

    assert log_in(Client(), "lee", PASSWORD, ip="203.0.113.99").status_code == 429
    assert log_in(Client(), "lee", PASSWORD, ip="198.51.100.20").status_code == 302


def test_behind_a_trusted_proxy_the_visitor_address_is_locked_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="lee")
    for name in ["ann", "bob", "cat", "dan", "eve"]:
        client.post(
            LOGIN,
            {"username": name, "password": "guess"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.99",
        )

    innocent = Client().post(
        LOGIN,
        {"username": "lee", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert innocent.status_code == 302


def test_a_forged_forwarded_address_that_is_not_an_address_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 2  # misconfigured: one more than there are
    user = UserFactory(username="lee")

    response = client.post(
        LOGIN,
        {"username": "lee", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="<script>, 198.51.100.20",
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# --- sign-up ---------------------------------------------------------------------------------

GOOD = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def test_a_taken_address_gets_a_neutral_message_that_points_to_log_in_and_reset(client):
    UserFactory(email="taken@example.com")

    response = client.post(SIGNUP, {**GOOD, "email": "taken@example.com"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "can&#x27;t create an account with this address" in html
    assert "log in or reset your password" in html
    assert "already exists" not in html and "already registered" not in html


def test_repeated_rejected_sign_ups_are_throttled_and_store_nothing(client):
    UserFactory(email="taken@example.com")
    for n in range(SIGNUP_ATTEMPT_LIMIT):
        response = client.post(SIGNUP, {**GOOD, "email": f"probe{n}@example.com", "password2": "x"})
        assert response.status_code == 200

    response = client.post(SIGNUP, {**GOOD, "email": "taken@example.com"})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many sign-up attempts" in html
    assert "create an account with this address" not in html  # no answer about the address
    assert not User.objects.filter(username="newbie").exists()


def test_the_sign_up_throttle_blocks_only_that_address(client):
    for n in range(SIGNUP_ATTEMPT_LIMIT):
        client.post(SIGNUP, {**GOOD, "email": f"probe{n}@example.com", "password2": "x"})

    response = Client().post(SIGNUP, GOOD, REMOTE_ADDR="198.51.100.20")

    assert response.status_code == 302
    assert User.objects.filter(username="newbie").exists()


def test_successful_sign_ups_do_not_count_against_the_limit(client):
    for n in range(SIGNUP_ATTEMPT_LIMIT + 2):
        response = Client().post(
            SIGNUP, {**GOOD, "username": f"new{n}", "email": f"new{n}@example.com"}
        )
        assert response.status_code == 302
    assert User.objects.count() == SIGNUP_ATTEMPT_LIMIT + 2


def test_a_visitor_still_signs_up_and_lands_on_the_home_page(client):
    response = client.post(SIGNUP, GOOD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(User.objects.get(username="newbie").pk)
