from pathlib import Path

from django.core.management.base import BaseCommand

from questions.bank_files import BANK_DIR, export_bank


class Command(BaseCommand):
    help = (
        "Write the question bank from the database to YAML files (tracks.yaml and one "
        "<topic>.yaml per topic), in the format load_bank reads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="directory",
            type=Path,
            default=BANK_DIR,
            help=f"where to write the files (default: {BANK_DIR})",
        )

    def handle(self, *args, directory: Path, **options):
        written = export_bank(directory)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {len(written)} file{'s' if len(written) != 1 else ''} to {directory}."
            )
        )
