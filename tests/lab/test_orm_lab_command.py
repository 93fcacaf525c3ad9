from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.lab.bulk import make_questions

pytestmark = pytest.mark.django_db


def run(**options) -> str:
    out = StringIO()
    call_command("orm_lab", stdout=out, **options)
    return out.getvalue()


def table_row(output: str, name: str) -> list[str]:
    line = next(line for line in output.splitlines() if line.startswith(name))
    return line.split()


def test_it_prints_the_comparison_as_a_table():
    make_questions(30)

    output = run(rows=25)

    assert "Approach" in output and "Queries" in output and "DB ms" in output
    # Approach, rows, queries, DB ms, wall ms.
    assert table_row(output, "Naive")[1:3] == ["25", str(1 + 4 * 25)]
    assert table_row(output, "Tuned")[1:3] == ["25", "2"]
    assert "The tuned list saves 99 queries (101 -> 2)." in output


def test_the_tuned_count_stays_flat_as_rows_grow():
    make_questions(60)

    assert table_row(run(rows=5), "Tuned")[2] == "2"
    assert table_row(run(rows=60), "Tuned")[2] == "2"
    assert table_row(run(rows=60), "Naive")[2] == "241"


def test_it_prints_the_sql_and_the_plan_when_asked():
    make_questions(5)

    output = run(rows=5, sql=True, explain=True)

    assert "Naive: first queries" in output
    assert "... and 18 more" in output
    assert "Tuned query plan" in output


def test_it_works_on_an_empty_bank():
    output = run(rows=10)

    assert "Published questions loaded: 0 (asked 10)" in output


@pytest.mark.parametrize("rows", [0, 501, -3])
def test_it_refuses_rows_out_of_range(rows):
    with pytest.raises(CommandError, match="between 1 and 500"):
        run(rows=rows)
