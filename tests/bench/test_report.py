"""bench/report.py: the benchmark's ratios, issue 15's guards and the Markdown of results.md."""

import pytest

from bench import report


def page(key, rps, queries=3, *, htmx=False, not_200=0):
    return {
        "key": key,
        "label": key.replace("_", " ").capitalize(),
        "htmx": htmx,
        "available": True,
        "rps": rps,
        "queries": queries,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "p99_ms": 30.0,
        "not_200": not_200,
        "sent": 0,
    }


def scale(*pages, rss=(80.0, 82.0)):
    keyed = {p["key"]: p for p in pages}
    report.add_floor_ratios(keyed)
    return {
        "database": "PostgreSQL",
        "counts": {"questions": 1000, "users": 100, "answers": 20000, "review_cards": 900},
        "users": {"candidate": "c", "practiser": "p", "mentor": "m", "editor": "e"},
        "answers_of_candidate": 400,
        "grade_cards_prepared": 5940,
        "migrate_seconds": 2.0,
        "seed_seconds": 3.0,
        "worker_peak_rss_mb": list(rss),
        "pages": keyed,
        "hot_queries": [],
    }


def floors(healthz=2000.0, signed_in=700.0, htmx=720.0):
    return [
        page("healthz", healthz, 1),
        page("floor_page", signed_in, 1),
        page("floor_htmx", htmx, 1, htmx=True),
    ]


def results(current, baseline=None):
    found = {
        "database": "PostgreSQL",
        "cache": "Redis",
        "machine": {"cpus": 2, "python": "3.11.7", "load_before": "1", "load_after": "2"},
        "wrk": {"threads": 2, "connections": 8, "seconds": 10, "warmup": 2},
        "current": {"description": "the working tree", "commit": None},
        "scales": current,
        "finished_at": "2026-12-06 09:00 UTC",
        "total_seconds": 600,
    }
    if baseline is not None:
        found["baseline"] = {
            "description": "`90232f8` ORM exercises",
            "commit": "90232f8",
            "venv_extras": ["django-tasks==0.12.0"],
            "scales": baseline,
        }
        found["comparison"] = report.compare(current, baseline)
    found["guards"] = report.guards(found)
    return found


def guard(found, start):
    return next(g for g in found["guards"] if g["name"].startswith(start))


# --- ratios ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("numerator", "denominator"), [(None, 2.0), (1.0, None), (1.0, 0.0)])
def test_a_ratio_without_a_denominator_is_none(numerator, denominator):
    assert report.ratio(numerator, denominator) is None


def test_a_page_is_held_against_the_signed_in_floor_of_its_kind():
    pages = scale(*floors(healthz=2000, signed_in=800, htmx=500), page("dashboard", 100))
    pages["pages"]["card_swap"] = page("card_swap", 250, htmx=True)
    report.add_floor_ratios(pages["pages"])

    dashboard, swap = pages["pages"]["dashboard"], pages["pages"]["card_swap"]
    assert dashboard["ratio_floor"] == pytest.approx(100 / 800)
    assert dashboard["ratio_healthz"] == pytest.approx(100 / 2000)
    assert swap["ratio_floor"] == pytest.approx(250 / 500)
    assert pages["pages"]["floor_page"]["ratio_healthz"] == pytest.approx(0.4)


def test_without_its_floor_a_page_has_no_floor_ratio():
    pages = {"healthz": page("healthz", 1000), "dashboard": page("dashboard", 100)}
    pages["floor_page"] = {"key": "floor_page", "label": "Floor", "available": False}

    report.add_floor_ratios(pages)

    assert pages["dashboard"]["ratio_floor"] is None
    assert pages["dashboard"]["ratio_healthz"] == pytest.approx(0.1)
    assert "ratio_floor" not in pages["floor_page"]


def test_compare_gives_current_over_baseline_for_pages_measured_on_both_sides():
    current = {"small": scale(*floors(), page("dashboard", 90, 5), page("admin_list", 40))}
    baseline = {"small": scale(*floors(), page("dashboard", 100, 6))}

    rows = report.compare(current, baseline)["small"]

    assert rows["dashboard"] == {
        "current_rps": 90,
        "baseline_rps": 100,
        "ratio": pytest.approx(0.9),
        "current_queries": 5,
        "baseline_queries": 6,
    }
    assert "admin_list" not in rows  # the baseline has no such page


def test_a_run_in_which_no_request_completed_is_not_compared():
    current = {"small": scale(*floors(), page("admin_list", 0.0))}
    baseline = {"small": scale(*floors(), page("admin_list", 3.0))}

    assert "admin_list" not in report.compare(current, baseline)["small"]
    assert "ratio_floor" not in current["small"]["pages"]["admin_list"]


def test_large_over_small_needs_both_scales():
    small = scale(*floors(), page("dashboard", 100, 5))
    large = scale(*floors(), page("dashboard", 80, 5))

    assert report.large_over_small({"small": small}) == {}
    row = report.large_over_small({"small": small, "large": large})["dashboard"]
    assert row["ratio"] == pytest.approx(0.8)
    assert (row["small_queries"], row["large_queries"]) == (5, 5)


# --- guards ----------------------------------------------------------------------------------


def test_every_guard_is_met_by_a_run_that_keeps_its_figures():
    current = {
        "small": scale(*floors(), page("dashboard", 100, 5)),
        "large": scale(*floors(), page("dashboard", 95, 5)),
    }
    baseline = {
        "small": scale(*floors(), page("dashboard", 100, 6)),
        "large": scale(*floors(), page("dashboard", 100, 6)),
    }

    found = results(current, baseline)

    assert [g["met"] for g in found["guards"]] == [True, True, True, True, True]
    assert guard(found, "No page below")["detail"] == "lowest: Dashboard (large) 0.95"


def test_a_page_below_085_of_its_baseline_fails_and_is_named():
    current = {"small": scale(*floors(), page("dashboard", 84), page("bank_list", 100))}
    baseline = {"small": scale(*floors(), page("dashboard", 100), page("bank_list", 100))}

    found = guard(results(current, baseline), "No page below")

    assert found["met"] is False
    assert found["failing"] == [("dashboard", "small")]
    assert found["detail"] == "Dashboard (small) 0.84"


def test_the_floors_are_shown_but_not_judged_against_the_baseline():
    current = {"small": scale(*floors(healthz=1000), page("dashboard", 100))}
    baseline = {"small": scale(*floors(healthz=2000), page("dashboard", 100))}

    assert guard(results(current, baseline), "No page below")["met"] is True


def test_without_a_baseline_the_baseline_guard_is_not_judged():
    found = guard(results({"small": scale(*floors(), page("dashboard", 100))}), "No page below")

    assert found["met"] is None
    assert "BASELINE" in found["detail"]


def test_a_page_that_slows_with_the_data_fails_large_over_small():
    current = {
        "small": scale(*floors(), page("dashboard", 100), page("bank_list", 100)),
        "large": scale(*floors(), page("dashboard", 80), page("bank_list", 99)),
    }

    found = guard(results(current), "Large ÷ small")

    assert found["met"] is False
    assert found["failing"] == [("dashboard", "large")]
    assert found["detail"] == "Dashboard (large) 0.80"


def test_a_query_count_that_grows_with_the_data_fails():
    current = {
        "small": scale(*floors(), page("mentee_page", 100, 7)),
        "large": scale(*floors(), page("mentee_page", 100, 9)),
    }

    found = guard(results(current), "Query counts flat")

    assert found["met"] is False
    assert found["detail"] == "Mentee page 7 → 9"


def test_growth_is_not_judged_on_one_scale():
    found = results({"large": scale(*floors(), page("dashboard", 100))})

    assert guard(found, "Large ÷ small")["met"] is None
    assert guard(found, "Query counts flat")["met"] is None


@pytest.mark.parametrize(("peak", "met"), [(149.9, True), (150.0, False)])
def test_worker_memory_must_stay_under_150_mb(peak, met):
    found = results({"small": scale(*floors(), page("dashboard", 100), rss=(80.0, peak))})

    assert guard(found, "Worker memory")["met"] is met


def test_responses_other_than_200_on_either_side_fail_the_run():
    current = {"small": scale(*floors(), page("dashboard", 100))}
    baseline = {"small": scale(*floors(), page("dashboard", 100, not_200=12))}

    found = guard(results(current, baseline), "Every response")

    assert found["met"] is False
    assert found["detail"] == "not 200: Dashboard (small) 12"


# --- the baseline's dependencies -------------------------------------------------------------


def test_a_venv_with_the_same_pins_serves_the_baseline():
    pins = ["Django==5.2.19", "psycopg[binary]==3.3.9"]

    assert report.pin_differences(pins, ["psycopg[binary]==3.3.9", "Django==5.2.19"]) == ([], [])


def test_packages_only_the_venv_has_do_not_stop_it():
    differences, extras = report.pin_differences(
        ["Django==5.2.19"], ["Django==5.2.19", "django-tasks==0.12.0"]
    )

    assert differences == []
    assert extras == ["django-tasks==0.12.0"]


def test_a_package_only_the_baseline_pins_counts_when_the_venv_has_that_version():
    needed = ["django-import-export[yaml]==4.4.3", "tablib==3.9.0", "Django==5.2.19"]
    installed = {"django_import_export": "4.4.3", "tablib": "3.10.0", "Django": "5.2.19"}

    assert report.installed_too(needed, installed) == [
        "django-import-export[yaml]==4.4.3",
        "Django==5.2.19",
    ]


def test_a_pin_changed_or_missing_is_a_difference():
    differences, _ = report.pin_differences(
        ["django==5.2.18", "Pygments==2.21.0", "nh3==0.3.8"], ["Django==5.2.19", "nh3 == 0.3.8"]
    )

    assert differences == [
        "django==5.2.18 (the venv has Django==5.2.19)",
        "Pygments==2.21.0 (not in the venv)",
    ]


# --- results.md --------------------------------------------------------------------------------


def test_the_report_gives_each_page_its_ratio_to_the_baseline_and_the_guards():
    current = {
        "small": scale(*floors(), page("dashboard", 80, 5)),
        "large": scale(*floors(), page("dashboard", 78, 5), rss=(90.0, 151.0)),
    }
    baseline = {
        "small": scale(*floors(), page("dashboard", 100, 6)),
        "large": scale(*floors(), page("dashboard", 100, 6)),
    }

    found = results(current, baseline)
    found["wrk"]["halves"] = 5
    markdown = report.render(found)

    assert "2 × 5 s per page and tree, each after a 2 s warm-up" in markdown
    assert "Baseline: `90232f8` ORM exercises" in markdown
    assert "django-tasks==0.12.0" in markdown
    assert "| No page below 0.85 of its baseline | **not met** | Dashboard (large) 0.78; " in (
        markdown
    )
    assert "| Worker memory under 150 MB | **not met** | peak 82 MB (small), 151 MB (large) |" in (
        markdown
    )
    # Page, scale, req/s, p50, p99, queries, ÷ floor, ÷ /healthz, baseline req/s and queries, ratio.
    row = "| Dashboard | small | 80.0 | 10.0 | 30.0 | 5 | 0.114 | 0.040 | 100.0 | 6 | **0.80** |"
    assert row in markdown
    assert "| Healthz | small | 2000.0 | 10.0 | 30.0 | 1 | — | 1.000 | 2000.0 | 1 | 1.00 |" in (
        markdown
    )


def test_the_report_without_a_baseline_has_no_baseline_columns():
    markdown = report.render(results({"small": scale(*floors(), page("dashboard", 80, 5))}))

    assert "Baseline req/s" not in markdown
    assert "| No page below 0.85 of its baseline | — | no baseline (BASELINE=<rev>) |" in markdown
    assert "| Dashboard | small | 80.0 | 10.0 | 30.0 | 5 | 0.114 | 0.040 |" in markdown
    assert "## Large over small" not in markdown


def test_a_page_that_was_not_served_keeps_its_row_with_the_reason():
    missing = {"key": "admin_list", "label": "Admin list", "available": False}
    missing["note"] = "answered 403"
    small = scale(*floors(), page("dashboard", 80))
    small["pages"]["admin_list"] = missing

    markdown = report.render(results({"small": small}))

    assert "| Admin list | small | answered 403 | | | | | |" in markdown
