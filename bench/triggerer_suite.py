"""Runs benchmark 1 for every N and both designs, each in a fresh process against a fresh emulator."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from bench.common import BenchEmulator, run_python_json
from bench.triggerer_load import CONN_ID


@dataclass(frozen=True)
class TriggererPlan:
    """
    The shape of one benchmark 1 run.

    :param counts: Numbers of concurrent waits.
    :param interval: Poll interval in seconds.
    :param lead: Intervals of pure waiting before the first item finishes.
    :param finish_window: Intervals over which the items finish.
    :param baseline_intervals: Intervals after which the baseline is stopped (it cannot keep up at large N).
    """

    counts: tuple[int, ...] = (100, 1_000, 10_000)
    interval: float = 3.0
    lead: float = 3.0
    finish_window: float = 10.0
    baseline_intervals: float = 5.0


FULL_PLAN = TriggererPlan()
QUICK_PLAN = TriggererPlan(counts=(100,), interval=1.0, lead=2.0, finish_window=3.0, baseline_intervals=3.0)


def _connection(design: str, base_url: str) -> dict[str, Any]:
    from airflow_provider_offcloud.emulator.demo import DEMO_API_KEY, DEMO_EMAIL, DEMO_PASSWORD

    if design == "shared":
        # A password connection, so that the figures show how many logins the waits cost.
        return {"conn_type": "offcloud", "host": base_url, "login": DEMO_EMAIL, "password": DEMO_PASSWORD}
    return {"conn_type": "offcloud", "host": base_url, "extra": {"api_key": DEMO_API_KEY}}


def run_one(design: str, count: int, plan: TriggererPlan) -> dict[str, Any]:
    """
    Measure one design at one N.

    :param design: ``shared`` (the provider's trigger) or ``baseline`` (the reference trigger).
    :param count: Number of concurrent waits.
    :param plan: Interval and phases.
    """
    with BenchEmulator() as emulator:
        env = {
            **os.environ,
            f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(_connection(design, emulator.base_url)),
        }
        arguments = ["-m", "bench.triggerer_load", "--design", design, "--count", str(count)]
        arguments += [
            "--port",
            str(emulator.port),
            "--interval",
            str(plan.interval),
            "--lead",
            str(plan.lead),
        ]
        arguments += ["--finish-window", str(plan.finish_window)]
        if design == "baseline":
            arguments += ["--max-intervals", str(plan.baseline_intervals)]
        return dict(run_python_json(arguments, env=env))


def measure(plan: TriggererPlan) -> dict[str, Any]:
    """
    Measure both designs at every N of the plan.

    :param plan: Counts, interval and phases.
    """
    results: dict[str, Any] = {"plan": plan.__dict__, "runs": []}
    for count in plan.counts:
        for design in ("shared", "baseline"):
            results["runs"].append(run_one(design, count, plan))
    return results
