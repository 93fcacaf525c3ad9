from django.core.management.base import BaseCommand

from curation.analysis import analyse
from curation.tasks import analyse_questions


class Command(BaseCommand):
    help = (
        "Item analysis: compute every question's figures from the candidates' first answers "
        "(facility, discrimination, choice picks, Again share, leeches, time) and the reasons "
        "it needs editing, and store them for the admin. Idempotent: run it on a schedule; with "
        "--enqueue (for cron or a systemd timer), a worker does it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="queue the analysis for a worker (manage.py run_worker) instead of running it",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = analyse_questions.enqueue()
            self.stdout.write(f"Queued the item analysis (task {result.id}).")
            return
        self.stdout.write(str(analyse()))
