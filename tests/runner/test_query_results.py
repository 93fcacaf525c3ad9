"""The tables an SQL question's checks post on Submit (runner.results.parse_query_results): each
limit holds at its edge, what cannot be stored is replaced, and anything else is refused with a
message naming the result."""

import json

import pytest
from django.core.exceptions import ValidationError

from runner.browser import sql
from runner.results import parse_query_results, parse_results

CHECKS = [{"name": "visible rows", "expected": {"columns": ["name"], "rows": [["Ada"]]}}]


def posted(**table) -> str:
    """One passing check's result with a one-column table, changed by `table`."""
    shown = {"columns": ["name"], "rows": [["Ada"]], "row_count": 1, **table}
    return json.dumps([{"name": "visible rows", "status": "pass", "table": shown}])


def table_of(raw: str) -> dict:
    (result,) = parse_query_results(raw, CHECKS)
    return result["table"]


def refused(raw: str) -> str:
    with pytest.raises(ValidationError) as refusal:
        parse_query_results(raw, CHECKS)
    return refusal.value.messages[0]


# --- values -------------------------------------------------------------------------------------


def test_integers_up_to_64_bits_are_kept_and_larger_ones_refused():
    for edge in (2**63 - 1, -(2**63 - 1)):
        assert table_of(posted(rows=[[edge]]))["rows"] == [[edge]]
    for beyond in (2**63, -(2**63)):
        assert refused(posted(rows=[[beyond]])) == "Result 1: a number in the table is too large."


def test_a_text_one_over_the_cell_limit_is_kept_for_its_ellipsis_and_a_longer_one_refused():
    clipped = "A" * (sql.MAX_CELL + 1)

    assert table_of(posted(rows=[[clipped]]))["rows"] == [[clipped]]
    assert refused(posted(rows=[[clipped + "A"]])) == "Result 1: a value in the table is too long."


def test_characters_that_cannot_be_stored_are_replaced_in_values_and_column_names():
    table = table_of(posted(columns=["na\x00me"], rows=[["A\x00da"]]))

    assert table["columns"] == ["na\ufffdme"]
    assert table["rows"] == [["A\ufffdda"]]


# --- the table's shape --------------------------------------------------------------------------


def test_a_table_with_a_key_of_its_own_is_refused():
    assert refused(posted(sql="SELECT 1")) == "Result 1: 'table' is not a table."


@pytest.mark.parametrize(
    "columns",
    [
        "na",  # a string is a list of letters to Python: not here
        [5],
        ["name"] * (sql.MAX_COLUMNS + 1),
        ["n" * (sql.MAX_CELL + 2)],
    ],
    ids=["a string", "a number", "one column too many", "a name too long"],
)
def test_columns_must_be_a_bounded_list_of_short_names(columns):
    rows = [[None] * len(columns)]

    message = refused(posted(columns=columns, rows=rows))

    assert message == "Result 1: the table's columns are not a list of names."


def test_the_most_columns_and_the_longest_names_allowed_are_kept():
    widest = [f"c{i}" for i in range(sql.MAX_COLUMNS)]
    longest = ["n" * (sql.MAX_CELL + 1)]

    assert table_of(posted(columns=widest, rows=[[1] * len(widest)]))["columns"] == widest
    assert table_of(posted(columns=longest))["columns"] == longest


def test_a_card_shows_every_first_row_and_counts_up_to_the_row_limit():
    rows = [["Ada"]] * sql.ROWS_SHOWN

    table = table_of(posted(rows=rows, row_count=sql.MAX_ROWS))

    assert (len(table["rows"]), table["row_count"]) == (sql.ROWS_SHOWN, sql.MAX_ROWS)
    assert refused(posted(row_count=sql.MAX_ROWS + 1)) == (
        "Result 1: 'row_count' must be the number of rows."
    )


def test_a_count_that_is_true_or_false_is_refused():
    assert refused(posted(row_count=True)) == "Result 1: 'row_count' must be the number of rows."


def test_a_coding_questions_results_may_not_carry_a_table():
    class Test:
        name = "visible rows"
        code = "assert True"

    with pytest.raises(ValidationError, match="Result 1 is not a test result."):
        parse_results(posted(), [Test()])
