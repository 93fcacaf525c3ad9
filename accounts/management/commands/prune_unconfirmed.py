from django.core.management.base import BaseCommand

from accounts.services import UNCONFIRMED_ACCOUNT_DAYS, prune_unconfirmed_accounts
from accounts.tasks import prune_unconfirmed


class Command(BaseCommand):
    help = (
        f"Delete the accounts whose address nobody confirmed within {UNCONFIRMED_ACCOUNT_DAYS} "
        "days of their latest confirmation email, freeing their user names. Run it daily; with "
        "--enqueue (for cron or a systemd timer), a worker does it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the job for a worker (manage.py run_worker) instead of running it here",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = prune_unconfirmed.enqueue()
            self.stdout.write(f"Queued the pruning of unconfirmed accounts (task {result.id}).")
            return
        deleted = prune_unconfirmed_accounts()
        noun = "account" if deleted == 1 else "accounts"
        self.stdout.write(
            f"Deleted {deleted} {noun} nobody confirmed within {UNCONFIRMED_ACCOUNT_DAYS} days."
        )
