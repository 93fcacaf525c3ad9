from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import User
from accounts.roles import EDITORS, ROLE_GROUPS


class Command(BaseCommand):
    help = "Give a user a role: editor (admin access to the question bank) or mentor."

    def add_arguments(self, parser):
        parser.add_argument("user", help="user name or email address")
        parser.add_argument("role", choices=sorted(ROLE_GROUPS))
        parser.add_argument("--revoke", action="store_true", help="take the role away instead")

    def handle(self, *args, user: str, role: str, revoke: bool, **options):
        account = User.objects.filter(Q(username__iexact=user) | Q(email__iexact=user)).first()
        if account is None:
            raise CommandError(f"No user with the name or address {user!r}.")
        try:
            group = Group.objects.get(name=ROLE_GROUPS[role])
        except Group.DoesNotExist as exc:
            raise CommandError(
                f"The group {ROLE_GROUPS[role]!r} is missing: run `manage.py migrate` first."
            ) from exc
        if revoke:
            account.groups.remove(group)
            if group.name == EDITORS and not account.is_superuser:
                account.is_staff = False
                account.save(update_fields=["is_staff"])
            self.stdout.write(self.style.SUCCESS(f"{account.username} is no longer a {role}."))
            return
        account.groups.add(group)
        if group.name == EDITORS and not account.is_staff:
            account.is_staff = True  # editors work in the admin
            account.save(update_fields=["is_staff"])
        self.stdout.write(self.style.SUCCESS(f"{account.username} is now a {role}."))
