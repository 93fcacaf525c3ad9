"""Log-in throttling (django-axes) and the sign-up throttles."""

import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.throttling import SIGNUP_ADDRESS_LIMIT, SIGNUP_CLIENT_LIMIT
from accounts.tokens import make_resend_token
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"
RESEND = "/accounts/signup/resend/"


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
# Sign-up no longer says whether an address is taken; its throttles are against mail bombing.

GOOD = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def sign_up(client, n: int, ip="203.0.113.7", **changes):
    data = {**GOOD, "username": f"new{n}", "email": f"new{n}@example.com", **changes}
    return client.post(SIGNUP, data, REMOTE_ADDR=ip)


def test_a_taken_address_is_not_named_as_such(client):
    UserFactory(email="taken@example.com")

    response = client.post(SIGNUP, {**GOOD, "email": "taken@example.com"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Check your email" in html
    for giveaway in ("already exists", "already registered", "already in use", "can&#x27;t"):
        assert giveaway not in html


def test_every_sign_up_that_sends_mail_counts_and_then_the_client_is_refused(client):
    for n in range(SIGNUP_CLIENT_LIMIT):
        assert sign_up(client, n).status_code == 200
    assert len(mail.outbox) == SIGNUP_CLIENT_LIMIT

    response = sign_up(client, 99)

    assert response.status_code == 429
    assert "Too many sign-up attempts" in response.content.decode()
    assert not User.objects.filter(username="new99").exists()
    assert len(mail.outbox) == SIGNUP_CLIENT_LIMIT


def test_sign_ups_with_a_taken_address_count_too(client):
    UserFactory(email="taken@example.com")
    for n in range(SIGNUP_CLIENT_LIMIT):
        # From one client, many addresses: new ones, and the taken one at most thrice.
        email = "taken@example.com" if n < SIGNUP_ADDRESS_LIMIT else f"new{n}@example.com"
        assert sign_up(client, n, email=email).status_code == 200

    assert sign_up(client, 99, email="taken@example.com").status_code == 429


def test_rejected_forms_send_nothing_and_do_not_count(client):
    for n in range(SIGNUP_CLIENT_LIMIT + 2):
        assert sign_up(client, n, password2="not-the-same").status_code == 200
    assert mail.outbox == []

    assert sign_up(client, 99).status_code == 200
    assert User.objects.filter(username="new99").exists()


def test_the_client_throttle_blocks_only_that_client(client):
    for n in range(SIGNUP_CLIENT_LIMIT):
        sign_up(client, n)

    response = sign_up(Client(), 99, ip="198.51.100.20")

    assert response.status_code == 200
    assert User.objects.filter(username="new99").exists()


def test_one_address_gets_at_most_three_sign_up_emails_an_hour_from_anywhere(client):
    responses = [
        sign_up(Client(), n, ip=f"198.51.100.{n}", email="inbox@example.com") for n in range(5)
    ]

    assert [response.status_code for response in responses] == [200] * 5
    assert all("Check your email" in response.content.decode() for response in responses)
    assert len(mail.outbox) == SIGNUP_ADDRESS_LIMIT
    assert {message.to[0] for message in mail.outbox} == {"inbox@example.com"}
    # The account took the user name of the last sign-up that sent an email.
    assert User.objects.get().username == f"new{SIGNUP_ADDRESS_LIMIT - 1}"


def test_the_address_limit_is_the_same_for_a_registered_address(client):
    UserFactory(email="taken@example.com")

    for n in range(5):
        sign_up(Client(), n, ip=f"198.51.100.{n}", email="taken@example.com")

    assert len(mail.outbox) == SIGNUP_ADDRESS_LIMIT
    assert User.objects.count() == 1


def test_asking_for_the_link_again_counts_against_the_client_and_the_address(client):
    user = UserFactory(
        username="kim", email="kim@example.com", is_active=False, awaiting_confirmation=True
    )
    token = make_resend_token(user)
    for _ in range(SIGNUP_ADDRESS_LIMIT + 1):
        response = client.post(RESEND, {"token": token}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 200
    assert len(mail.outbox) == SIGNUP_ADDRESS_LIMIT

    for n in range(SIGNUP_CLIENT_LIMIT - SIGNUP_ADDRESS_LIMIT - 1):
        assert sign_up(client, n).status_code == 200
    assert client.post(RESEND, {"token": token}, REMOTE_ADDR="203.0.113.7").status_code == 429


def test_the_throttle_counts_behind_a_trusted_proxy_per_visitor(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(SIGNUP_CLIENT_LIMIT):
        client.post(
            SIGNUP,
            {**GOOD, "username": f"new{n}", "email": f"new{n}@example.com"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.99",
        )

    response = Client().post(
        SIGNUP, GOOD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20"
    )

    assert response.status_code == 200
    assert User.objects.filter(username="newbie").exists()
