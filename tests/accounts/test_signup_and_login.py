import pytest
from django.core import mail

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "newbie",
    "email": "newbie@example.com",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def test_it_signs_up_and_logs_in_a_visitor(client):
    response = client.post("/accounts/signup/", GOOD)

    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.com"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_it_refuses_an_address_already_in_use_whatever_its_case(client):
    UserFactory(email="taken@example.com")

    response = client.post("/accounts/signup/", {**GOOD, "email": "TAKEN@example.com"})

    assert response.status_code == 200
    assert "can&#x27;t create an account with this address" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_it_refuses_a_weak_password(client):
    response = client.post(
        "/accounts/signup/", {**GOOD, "password1": "password", "password2": "password"}
    )

    assert response.status_code == 200
    assert "This password is too common" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


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


def test_password_reset_sends_an_email_with_a_working_link(client):
    UserFactory(username="kim", email="kim@example.com")

    response = client.post("/accounts/password/reset/", {"email": "kim@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kim@example.com"]
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


def test_sign_up_returns_the_visitor_to_where_they_were_going(client):
    response = client.get("/accounts/signup/?next=/invite/some-token/")
    assert 'name="next" value="/invite/some-token/"' in response.content.decode()

    response = client.post("/accounts/signup/", {**GOOD, "next": "/invite/some-token/"})

    assert response.status_code == 302
    assert response["Location"] == "/invite/some-token/"


def test_sign_up_ignores_a_next_that_leaves_the_site(client):
    response = client.post("/accounts/signup/", {**GOOD, "next": "https://evil.example.com/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_login_page_passes_next_on_to_sign_up(client):
    response = client.get("/accounts/login/?next=/invite/some-token/")

    assert 'href="/accounts/signup/?next=/invite/some-token/"' in response.content.decode()
