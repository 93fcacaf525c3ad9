"""`manage.py orm_lab --rows N`: the ORM lab's comparison, printed as a table."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lab.orm import MAX_ROWS, compare, plan_label


class Command(BaseCommand):
    help = (
        "Build the list of published questions (topic, author, tags, number of choices) "
        "naively and tuned, and print the queries, database time and wall time of each."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rows", type=int, default=10, help=f"rows to load, 1 to {MAX_ROWS} (default 10)"
        )
        parser.add_argument(
            "--sql", action="store_true", help="also print the first queries of each approach"
        )
        parser.add_argument(
            "--explain", action="store_true", help="also print the plan of the tuned query"
        )

    def handle(self, *args, rows: int, sql: bool, explain: bool, **options) -> None:
        if not 1 <= rows <= MAX_ROWS:
            raise CommandError(f"--rows must be between 1 and {MAX_ROWS}.")
        comparison = compare(rows, explain=explain)
        self.stdout.write(f"Published questions loaded: {comparison.row_count} (asked {rows})")
        header = f"{'Approach':<10} {'Rows':>6} {'Queries':>8} {'DB ms':>9} {'Wall ms':>9}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for run in comparison.runs:
            self.stdout.write(
                f"{run.name:<10} {len(run.rows):>6} {run.query_count:>8} "
                f"{run.db_ms:>9.1f} {run.wall_ms:>9.1f}"
            )
        if comparison.saved_queries > 0:
            self.stdout.write(
                f"The tuned list saves {comparison.saved_queries} queries "
                f"({comparison.naive.query_count} -> {comparison.tuned.query_count})."
            )
        if sql:
            for run in comparison.runs:
                self.stdout.write(f"\n{run.name}: first queries")
                for query in run.first_queries:
                    self.stdout.write(f"  [{query.duration_ms:.2f} ms] {query.sql}")
                if run.more_queries:
                    self.stdout.write(f"  ... and {run.more_queries} more")
        if explain:
            self.stdout.write(f"\nTuned query plan ({plan_label()}):")
            self.stdout.write(comparison.tuned.plan)
