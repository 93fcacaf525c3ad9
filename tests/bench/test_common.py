"""bench/common.py: results.md is one file written by several scripts, each owning its part."""

from bench.common import replace_section, sections_starting, split_sections

RESULTS = """# Benchmark results

The pages' table.

## Guards

| a | b |

## The Python runner (browser)

Runner figures.

### ORM exercise (Django in the browser)

ORM figures.

## Item analysis (issue 14)

Analysis figures.
"""


def test_sections_are_cut_at_level_two_headings_only():
    parts = split_sections(RESULTS)

    assert [part.splitlines()[0] for part in parts] == [
        "# Benchmark results",
        "## Guards",
        "## The Python runner (browser)",
        "## Item analysis (issue 14)",
    ]
    assert "### ORM exercise" in parts[2]
    assert "".join(parts) == RESULTS


def test_a_section_is_replaced_in_place_and_the_later_ones_kept():
    text = replace_section(
        RESULTS, "## The Python runner (browser)", "## The Python runner (browser)\n\nNew.\n"
    )

    assert "Runner figures" not in text
    assert "ORM figures" not in text  # its "###" part went with it
    assert "## The Python runner (browser)\n\nNew.\n\n## Item analysis (issue 14)" in text
    assert text.endswith("Analysis figures.\n")


def test_a_new_section_goes_at_the_end():
    text = replace_section(RESULTS, "## Soak", "## Soak\n\nFigures.")

    assert text == RESULTS + "\n## Soak\n\nFigures.\n"
    assert replace_section("", "## Soak", "## Soak\n") == "## Soak\n"


def test_the_last_section_replaced_leaves_no_blank_line_at_the_end():
    text = replace_section(RESULTS, "## Item analysis", "## Item analysis (issue 14)\n\nNew.\n\n")

    assert text.endswith(
        "Runner figures.\n\n### ORM exercise (Django in the browser)\n\n"
        "ORM figures.\n\n## Item analysis (issue 14)\n\nNew.\n"
    )


def test_the_top_keeps_the_other_scripts_sections_in_their_order():
    kept = sections_starting(RESULTS, ["## Item analysis", "## The Python runner (browser)"])

    assert kept.startswith("## The Python runner (browser)\n\nRunner figures.")
    assert "## Guards" not in kept
    assert kept.endswith("ORM figures.\n\n## Item analysis (issue 14)\n\nAnalysis figures.\n")
    assert sections_starting("# Benchmark results\n", ["## Item analysis"]) == ""
