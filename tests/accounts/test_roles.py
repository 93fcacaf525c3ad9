import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_role_groups_exist_with_the_right_permissions():
    editors = Group.objects.get(name="Editors")
    mentors = Group.objects.get(name="Mentors")

    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    for model in ("question", "choice", "topic", "track", "tag", "questionset"):
        for action in ("add", "change", "delete", "view"):
            assert f"{action}_{model}" in editor_perms
    assert not editors.permissions.exclude(content_type__app_label="questions").exists()
    assert mentors.permissions.count() == 0


def test_grant_role_makes_an_editor_staff(capsys):
    user = UserFactory(username="ed")

    call_command("grant_role", "ed", "editor")

    user = User.objects.get(pk=user.pk)
    assert user.is_staff
    assert user.is_editor
    assert "ed is now a editor" in capsys.readouterr().out


def test_grant_role_finds_users_by_address_and_revokes():
    user = UserFactory(email="mo@example.com")

    call_command("grant_role", "MO@example.com", "mentor")
    assert User.objects.get(pk=user.pk).is_mentor

    call_command("grant_role", "mo@example.com", "mentor", "--revoke")
    assert not User.objects.get(pk=user.pk).is_mentor


def test_grant_role_explains_an_unknown_user():
    with pytest.raises(CommandError, match="No user with the name or address 'ghost'"):
        call_command("grant_role", "ghost", "mentor")


def test_grant_role_rejects_an_unknown_role():
    UserFactory(username="ed")

    with pytest.raises(CommandError):
        call_command("grant_role", "ed", "wizard")


def test_the_navigation_fits_the_users_roles(client, mentor, editor, candidate):
    client.force_login(candidate)
    html = client.get("/accounts/profile/").content.decode()
    assert ">Admin<" not in html

    client.force_login(editor)
    html = client.get("/accounts/profile/").content.decode()
    assert ">Admin<" in html
