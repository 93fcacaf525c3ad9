import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import EmailOrUsernameBackend
from accounts.models import User
from accounts.roles import EDITOR_TASK_PERMISSIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_role_groups_exist_with_the_right_permissions():
    editors = Group.objects.get(name="Editors")
    mentors = Group.objects.get(name="Mentors")

    editor_perms = set(editors.permissions.values_list("codename", flat=True))
    for model in ("question", "choice", "topic", "track", "tag", "questionset"):
        for action in ("add", "change", "delete", "view"):
            assert f"{action}_{model}" in editor_perms
    for model in ("needsediting", "problemreport"):
        assert f"view_{model}" in editor_perms and f"change_{model}" in editor_perms
    others = editors.permissions.exclude(content_type__app_label__in=("questions", "curation"))
    assert not others.exclude(codename__in=EDITOR_TASK_PERMISSIONS).exists()
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


def test_the_session_user_costs_one_query_and_its_roles_one_more_the_first_time_only(
    mentor, editor, candidate
):
    backend = EmailOrUsernameBackend()
    expected = {candidate: set(), mentor: {"Mentors"}, editor: {"Editors"}}
    for user, roles in expected.items():
        with CaptureQueriesContext(connection) as reading_the_user:
            loaded = backend.get_user(user.pk)
        assert loaded is not None
        # Django's own get_user: the user row alone, no role join.
        assert len(reading_the_user) == 1
        assert "auth_group" not in reading_the_user[0]["sql"]

        with CaptureQueriesContext(connection) as first_look:
            assert loaded.is_mentor is ("Mentors" in roles)
        assert len(first_look) == 1
        assert "auth_group" in first_look[0]["sql"]

        # Cached on the instance, which lives as long as the request.
        with CaptureQueriesContext(connection) as later_looks:
            assert loaded.role_names == roles
            assert loaded.is_editor is ("Editors" in roles)
            assert loaded.is_mentor is ("Mentors" in roles)
        assert len(later_looks) == 0


def test_a_user_not_loaded_by_a_session_reads_the_roles_once(mentor, django_assert_num_queries):
    user = User.objects.get(pk=mentor.pk)
    with django_assert_num_queries(1):
        assert user.role_names == {"Mentors"}
        assert user.is_mentor


def test_a_revoked_role_ends_with_the_next_request(client, editor):
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200

    call_command("grant_role", editor.username, "editor", "--revoke")

    assert client.get("/admin/").status_code in (302, 403)


def test_a_deactivated_account_loses_its_session(client, candidate):
    client.force_login(candidate)
    User.objects.filter(pk=candidate.pk).update(is_active=False)

    response = client.get("/accounts/profile/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
