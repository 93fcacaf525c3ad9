import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_created_twice_safely(settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")

    assert User.objects.filter(username__in=["candidate", "mentor", "editor"]).count() == 3
    assert User.objects.get(username="editor").is_editor
    assert User.objects.get(username="mentor").is_mentor
    assert User.objects.get(username="mentor").mentorships_given.get().candidate.username == (
        "candidate"
    )
    assert "prep-candidate-demo" in capsys.readouterr().out


def test_demo_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("create_demo_accounts")
