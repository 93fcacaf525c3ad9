"""The confirmation link, the log-in of an unconfirmed account, "send it again", password reset
of an unconfirmed account, and pruning the accounts nobody confirmed."""

import io
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.services import UNCONFIRMED_ACCOUNT_DAYS
from accounts.tokens import confirmation_token_generator, make_resend_token
from tests.accounts.test_signup_and_login import GOOD, confirmation_path
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def unconfirmed(**kwargs) -> User:
    return UserFactory(is_active=False, awaiting_confirmation=True, **kwargs)


def confirm_link(user: User, token: str | None = None) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return (
        f"/accounts/signup/confirm/{uid}/{token or confirmation_token_generator.make_token(user)}/"
    )


def log_in(client, username: str, password: str = PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- the link -------------------------------------------------------------------------------------


def test_opening_the_link_shows_a_confirm_button_and_changes_nothing(client):
    client.post("/accounts/signup/", GOOD)
    path = confirmation_path(mail.outbox[0])

    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Confirm your account</h1>" in html
    assert "<strong>newbie</strong>" in html
    assert '<form method="post"' in html and 'name="csrfmiddlewaretoken"' in html
    assert '<button type="submit" class="button">Confirm my account</button>' in html
    assert "no-cache" in response["Cache-Control"]
    user = User.objects.get(username="newbie")
    assert not user.is_active and user.awaiting_confirmation
    assert "_auth_user_id" not in client.session


def test_the_button_confirms_logs_in_and_lands_on_the_dashboard(client):
    client.post("/accounts/signup/", GOOD)
    path = confirmation_path(mail.outbox[0])

    response = client.post(path, follow=True)

    assert response.redirect_chain == [("/dashboard/", 302)]
    assert b"Your address is confirmed. Welcome to Prep, newbie!" in response.content
    user = User.objects.get(username="newbie")
    assert user.is_active and not user.awaiting_confirmation
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_confirm_button_needs_the_csrf_token():
    user = unconfirmed(username="kim")
    client = Client(enforce_csrf_checks=True)

    response = client.post(confirm_link(user))

    assert response.status_code == 403
    user.refresh_from_db()
    assert user.awaiting_confirmation


def test_a_used_link_no_longer_works(client):
    user = unconfirmed(username="kim")
    path = confirm_link(user)
    client.post(path)
    client.post("/accounts/logout/")

    for response in (client.get(path), client.post(path)):
        html = response.content.decode()
        assert "<h1>This link no longer works</h1>" in html
        assert 'href="/accounts/signup/"' in html  # a way to start again
        assert "_auth_user_id" not in client.session
    assert client.post(path).status_code == 400


def test_an_expired_link_no_longer_works(client):
    user = unconfirmed(username="kim")
    path = confirm_link(user)
    later = datetime.now() + timedelta(days=3, minutes=1)

    with mock.patch.object(confirmation_token_generator, "_now", return_value=later):
        response = client.post(path)

    assert response.status_code == 400
    assert b"This link no longer works" in response.content
    user.refresh_from_db()
    assert not user.is_active


def test_a_link_still_works_on_its_last_day(client):
    user = unconfirmed(username="kim")
    path = confirm_link(user)
    later = datetime.now() + timedelta(days=2, hours=23)

    with mock.patch.object(confirmation_token_generator, "_now", return_value=later):
        response = client.post(path)

    assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/signup/confirm/{uid}/1-abcdef/",
        "/accounts/signup/confirm/{uid}/not-a-token/",
        "/accounts/signup/confirm/{uid}/{token}x/",
        "/accounts/signup/confirm/Zm9v/{token}/",  # "foo": not a number
        "/accounts/signup/confirm/%C3%A9/{token}/",
        "/accounts/signup/confirm/OTk5OTk5/{token}/",  # no such account
        "/accounts/signup/confirm/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk/{token}/",  # too big an id
        "/accounts/signup/confirm/LTU/{token}/",  # -5
    ],
)
def test_a_bad_link_no_longer_works(client, path):
    user = unconfirmed(username="kim")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = confirmation_token_generator.make_token(user)

    response = client.post(path.format(uid=uid, token=token))

    assert response.status_code == 400
    assert b"This link no longer works" in response.content
    user.refresh_from_db()
    assert user.awaiting_confirmation


def test_a_password_reset_token_does_not_confirm_an_account(client):
    user = unconfirmed(username="kim")

    response = client.post(confirm_link(user, token=default_token_generator.make_token(user)))

    assert response.status_code == 400


def test_a_link_does_not_revive_an_account_an_admin_deactivated(client):
    user = unconfirmed(username="kim")
    path = confirm_link(user)
    User.objects.filter(pk=user.pk).update(awaiting_confirmation=False)

    response = client.post(path)

    assert response.status_code == 400
    assert not User.objects.get(pk=user.pk).is_active


def test_a_signed_in_user_who_confirms_another_account_is_switched_to_it(candidate_client):
    user = unconfirmed(username="kim")
    path = confirm_link(user)

    page = candidate_client.get(path).content.decode()
    response = candidate_client.post(path)

    assert "confirming logs you in as\n      kim instead" in page
    assert response.status_code == 302
    assert candidate_client.session["_auth_user_id"] == str(user.pk)


# --- log-in before confirming ---------------------------------------------------------------------


def test_an_unconfirmed_account_cannot_log_in_and_is_offered_a_new_link(client):
    user = unconfirmed(username="kim", email="kim@example.com")

    for name in ("kim", "KIM@example.com"):
        response = log_in(client, name)

        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        html = response.content.decode()
        assert "Your account is waiting for you to confirm your address" in html
        assert 'action="/accounts/signup/resend/"' in html
        assert "Send me a new link" in html
    user.refresh_from_db()
    assert user.last_login is None


def test_a_wrong_password_for_an_unconfirmed_account_gets_the_ordinary_refusal(client):
    unconfirmed(username="kim")

    response = log_in(client, "kim", "wrong-password")

    html = response.content.decode()
    assert "Please enter a correct" in html
    assert "waiting for you to confirm" not in html
    assert "Send me a new link" not in html


def test_the_offer_sends_a_new_link_that_works(client):
    user = unconfirmed(username="kim", email="kim@example.com")
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=6))
    page = log_in(client, "kim").content.decode()
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]

    response = client.post("/accounts/signup/resend/", {"token": token})

    assert response.status_code == 200
    assert "sent a link to <strong>kim@example.com</strong>" in response.content.decode()
    assert [message.to for message in mail.outbox] == [["kim@example.com"]]
    user.refresh_from_db()
    assert user.date_joined > timezone.now() - timedelta(minutes=1)  # pruned a week from now
    assert client.post(confirmation_path(mail.outbox[0])).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_offer_keeps_next(client):
    user = unconfirmed(username="kim")

    client.post(
        "/accounts/signup/resend/",
        {"token": make_resend_token(user), "next": "/invite/some-token/"},
    )
    response = client.post(confirmation_path(mail.outbox[0]))

    assert response["Location"] == "/invite/some-token/"


@pytest.mark.parametrize("problem", ["tampered", "expired", "confirmed"])
def test_a_stale_offer_sends_nothing_and_goes_back_to_log_in(client, problem):
    user = unconfirmed(username="kim")
    token = make_resend_token(user)
    if problem == "tampered":
        token = token[:-2] + "xx"
    elif problem == "confirmed":
        User.objects.filter(pk=user.pk).update(is_active=True, awaiting_confirmation=False)

    if problem == "expired":
        with mock.patch("django.core.signing.time.time", return_value=4e10):
            response = client.post("/accounts/signup/resend/", {"token": token})
    else:
        response = client.post("/accounts/signup/resend/", {"token": token})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert mail.outbox == []


# --- password reset of an unconfirmed account: the reset link confirms it too -------------------


def test_password_reset_of_an_unconfirmed_account_confirms_it(client):
    user = unconfirmed(username="kim", email="kim@example.com")

    client.post("/accounts/password/reset/", {"email": "kim@example.com"})

    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "choosing a password here\nconfirms it too" in body
    link = next(line for line in body.splitlines() if "/password/reset/" in line)
    form = client.get(link.split("testserver", 1)[1], follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-fresh-passphrase-9", "new_password2": "a-fresh-passphrase-9"},
    )
    assert response["Location"] == "/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.is_active and not user.awaiting_confirmation
    assert log_in(client, "kim", "a-fresh-passphrase-9").status_code == 302


def test_password_reset_sends_nothing_to_a_deactivated_account(client):
    UserFactory(username="kim", email="kim@example.com", is_active=False)

    response = client.post("/accounts/password/reset/", {"email": "kim@example.com"})

    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


# --- pruning --------------------------------------------------------------------------------------


def test_prune_unconfirmed_deletes_only_accounts_nobody_confirmed_within_a_week():
    long_ago = timezone.now() - timedelta(days=UNCONFIRMED_ACCOUNT_DAYS, minutes=1)
    recently = timezone.now() - timedelta(days=UNCONFIRMED_ACCOUNT_DAYS - 1)
    stale = unconfirmed(username="stale", date_joined=long_ago)
    unconfirmed(username="fresh", date_joined=recently)
    UserFactory(username="member", date_joined=long_ago)
    UserFactory(username="deactivated", is_active=False, date_joined=long_ago)
    out = io.StringIO()

    call_command("prune_unconfirmed", stdout=out)

    assert not User.objects.filter(pk=stale.pk).exists()
    assert sorted(User.objects.values_list("username", flat=True)) == [
        "deactivated",
        "fresh",
        "member",
    ]
    assert "Deleted 1 account nobody confirmed" in out.getvalue()


def test_a_pruned_account_frees_its_user_name(client):
    long_ago = timezone.now() - timedelta(days=UNCONFIRMED_ACCOUNT_DAYS + 1)
    unconfirmed(username="newbie", email="someone-else@example.com", date_joined=long_ago)
    assert b"already exists" in client.post("/accounts/signup/", GOOD).content

    call_command("prune_unconfirmed", stdout=io.StringIO())
    response = client.post("/accounts/signup/", GOOD)

    assert b"Check your email" in response.content
    assert User.objects.get(username="newbie").email == "newbie@example.com"


def test_prune_unconfirmed_with_nothing_to_prune_says_so():
    out = io.StringIO()

    call_command("prune_unconfirmed", stdout=out)

    assert "Deleted 0 accounts nobody confirmed" in out.getvalue()


def test_an_admin_can_list_the_accounts_waiting_for_confirmation(client):
    waiting = unconfirmed(username="waiting-one")
    UserFactory(username="confirmed-one")
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)

    listing = client.get("/admin/accounts/user/?awaiting_confirmation__exact=1")
    change = client.get(f"/admin/accounts/user/{waiting.pk}/change/")

    html = listing.content.decode()
    assert listing.status_code == 200
    assert "waiting-one" in html and "confirmed-one" not in html
    assert change.status_code == 200
    assert "Signed up but the address is not confirmed yet" in change.content.decode()
