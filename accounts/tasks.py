"""Accounts' scheduled task. (Its e-mails are tasks too: accounts/emails.py.)"""

from django_tasks import task

from accounts.services import prune_unconfirmed_accounts


@task()
def prune_unconfirmed() -> int:
    """Delete the accounts nobody confirmed in time (accounts.services); return how many.
    Safe to run twice, or twice at once: a second run finds nothing left to delete."""
    return prune_unconfirmed_accounts()
