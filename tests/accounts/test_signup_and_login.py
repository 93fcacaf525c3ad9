import io
import re
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}
ADDRESSES = {
    "new": "new@example.com",
    "taken": "taken@example.com",
    "unconfirmed": "pending@example.com",
}


def confirmation_path(message) -> str:
    """The path (and query) of the confirmation link in an email; links are absolute."""
    link = next(line for line in message.body.splitlines() if "/signup/confirm/" in line)
    return link.split("testserver", 1)[1]


def registered_addresses() -> None:
    UserFactory(username="owner", email=ADDRESSES["taken"])
    UserFactory(
        username="pending",
        email=ADDRESSES["unconfirmed"],
        is_active=False,
        awaiting_confirmation=True,
    )


def sign_up_as_a_stranger(case: str, username: str):
    """Sign up with the address of `case` from a fresh client, as someone probing would."""
    return Client().post("/accounts/signup/", {**GOOD, "username": username, "email": case})


def template_names(response) -> list[str]:
    """The templates of the page (the emails the request sent were rendered too, and are left
    out: they are not part of the response)."""
    names = [template.name for template in response.templates]
    return [name for name in names if not name.startswith("accounts/email/")]


# --- sign-up --------------------------------------------------------------------------------------


def test_it_signs_up_a_visitor_as_an_account_waiting_for_confirmation(client):
    response = client.post("/accounts/signup/", GOOD)

    assert response.status_code == 200
    assert template_names(response)[0] == "accounts/check_email.html"
    html = response.content.decode()
    assert "<h1>Check your email</h1>" in html
    assert "sent a link to <strong>newbie@example.com</strong>" in html
    assert "expires in 3 days" in html
    assert '<div role="status">' in html
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.com"
    assert not user.is_active
    assert user.awaiting_confirmation
    assert user.check_password(GOOD["password1"])
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["newbie@example.com"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Confirm your Prep account, newbie"
    assert confirmation_path(message).startswith("/accounts/signup/confirm/")
    assert "It works once, for 3 days." in message.body


def _page_without_tokens(response, address: str) -> str:
    """The page with what differs from one visitor to the next taken out: the CSRF tokens, and
    the address they typed (shown back to them)."""
    html = response.content.decode().replace(address, "ADDRESS")
    html = re.sub(r'"X-CSRFToken": "[^"]+"', '"X-CSRFToken": "-"', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


def _cookies(response) -> dict:
    """Each cookie's attributes, without its value (a CSRF secret, different every time) and
    its expiry date (a second may pass between two requests; max-age stays)."""
    return {
        name: {key: value for key, value in morsel.items() if key != "expires"}
        for name, morsel in response.cookies.items()
    }


def test_a_new_a_taken_and_an_unconfirmed_address_get_the_same_answer():
    registered_addresses()

    responses = {
        case: sign_up_as_a_stranger(address, username=f"probe{n}")
        for n, (case, address) in enumerate(ADDRESSES.items())
    }

    new = responses["new"]
    assert new.status_code == 200
    for case in ("taken", "unconfirmed"):
        response = responses[case]
        assert response.status_code == new.status_code, case
        assert template_names(response) == template_names(new), case
        assert dict(response.headers) == {
            **dict(new.headers),
            # The address is shown back, and the three are not the same length.
            "Content-Length": str(len(new.content) - len(ADDRESSES["new"]) + len(ADDRESSES[case])),
        }, case
        assert _cookies(response) == _cookies(new), case
        assert _page_without_tokens(response, ADDRESSES[case]) == _page_without_tokens(
            new, ADDRESSES["new"]
        ), case
        assert "_auth_user_id" not in response.client.session


def test_each_address_gets_the_email_that_fits_it_and_only_a_new_one_gets_an_account():
    registered_addresses()
    pending = User.objects.get(username="pending")

    for n, address in enumerate(ADDRESSES.values()):
        sign_up_as_a_stranger(address, username=f"probe{n}")

    assert User.objects.count() == 3
    new = User.objects.get(email=ADDRESSES["new"])
    assert (new.username, new.is_active, new.awaiting_confirmation) == ("probe0", False, True)
    assert not User.objects.filter(username="probe1").exists()  # the taken address: nothing
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 3
    assert by_address[ADDRESSES["new"]].subject == "Confirm your Prep account, probe0"
    attempt = by_address[ADDRESSES["taken"]]
    assert attempt.subject == "Someone tried to sign up to Prep with your address"
    assert "Someone, maybe you, tried to create a Prep account" in attempt.body
    assert "user name: owner" in attempt.body
    assert "http://testserver/accounts/login/" in attempt.body
    assert "http://testserver/accounts/password/reset/" in attempt.body
    assert "/signup/confirm/" not in attempt.body
    # The unconfirmed address: the same account, a new link.
    again = by_address[ADDRESSES["unconfirmed"]]
    assert again.subject == "Confirm your Prep account, probe2"
    assert User.objects.get(email=ADDRESSES["unconfirmed"]).pk == pending.pk


def test_every_valid_sign_up_hashes_the_password_once_whatever_the_address():
    registered_addresses()
    UserFactory(username="gone", email="gone@example.com", is_active=False)  # deactivated

    for n, address in enumerate([*ADDRESSES.values(), "gone@example.com"]):
        with mock.patch("accounts.services.make_password", wraps=make_password) as hashing:
            sign_up_as_a_stranger(address, username=f"probe{n}")
        assert hashing.call_count == 1, address

    # An address that had its emails for the hour: nothing is sent, the hashing is still done.
    with (
        mock.patch("accounts.services.take_address_allowance", return_value=False),
        mock.patch("accounts.services.make_password", wraps=make_password) as hashing,
    ):
        sign_up_as_a_stranger("another@example.com", username="probe9")
    assert hashing.call_count == 1
    assert not User.objects.filter(username="probe9").exists()


def test_a_taken_address_is_matched_whatever_its_case():
    UserFactory(username="owner", email="taken@example.com")

    response = sign_up_as_a_stranger("TAKEN@Example.com", username="newbie")

    assert response.status_code == 200
    assert "sent a link to <strong>taken@example.com</strong>" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    assert [message.to for message in mail.outbox] == [["taken@example.com"]]
    assert mail.outbox[0].subject == "Someone tried to sign up to Prep with your address"


def test_signing_up_again_with_an_unconfirmed_address_replaces_its_name_and_password(client):
    client.post("/accounts/signup/", GOOD)
    first_link = confirmation_path(mail.outbox[0])
    pending = User.objects.get(username="newbie")

    response = Client().post(
        "/accounts/signup/",
        {**GOOD, "username": "newbie2", "password1": "another-passphrase-here"}
        | {"password2": "another-passphrase-here"},
    )

    assert response.status_code == 200
    user = User.objects.get()
    assert user.pk == pending.pk
    assert user.username == "newbie2"
    assert user.check_password("another-passphrase-here")
    assert user.date_joined > pending.date_joined
    assert len(mail.outbox) == 2
    # The first link confirmed the first password: whoever set it no longer can.
    assert b"This link no longer works" in client.get(first_link).content
    assert b"Confirm my account" in client.get(confirmation_path(mail.outbox[1])).content


def test_a_deactivated_account_s_address_gets_the_same_page_and_no_email():
    UserFactory(username="gone", email="gone@example.com", is_active=False)

    response = sign_up_as_a_stranger("gone@example.com", username="newbie")

    assert response.status_code == 200
    assert template_names(response)[0] == "accounts/check_email.html"
    assert mail.outbox == []
    assert User.objects.count() == 1


def test_a_taken_user_name_is_said(client):
    UserFactory(username="newbie", email="someone@example.com")

    response = client.post("/accounts/signup/", {**GOOD, "username": "NewBie"})

    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_a_user_name_taken_by_a_concurrent_sign_up_is_said_too(client):
    def someone_else_takes_the_name(email: str) -> bool:
        # Between the form's check and the write, another sign-up takes the name.
        UserFactory(username="newbie", email="first@example.com")
        return True

    with mock.patch(
        "accounts.services.take_address_allowance", side_effect=someone_else_takes_the_name
    ):
        response = client.post("/accounts/signup/", GOOD)

    assert response.status_code == 200
    assert template_names(response)[0] == "accounts/signup.html"
    assert "A user with that username already exists." in response.content.decode()
    assert not User.objects.filter(email="newbie@example.com").exists()
    assert mail.outbox == []


def test_it_refuses_a_weak_password(client):
    response = client.post(
        "/accounts/signup/", {**GOOD, "password1": "password", "password2": "password"}
    )

    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    assert mail.outbox == []


def test_it_refuses_mismatched_passwords(client):
    response = client.post("/accounts/signup/", {**GOOD, "password2": "something-else-entirely"})

    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()
    assert not User.objects.exists()


def test_the_error_sits_next_to_its_field(client):
    response = client.post("/accounts/signup/", {**GOOD, "email": "not-an-address"})

    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert "Enter a valid email address" in html


def test_a_signed_in_user_is_sent_away_from_sign_up(candidate_client):
    response = candidate_client.post("/accounts/signup/", GOOD)

    assert response.status_code == 302
    assert not User.objects.filter(username="newbie").exists()


# --- next -----------------------------------------------------------------------------------------


def test_sign_up_carries_next_through_the_confirmation_link(client):
    response = client.get("/accounts/signup/?next=/invite/some-token/")
    assert 'name="next" value="/invite/some-token/"' in response.content.decode()

    client.post("/accounts/signup/", {**GOOD, "next": "/invite/some-token/"})
    path = confirmation_path(mail.outbox[0])
    assert path.endswith("/?next=%2Finvite%2Fsome-token%2F")
    page = client.get(path)
    assert 'name="next" value="/invite/some-token/"' in page.content.decode()
    response = client.post(path, {"next": "/invite/some-token/"})

    assert response.status_code == 302
    assert response["Location"] == "/invite/some-token/"


def test_sign_up_ignores_a_next_that_leaves_the_site(client):
    client.post("/accounts/signup/", {**GOOD, "next": "https://evil.example.com/"})
    path = confirmation_path(mail.outbox[0])
    assert "next=" not in path

    response = client.post(f"{path}?next=https://evil.example.com/")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_the_login_page_passes_next_on_to_sign_up(client):
    response = client.get("/accounts/login/?next=/invite/some-token/")

    assert 'href="/accounts/signup/?next=/invite/some-token/"' in response.content.decode()


# --- log-in, log-out, passwords -------------------------------------------------------------------


def test_it_logs_in_with_the_user_name_or_the_address_and_logs_out(client):
    user = UserFactory(username="kim", email="kim@example.com")

    response = client.post(
        "/accounts/login/", {"username": "KIM@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    client.post("/accounts/login/", {"username": "kim", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_refuses_a_wrong_password(client):
    UserFactory(username="kim")

    response = client.post("/accounts/login/", {"username": "kim", "password": "wrong"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Please enter a correct" in response.content.decode()


def test_a_deactivated_account_gets_the_ordinary_refusal_even_with_its_password(client):
    UserFactory(username="kim", is_active=False)

    response = client.post("/accounts/login/", {"username": "kim", "password": PASSWORD})

    html = response.content.decode()
    assert "Please enter a correct" in html
    assert "waiting for you to confirm" not in html
    assert "Send me a new link" not in html


def test_the_demo_accounts_are_active_and_log_in(client, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts", stdout=io.StringIO())

    for username, password in [
        ("candidate", "prep-candidate-demo"),
        ("editor", "prep-editor-demo"),
    ]:
        user = User.objects.get(username=username)
        assert user.is_active and not user.awaiting_confirmation
        response = Client().post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username


def test_password_reset_sends_an_email_with_a_working_link(client):
    UserFactory(username="kim", email="kim@example.com")

    response = client.post("/accounts/password/reset/", {"email": "kim@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kim@example.com"]
    assert "waiting for you to confirm" not in mail.outbox[0].body
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert b"Choose a new password" in response.content


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_a_signed_in_user_changes_their_password(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")


def test_a_log_in_with_a_user_name_longer_than_any_address_is_refused_before_authenticating(
    client, db
):
    response = client.post("/accounts/login/", {"username": "x" * 10_000, "password": "anything"})

    assert response.status_code == 200
    assert b"Ensure this value has at most 254 characters" in response.content
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.exists()  # nothing reached authenticate() or the lock-out log
