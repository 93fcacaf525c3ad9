from django.core.management.base import BaseCommand

from accounts.services import UNCONFIRMED_ACCOUNT_DAYS, prune_unconfirmed_accounts


class Command(BaseCommand):
    help = (
        f"Delete the accounts whose address nobody confirmed within {UNCONFIRMED_ACCOUNT_DAYS} "
        "days of their latest confirmation email, freeing their user names. Run it daily."
    )

    def handle(self, *args, **options):
        deleted = prune_unconfirmed_accounts()
        noun = "account" if deleted == 1 else "accounts"
        self.stdout.write(
            f"Deleted {deleted} {noun} nobody confirmed within {UNCONFIRMED_ACCOUNT_DAYS} days."
        )
