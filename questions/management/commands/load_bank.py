from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions.bank_files import BANK_DIR, BankError, bank_files, load_bank, read_bank


class Command(BaseCommand):
    help = (
        "Load the question bank files (questions/bank/*.yaml) into the database, in one "
        "transaction. Idempotent: questions are matched by slug and only changes are written."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="directory",
            type=Path,
            default=BANK_DIR,
            help=f"the bank directory (default: {BANK_DIR})",
        )

    def handle(self, *args, directory: Path, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        if not bank_files(directory):
            self.stdout.write(f"No bank files in {directory}: nothing to load.")
            return
        try:
            result = load_bank(read_bank(directory))
        except BankError as error:
            raise CommandError(f"{error}\nNothing was loaded.") from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
