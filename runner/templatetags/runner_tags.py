import json

from django import template

register = template.Library()

STATUS_LABELS = {"pass": "Passed", "fail": "Failed", "error": "Error", "timeout": "Timed out"}


@register.filter
def passed_count(results) -> int:
    return sum(1 for result in results or () if result.get("status") == "pass")


@register.filter
def test_status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


@register.filter
def milliseconds(value) -> str:
    """A test's duration: "0.4 ms", "12.5 ms", "1.25 s"."""
    value = float(value or 0)
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{round(value, 1)} ms"


@register.filter
def sql_value(value) -> object:
    """A value of a query's result as the card's script shows it: a whole float without its
    ".0" (JSON hands the browser 15.0 as 15)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@register.simple_tag
def runner_tests(question) -> dict:
    """A question's tests as the runner takes them (its `tests` prefetched)."""
    return {
        "visible": question.runner_tests(include_hidden=False),
        "all": question.runner_tests(include_hidden=True),
    }


@register.filter
def to_json(value) -> str:
    """JSON for a data-* attribute (auto-escaping keeps it inside the attribute). Not a
    <script type="application/json">: htmx drops <script> elements from the content it swaps in
    (allowScriptTags is off), and a card is swapped after every Submit."""
    return json.dumps(value)
