"""bench/run.py's figures: the ratios, the guards and the Markdown of results.md.

Pure functions of the results dictionary bench/run.py builds (the same one it writes to
results.json), so that they can be tested without a server:

    results = {
        "scales": {"small": SCALE, "large": SCALE},      # the current tree
        "baseline": {"commit": ..., "scales": {...}},   # only in baseline mode
        ...,                                             # the run's circumstances
    }
    SCALE = {"pages": {key: PAGE}, "worker_peak_rss_mb": [...], "counts": {...}, ...}
    PAGE = {"key", "label", "htmx", "available", "rps", "queries", "p50_ms", ..., "not_200"}
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Issue 15's guards, all judged on ratios taken in one run.
BASELINE_RATIO = 0.85  # each page keeps at least this share of its baseline's throughput
LARGE_OVER_SMALL = 0.85  # each page keeps at least this share of its small-scale throughput
WORKER_MEMORY_MB = 150  # peak resident memory of every gunicorn worker

# The floors: Django alone. /healthz is one SELECT 1 for an anonymous request; the signed-in
# floor (bench/site/bench_site/views.py) reads the session and the user and returns a few bytes,
# as a page and as an htmx request.
FLOORS = ("healthz", "floor_page", "floor_htmx")
PAGE_ORDER = [
    *FLOORS,
    "bank_list",
    "question_page",
    "practice_page",
    "card_swap",
    "grade_post",
    "dashboard",
    "mentee_page",
    "admin_list",
]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator, or None when either is missing or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def measured(page: dict | None) -> bool:
    """Whether the page was served and driven in this run: it has a throughput (a run too short
    for one request to complete has none)."""
    return bool(page and page.get("available") and page.get("rps"))


def signed_in_floor_of(page: dict) -> str:
    """The floor a page is held against: the htmx one for htmx requests, else the page one."""
    return "floor_htmx" if page.get("htmx") else "floor_page"


def add_floor_ratios(pages: dict[str, dict]) -> None:
    """Give every measured page its throughput over /healthz's and over its signed-in floor's
    (`ratio_healthz`, `ratio_floor`; None when that floor was not measured)."""
    healthz = pages.get("healthz")
    for key, page in pages.items():
        if not measured(page):
            continue
        page["ratio_healthz"] = ratio(page["rps"], healthz["rps"]) if measured(healthz) else None
        floor = pages.get(signed_in_floor_of(page))
        page["ratio_floor"] = (
            ratio(page["rps"], floor["rps"]) if measured(floor) and key != "healthz" else None
        )


def compare(current: dict[str, dict], baseline: dict[str, dict]) -> dict[str, dict[str, dict]]:
    """Per scale and page measured on both sides: the two throughputs and current ÷ baseline."""
    comparison: dict[str, dict[str, dict]] = {}
    for name, scale in current.items():
        if name not in baseline:
            continue
        rows = {}
        for key in PAGE_ORDER:
            now, before = scale["pages"].get(key), baseline[name]["pages"].get(key)
            if measured(now) and measured(before):
                rows[key] = {
                    "current_rps": now["rps"],
                    "baseline_rps": before["rps"],
                    "ratio": ratio(now["rps"], before["rps"]),
                    "current_queries": now.get("queries"),
                    "baseline_queries": before.get("queries"),
                }
        comparison[name] = rows
    return comparison


def large_over_small(scales: dict[str, dict]) -> dict[str, dict]:
    """Per page measured at both scales: the two throughputs, large ÷ small, the query counts."""
    if not {"small", "large"} <= set(scales):
        return {}
    rows = {}
    for key in PAGE_ORDER:
        small, large = scales["small"]["pages"].get(key), scales["large"]["pages"].get(key)
        if measured(small) and measured(large):
            rows[key] = {
                "small_rps": small["rps"],
                "large_rps": large["rps"],
                "ratio": ratio(large["rps"], small["rps"]),
                "small_queries": small.get("queries"),
                "large_queries": large.get("queries"),
            }
    return rows


def _label(scales: dict[str, dict], key: str) -> str:
    for scale in scales.values():
        if key in scale["pages"]:
            return scale["pages"][key]["label"]
    return key


def guards(results: dict) -> list[dict]:
    """Issue 15's guards on the current tree, each {"name", "met", "detail", "failing"}: met is
    None when the run could not judge it (no baseline, one scale); failing lists the
    (page key, scale) that miss it."""
    scales = results["scales"]
    found = []

    # No page below 0.85 of its baseline (the floors are Django alone: shown, not judged).
    name = f"No page below {BASELINE_RATIO:.2f} of its baseline"
    rows = [
        (row["ratio"], key, scale)
        for scale, pages in results.get("comparison", {}).items()
        for key, row in pages.items()
        if key not in FLOORS and row["ratio"] is not None
    ]
    if "baseline" not in results or not rows:
        found.append(
            {"name": name, "met": None, "detail": "no baseline (BASELINE=<rev>)", "failing": []}
        )
    else:
        failing = [(key, scale) for value, key, scale in rows if value < BASELINE_RATIO]
        lowest, key, scale = min(rows)
        found.append(
            {
                "name": name,
                "met": not failing,
                "detail": _misses(scales, rows, BASELINE_RATIO)
                or f"lowest: {_label(scales, key)} ({scale}) {lowest:.2f}",
                "failing": failing,
            }
        )

    # Large over small at least 0.85, and the same number of queries at both scales.
    growth = large_over_small(scales)
    pages = {k: v for k, v in growth.items() if k not in FLOORS}
    name = f"Large ÷ small at least {LARGE_OVER_SMALL:.2f}"
    flat_name = "Query counts flat (small → large)"
    if not pages:
        for each in (name, flat_name):
            found.append({"name": each, "met": None, "detail": "needs both scales", "failing": []})
    else:
        rows = [(row["ratio"], key, "large") for key, row in pages.items()]
        failing = [(key, "large") for value, key, _ in rows if value < LARGE_OVER_SMALL]
        lowest, key, _ = min(rows)
        found.append(
            {
                "name": name,
                "met": not failing,
                "detail": _misses(scales, rows, LARGE_OVER_SMALL)
                or f"lowest: {_label(scales, key)} {lowest:.2f}",
                "failing": failing,
            }
        )
        grown = [
            f"{_label(scales, key)} {row['small_queries']} → {row['large_queries']}"
            for key, row in pages.items()
            if row["small_queries"] != row["large_queries"]
        ]
        found.append(
            {
                "name": flat_name,
                "met": not grown,
                "detail": "; ".join(grown) or f"the same at both scales on all {len(pages)} pages",
                "failing": [],
            }
        )

    # Worker memory.
    peaks = {
        scale: max(values["worker_peak_rss_mb"])
        for scale, values in scales.items()
        if values.get("worker_peak_rss_mb")
    }
    name = f"Worker memory under {WORKER_MEMORY_MB} MB"
    if not peaks:
        found.append({"name": name, "met": None, "detail": "not read", "failing": []})
    else:
        top = max(peaks.values())
        found.append(
            {
                "name": name,
                "met": top < WORKER_MEMORY_MB,
                "detail": "peak "
                + ", ".join(f"{value:.0f} MB ({scale})" for scale, value in peaks.items()),
                "failing": [],
            }
        )

    # Not one of the issue's, but without it no figure means anything.
    wrong = [
        f"{page['label']} ({scale}) {page['not_200']}"
        for side in (results, results.get("baseline") or {})
        for scale, values in side.get("scales", {}).items()
        for page in values["pages"].values()
        if measured(page) and page.get("not_200")
    ]
    found.append(
        {
            "name": "Every response a 200 (on both sides)",
            "met": not wrong,
            "detail": ("not 200: " + "; ".join(wrong)) if wrong else "",
            "failing": [],
        }
    )
    return found


def _misses(scales: dict, rows: Iterable[tuple], floor: float) -> str:
    misses = sorted(row for row in rows if row[0] < floor)
    return "; ".join(f"{_label(scales, key)} ({scale}) {value:.2f}" for value, key, scale in misses)


# --- the baseline's dependencies ----------------------------------------------------------------

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _pins(requirements: Iterable[str]) -> dict[str, str]:
    """{normalised project name: the requirement without spaces} (PEP 503 names)."""
    pins = {}
    for requirement in requirements:
        found = _NAME.match(requirement)
        if found:
            name = re.sub(r"[-_.]+", "-", found.group(1)).lower()
            pins[name] = "".join(requirement.split())
    return pins


def pin_differences(needed: Iterable[str], installed: Iterable[str]) -> tuple[list[str], list[str]]:
    """What a tree that pins `needed` would miss in a venv built from `installed` (another
    pyproject.toml's `dependencies`): (differences, extras). A difference is a package pinned
    otherwise or not at all; extras are packages only the venv has, which that tree never
    imports, so they do not stop one venv from serving both."""
    needed_pins, installed_pins = _pins(needed), _pins(installed)
    differences = [
        f"{pin} (the venv has {installed_pins[name]})"
        if name in installed_pins
        else f"{pin} (not in the venv)"
        for name, pin in sorted(needed_pins.items())
        if installed_pins.get(name) != pin
    ]
    extras = [pin for name, pin in sorted(installed_pins.items()) if name not in needed_pins]
    return differences, extras


def installed_too(needed: Iterable[str], installed: dict[str, str]) -> list[str]:
    """The pins of `needed` that the venv has although its own pyproject.toml does not pin them
    (installed by hand for a run, such as a package the working tree has dropped), at the
    pinned version: `installed` is {project name: version} of the venv's distributions."""
    versions = {re.sub(r"[-_.]+", "-", n).lower(): version for n, version in installed.items()}
    return [
        pin
        for name, pin in _pins(needed).items()
        if "==" in pin and versions.get(name) == pin.split("==", 1)[1]
    ]


# --- results.md -----------------------------------------------------------------------------------


def met(flag: bool | None) -> str:
    return "—" if flag is None else ("met" if flag else "**not met**")


def _fixed(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _header(results: dict) -> list[str]:
    machine, wrk = results["machine"], results["wrk"]
    if wrk.get("halves"):
        driven = f"2 × {wrk['halves']} s per page and tree, each after a {wrk['warmup']} s warm-up"
    else:
        driven = f"{wrk['seconds']} s per page after a {wrk['warmup']} s warm-up"
    lines = [
        "# Benchmark results",
        "",
        f"Run {results['finished_at']} on {machine['cpus']} CPUs ({machine['python']}, "
        f"{results['database']}, cache: {results.get('cache', 'none')}), load average "
        f"{machine['load_before']} before the run and {machine['load_after']} after. "
        f"wrk {wrk['threads']} threads, {wrk['connections']} connections, {driven}; gunicorn 2 "
        "sync workers, DEBUG off, "
        "production's settings with the benchmark's URLconf (bench/site/). "
        f"{results.get('total_seconds', 0) / 60:.0f} minutes in all.",
        "",
        f"Current: {results['current']['description']}.",
    ]
    baseline = results.get("baseline")
    if baseline:
        extras = baseline.get("venv_extras")
        lines += [
            f"Baseline: {baseline['description']}, served from a worktree in bench/.work/ by the "
            "same venv"
            + (
                f" (the current tree also pins {', '.join(extras)}, which the baseline never "
                "imports)"
                if extras
                else ""
            )
            + ". Both trees' databases hold the same rows: the baseline's migrate and seed_demo "
            "wrote them, then the current tree's migrations brought its own up to date. Each "
            "page was "
            "driven on the baseline, the current tree, the current tree again and the baseline "
            "again, half the time each, at each scale in turn: the two figures of a ratio come "
            "from the same half-minute, and a load that rises or falls steadily over it weighs "
            "on both alike.",
        ]
    lines += [
        "",
        "÷ signed-in floor: the page's requests per second over the signed-in floor's in the "
        "same run (the htmx floor for htmx requests, the page floor otherwise), that is what the "
        "page costs beyond Django's own signed-in request cycle; ÷ /healthz likewise over "
        "/healthz. Each floor is the mean of its runs at the start and at the end; a page driven "
        "more than once has the mean of its runs' throughputs and latencies. Absolute "
        "figures on this shared machine move by tens of percent from run to run: judge by the "
        "ratios.",
    ]
    return lines


def _guards_table(results: dict) -> list[str]:
    lines = [
        "",
        "## Guards (issue 15), all from this run",
        "",
        "| Guard | | |",
        "|---|---|---|",
    ]
    for guard in results["guards"]:
        lines.append(f"| {guard['name']} | {met(guard['met'])} | {guard['detail']} |")
    return lines


def _pages_table(results: dict) -> list[str]:
    scales = results["scales"]
    comparison = results.get("comparison", {})
    with_baseline = "baseline" in results
    head = "| Page | Scale | Req/s | p50 ms | p99 ms | Queries | ÷ signed-in floor | ÷ /healthz |"
    rule = "|---|---|---:|---:|---:|---:|---:|---:|"
    if with_baseline:
        head += " Baseline req/s | Baseline queries | **Current ÷ baseline** |"
        rule += "---:|---:|---:|"
    columns = head.count("|") - 1
    lines = ["", "## Pages", "", head, rule]
    for key in PAGE_ORDER:
        for name, scale in scales.items():
            page = scale["pages"].get(key)
            if page is None:
                continue
            if not measured(page):
                note = page.get("note", "not available")
                lines.append(f"| {page['label']} | {name} | {note} |" + " |" * (columns - 3))
                continue
            not_ok = f" ({page['not_200']} not 200)" if page.get("not_200") else ""
            row = (
                f"| {page['label']} | {name} | {page['rps']:.1f}{not_ok} | {page['p50_ms']:.1f} "
                f"| {page['p99_ms']:.1f} | {page.get('queries', '')} "
                f"| {_fixed(page.get('ratio_floor'), 3)} | {_fixed(page.get('ratio_healthz'), 3)} |"
            )
            if with_baseline:
                compared = comparison.get(name, {}).get(key)
                if compared:
                    value = _fixed(compared["ratio"])
                    row += (
                        f" {compared['baseline_rps']:.1f} | {compared['baseline_queries']} "
                        f"| {value if key in FLOORS else f'**{value}**'} |"
                    )
                else:
                    row += " not measured | | |"
            lines.append(row)
    if with_baseline:
        lines += [
            "",
            "The floors' own current ÷ baseline is Django alone on both sides: how far the "
            "machine's load moved between the two runs of a pair, the noise to read the pages' "
            "ratios against.",
        ]
    return lines


def _growth_table(results: dict) -> list[str]:
    rows = large_over_small(results["scales"])
    if not rows:
        return []
    lines = [
        "",
        f"## Large over small (guard ≥ {LARGE_OVER_SMALL})",
        "",
        "| Page | Small req/s | Large req/s | Large ÷ small | Queries small → large | |",
        "|---|---:|---:|---:|---|---|",
    ]
    labels = results["scales"]["large"]["pages"]
    for key, row in rows.items():
        judged = None if key in FLOORS else row["ratio"] >= LARGE_OVER_SMALL
        lines.append(
            f"| {labels[key]['label']} | {row['small_rps']:.1f} | {row['large_rps']:.1f} "
            f"| {row['ratio']:.2f} | {row['small_queries']} → {row['large_queries']} "
            f"| {met(judged)} |"
        )
    return lines


def _memory(results: dict) -> list[str]:
    lines = ["", f"## Worker memory (guard < {WORKER_MEMORY_MB} MB peak RSS)", ""]
    sides = [("current", results["scales"])]
    if results.get("baseline"):
        sides.append(("baseline", results["baseline"]["scales"]))
    for side, scales in sides:
        for name, scale in scales.items():
            rss = scale.get("worker_peak_rss_mb") or []
            peak = max(rss) if rss else None
            lines.append(
                f"- {side}, {name}: peak RSS of the gunicorn workers "
                f"{', '.join(f'{m:.1f}' for m in rss) or 'not read'} MB"
                + (f": {met(None if peak is None else peak < WORKER_MEMORY_MB)}")
            )
    return lines


def _profiles(results: dict) -> list[str]:
    scales = results["scales"]
    profiled = [
        (name, scale["pages"][key])
        for name, scale in scales.items()
        for key in PAGE_ORDER
        if scale["pages"].get(key, {}).get("profile")
    ]
    if not profiled:
        return []
    lines = [
        "",
        "## Where the time goes (pages that fail a guard)",
        "",
        "In-process, one request at a time (bench/profile_page.py), milliseconds per request: SQL "
        "as timed around each statement; Python is everything else; the slowest statement; the "
        "functions with the most own time (cProfile). Run `bench/run.py --keep-db` and "
        "bench/profile_page.py for the whole picture.",
        "",
    ]
    for name, page in profiled:
        profile = page["profile"]
        top = "; ".join(
            f"`{f['function']}` {f['own_ms_per_request']} ms" for f in profile["top_functions"][:4]
        )
        slowest = (profile.get("slowest_queries") or [{}])[0]
        lines.append(
            f"- {page['label']} ({name}): {profile['ms_per_request']} ms: SQL "
            f"{profile['sql_ms_per_request']} ms, Python {profile.get('python_ms_per_request')} ms "
            f"(templates, with the queries they run, {profile['template_ms_per_request']} ms). "
            f"Slowest statement {slowest.get('ms_per_request')} ms: "
            f"`{slowest.get('sql', '')[:140]}…`. Most own time: {top}."
        )
    return lines


def _data(results: dict) -> list[str]:
    lines = ["", "## Data", ""]
    sides = [("current", results["scales"])]
    if results.get("baseline"):
        sides.append(("baseline", results["baseline"]["scales"]))
    for side, scales in sides:
        for name, scale in scales.items():
            counts, users = scale["counts"], scale["users"]
            grade = scale["pages"].get("grade_post", {})
            lines.append(
                f"- {side}, {name}: {counts['questions']:,} questions, {counts['users']:,} users, "
                f"{counts['answers']:,} answers, {counts['review_cards']:,} review cards; seeded "
                f"in {scale['seed_seconds']} s ({scale['database']}), migrated in "
                f"{scale['migrate_seconds']} s. Pages viewed as {users['candidate']} "
                f"({scale['answers_of_candidate']:,} answers), {users['practiser']} (practice "
                f"pages), {users['mentor']} and {users['editor']}. Grade POSTs: "
                f"{grade.get('sent', 0):,} sent over {scale['grade_cards_prepared']:,} fresh cards."
            )
    return lines


def _hot_queries(results: dict) -> list[str]:
    scales = results["scales"]
    hot = scales.get("large", scales[list(scales)[-1]]).get("hot_queries")
    if not hot:
        return []
    lines = [
        "",
        "## Hot queries (current tree, largest scale; EXPLAIN ANALYZE, PostgreSQL)",
        "",
        "| Query | Indexes used | Sequential scans | ms |",
        "|---|---|---|---:|",
    ]
    for query in hot:
        ms = query.get("execution_ms")
        lines.append(
            f"| {query['query']} | {', '.join(query.get('indexes', [])) or '**none**'} "
            f"| {', '.join(query.get('seq_scans', [])) or '—'} "
            f"| {'' if ms is None else ms} |"
        )
    lines += ["", "The full plans are in results.json (`hot_queries`)."]
    return lines


def render(results: dict) -> str:
    """bench/run.py's part of results.md (the file's top, before the other scripts' sections)."""
    lines = [
        *_header(results),
        *_guards_table(results),
        *_pages_table(results),
        *_growth_table(results),
        *_memory(results),
        *_profiles(results),
        *_data(results),
        *_hot_queries(results),
    ]
    return "\n".join(lines) + "\n"
