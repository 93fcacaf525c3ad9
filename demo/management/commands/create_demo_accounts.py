from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Mentorship, User
from accounts.roles import EDITORS, MENTORS

# Demo logins for a local first run. Never for production: the command refuses without DEBUG.
DEMO_ACCOUNTS = [
    # (username, email, password, groups, is_staff)
    ("candidate", "candidate@example.com", "prep-candidate-demo", [], False),
    ("mentor", "mentor@example.com", "prep-mentor-demo", [MENTORS], False),
    ("editor", "editor@example.com", "prep-editor-demo", [EDITORS], True),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo candidate, mentor and editor for a local first run; "
        "the mentor mentors the candidate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (not for production)"
        )

    @transaction.atomic
    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("Demo accounts have well-known passwords: only with DEBUG on.")
        for username, email, password, groups, is_staff in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"email": email, "is_staff": is_staff}
            )
            user.set_password(password)
            user.is_staff = is_staff
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
        # The demo mentor mentors the demo candidate, so that the mentor pages have someone.
        Mentorship.objects.get_or_create(
            mentor=User.objects.get(username="mentor"),
            candidate=User.objects.get(username="candidate"),
        )
        self.stdout.write(self.style.SUCCESS("Demo accounts (log in at /accounts/login/):"))
        if settings.DEBUG:
            for username, _email, password, groups, _staff in DEMO_ACCOUNTS:
                role = ", ".join(groups) or "candidate"
                self.stdout.write(f"  {username:<10} password: {password:<22} ({role})")
