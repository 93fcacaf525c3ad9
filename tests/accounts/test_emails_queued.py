"""Sign-up and password-reset e-mails go through the task queue: the request queues them and
sends nothing; a worker renders them when it sends them, from the account as it is then."""

from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.tokens import make_resend_token
from tests.accounts.test_signup_and_login import GOOD, confirmation_path
from tests.factories import UserFactory


def sign_up(client, **changes):
    return client.post("/accounts/signup/", {**GOOD, **changes})


def test_sign_up_queues_the_confirmation_and_a_worker_sends_it(client, task_queue):
    response = sign_up(client)

    assert b"Check your email" in response.content
    assert mail.outbox == []  # the request sent nothing itself
    (queued,) = task_queue.tasks()
    assert queued.task_name == "email_confirmation_link" and queued.status == "READY"

    assert task_queue.run() == 1

    assert [message.to for message in mail.outbox] == [["newbie@example.com"]]
    (done,) = task_queue.tasks()
    assert done.status == "SUCCESSFUL" and done.return_value == "sent"
    confirmed = client.post(confirmation_path(mail.outbox[0]))
    assert confirmed.status_code == 302
    assert User.objects.get(username="newbie").is_active


def test_the_queued_arguments_hold_no_secret(client, task_queue):
    sign_up(client)

    (queued,) = task_queue.tasks()
    user = User.objects.get(username="newbie")
    stored = str(queued.args_kwargs)
    assert set(queued.args_kwargs["kwargs"]) == {"user_id", "joined_at", "origin", "next_url"}
    assert user.password not in stored and "passphrase" not in stored


def test_an_account_deleted_before_its_confirmation_goes_out_gets_none(client, task_queue):
    sign_up(client)
    User.objects.get(username="newbie").delete()

    task_queue.run()

    assert mail.outbox == []
    (done,) = task_queue.tasks()
    assert done.status == "SUCCESSFUL"
    assert done.return_value == "not sent: the account was deleted"


def test_an_account_confirmed_before_its_mail_goes_out_gets_none(client, task_queue):
    sign_up(client)
    User.objects.filter(username="newbie").update(is_active=True, awaiting_confirmation=False)

    task_queue.run()

    assert mail.outbox == []
    assert task_queue.tasks()[0].return_value == "not sent: the account is already confirmed"


def test_two_sign_ups_before_the_worker_runs_send_one_link_with_the_later_choice(task_queue):
    sign_up(Client(REMOTE_ADDR="203.0.113.1"), username="first-try")
    sign_up(Client(REMOTE_ADDR="203.0.113.2"), username="second-try")

    task_queue.run()

    (message,) = mail.outbox
    assert "second-try" in message.subject
    first, second = task_queue.tasks("email_confirmation_link")
    assert first.return_value == "not sent: a later sign-up with this address sent its own link"
    assert second.return_value == "sent"
    response = Client().post(confirmation_path(message))
    assert response.status_code == 302
    assert User.objects.get(email="newbie@example.com").username == "second-try"


def test_a_sign_up_with_a_registered_address_queues_the_attempt_notice(client, task_queue):
    UserFactory(username="owner", email="newbie@example.com")

    sign_up(client)

    assert mail.outbox == []
    task_queue.run()
    (message,) = mail.outbox
    assert message.subject == "Someone tried to sign up to Prep with your address"
    assert "http://testserver/accounts/password/reset/" in message.body


def test_a_deactivated_account_gets_no_attempt_notice(client, task_queue):
    owner = UserFactory(username="owner", email="newbie@example.com")
    sign_up(client)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    task_queue.run()

    assert mail.outbox == []
    assert task_queue.tasks()[0].return_value == (
        "not sent: the account was deleted or deactivated"
    )


def test_password_reset_is_queued_and_its_link_works_when_sent(client, task_queue):
    UserFactory(username="kim", email="kim@example.com")

    response = client.post("/accounts/password/reset/", {"email": "kim@example.com"})

    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []
    (queued,) = task_queue.tasks("email_password_reset")
    assert "token" not in str(queued.args_kwargs)

    task_queue.run()

    (message,) = mail.outbox
    assert message.subject == "Reset your Prep password"
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    page = client.get(link.split("testserver", 1)[1], follow=True)
    assert b"Choose a new password" in page.content


def test_a_reset_for_an_address_changed_since_is_not_sent(client, task_queue):
    user = UserFactory(username="kim", email="kim@example.com")
    client.post("/accounts/password/reset/", {"email": "kim@example.com"})
    user.email = "kim@elsewhere.example"
    user.save(update_fields=["email"])

    task_queue.run()

    assert mail.outbox == []
    assert task_queue.tasks()[0].return_value == (
        "not sent: the account is gone, deactivated or has another address now"
    )


def test_a_failed_sign_up_queues_nothing(client, task_queue):
    UserFactory(username="newbie", email="someone@example.com")

    response = sign_up(client)  # the user name is taken: the form says so

    assert response.status_code == 200
    assert task_queue.tasks() == []


def test_send_it_again_queues_a_new_link_and_only_that_one_goes_out(client, task_queue):
    sign_up(client)
    user = User.objects.get(username="newbie")

    response = client.post("/accounts/signup/resend/", {"token": make_resend_token(user)})

    assert b"Check your email" in response.content
    assert mail.outbox == []
    task_queue.run()
    (message,) = mail.outbox  # the first link was replaced before it went out
    first, again = task_queue.tasks("email_confirmation_link")
    assert first.return_value.startswith("not sent: a later sign-up")
    assert again.return_value == "sent"
    assert client.post(confirmation_path(message)).status_code == 302
