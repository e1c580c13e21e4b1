"""The benchmark machinery without running a benchmark: regression check, target verdicts, results page."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

# The benchmarks live beside the package, not inside it: make the project root importable for them.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

run_all = importlib.import_module("bench.run_all")
report = importlib.import_module("bench.report")
targets = importlib.import_module("bench.targets")
common = importlib.import_module("bench.common")


def spread(value: float) -> dict[str, float]:
    return {"median": value, "min": value, "max": value, "runs": 3}


def trigger_run(design: str, **overrides: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "design": design,
        "count": 10_000,
        "interval_seconds": 3.0,
        "elapsed_seconds": 42.0,
        "intervals": 14.0,
        "events": 10_000,
        "event_statuses": ["success"],
        "still_waiting": 0,
        "routes": {"login": 1, "cloud_history": 14},
        "requests": 15,
        "status_reads": 0,
        "history_reads": 14,
        "logins": 1,
        "requests_per_interval": 1.1,
        "waiting_requests_per_interval": 1.0,
        "waiting_core_share": 0.05,
        "waiting_cpu_seconds_per_minute": 3.0,
        "connections_opened": 3,
        "peak_open_sockets": 3,
        "cpu_seconds": 2.0,
        "core_share": 0.05,
        "peak_rss_mib": 200.0,
        "rss_before_waits_mib": 115.0,
        "delay_median": 1.5,
        "delay_max": 2.9,
        "delays_measured": 10_000,
    }
    run.update(overrides)
    return run


def results(**triggerer_overrides: Any) -> dict[str, Any]:
    plan = {
        "counts": [10_000],
        "interval": 3.0,
        "lead": 3.0,
        "finish_window": 10.0,
        "baseline_intervals": 5.0,
    }
    baseline = trigger_run("baseline", requests_per_interval=2_000.0, logins=0, events=10)
    return {
        "meta": {
            "date": "2026-01-01 00:00 UTC",
            "cpu": "Test CPU",
            "cores": 2,
            "memory_gib": 8.0,
            "system": "Linux",
            "python": "3.11.7",
            "versions": {"apache-airflow": "3.3.2"},
            "commit": "abc1234",
            "mode": "full",
            "seconds": 300.0,
        },
        "triggerer": {"plan": plan, "runs": [trigger_run("shared", **triggerer_overrides), baseline]},
        "transfer": {
            "reference_client": "curl",
            "scratch": "/dev/shm",
            "sizes": {
                str(64 * 2**20): {
                    "provider_mib_per_second": spread(300.0),
                    "reference_mib_per_second": spread(310.0),
                    "ratio": spread(0.97),
                    "peak_rss_mib": spread(127.0),
                },
                str(2**30): {
                    "provider_mib_per_second": spread(300.0),
                    "reference_mib_per_second": spread(400.0),
                    "ratio": spread(0.75),
                    "peak_rss_mib": spread(128.0),
                },
            },
            "resume": {
                "size": 2**30,
                "clean_seconds": spread(3.0),
                "dropped_seconds": spread(4.2),
                "extra_seconds": spread(1.2),
                "download_requests": 2,
            },
        },
        "parse": {
            "ours_seconds": spread(0.012),
            "http_seconds": spread(0.120),
            "sdk_seconds": spread(1.1),
            "heaviest": [["tenacity", 0.004]],
        },
        "overhead": {
            "runs": 3,
            "routes": {"cloud_add": 1, "cloud_status": 2, "file_download": 1},
            "requests": spread(4.0),
            "dag_test_seconds": spread(7.0),
            "download_task_seconds": spread(5.0),
            "copy_task_seconds": spread(0.1),
            "item_seconds": 2.0,
            "poll_interval": 0.5,
        },
        "headroom": {"requests_per_second": spread(10_000.0), "connections": 16, "failed": 0},
    }


def labels(verdicts: list[Any]) -> dict[str, str]:
    return {verdict.target.split(":")[0].split(" (")[0]: verdict.label for verdict in verdicts}


def test_a_figure_worse_than_its_reference_by_more_than_the_factor_is_a_regression():
    reference = {
        "factor": 2.0,
        "figures": {"requests": {"value": 10.0}, "throughput": {"value": 100.0}, "logins": {"value": 1}},
    }
    figures = {
        "requests": {"value": 25.0, "better": "lower"},
        "throughput": {"value": 45.0, "better": "higher"},
        "logins": {"value": 2, "better": "lower"},
    }

    found = run_all.regressions(figures, reference)

    assert [line.split(":")[0] for line in found] == ["requests", "throughput"]


def test_figures_within_the_factor_or_without_a_reference_pass():
    reference = {"factor": 2.0, "figures": {"requests": {"value": 10.0}}}
    figures = {
        "requests": {"value": 19.0, "better": "lower"},
        "new figure": {"value": 1e9, "better": "lower"},
    }

    assert run_all.regressions(figures, reference) == []


def test_verdicts_follow_the_figures_and_explain_each_miss():
    verdicts = run_all.all_verdicts(results())
    by_target = labels(verdicts)

    assert by_target["Requests per poll interval while waiting"] == "met"
    assert by_target["One login"] == "met"
    assert by_target["At least 0.9 of curl's throughput"] == "not met"
    assert by_target["Importing the operators, sensors and transfer adds under 30 ms to airflow.sdk"] == "met"
    assert all(verdict.note for verdict in verdicts if verdict.met is False)
    assert all(not verdict.note for verdict in verdicts if verdict.met)


def test_a_late_event_or_a_second_login_is_not_met():
    verdicts = labels(targets.triggerer_verdicts(results(delay_max=3.5, logins=2)["triggerer"]))

    assert verdicts["Event at most one poll interval"] == "not met"
    assert verdicts["One login"] == "not met"


def test_the_results_page_is_markdown_with_a_title_and_one_section_per_benchmark():
    data = results()

    page = report.render(data, run_all.all_verdicts(data))

    lines = page.splitlines()
    assert lines[0] == "# Benchmark results"
    sections = [line for line in lines if line.startswith("## ")]
    assert sections[0] == "## Targets"
    assert [section.split(".")[0] for section in sections[1:]] == ["## 1", "## 2", "## 3", "## 4", "## 5"]
    table_rows = [line for line in lines if line.startswith("|")]
    assert all(row.count("|") == table_rows[0].count("|") for row in table_rows[:2])
    assert "not met" in page


@pytest.mark.parametrize(
    ("values", "expected"), [([3.0, 1.0, 2.0], (2.0, 1.0, 3.0)), ([5.0], (5.0, 5.0, 5.0))]
)
def test_a_spread_is_the_median_with_the_extremes(values, expected):
    summary = common.Spread.of(values)

    assert (summary.median, summary.low, summary.high, summary.runs) == (*expected, len(values))
