"""
Run every benchmark and write ``docs/performance.md``; with ``--quick``, check for regressions instead.

Full mode takes about six minutes on a 2-core machine. Quick mode (about a minute) runs small sizes and
compares a few figures with ``bench/reference.json``: a figure worse than its reference by more than the
stated factor fails the run (exit code 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import (
    emulator_throughput,
    parse_cost,
    targets,
    task_overhead,
    transfer_throughput,
    triggerer_suite,
)
from bench.common import ROOT, Spread
from bench.report import render

REFERENCE_FILE = ROOT / "bench" / "reference.json"
RESULTS_PAGE = ROOT / "docs" / "performance.md"

#: A quick-mode figure fails when it is worse than its reference by more than this factor.
DEFAULT_REGRESSION_FACTOR = 2.0


def machine_description(mode: str, seconds: float) -> dict[str, Any]:
    """
    Describe the machine, the software and the run.

    :param mode: ``full`` or ``quick``.
    :param seconds: How long the run took.
    """
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    versions = {}
    for distribution in ("apache-airflow", "airflow-provider-offcloud", "httpx", "requests", "uvicorn"):
        try:
            versions[distribution] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            versions[distribution] = "not installed"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_kib / 2**20,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit or "unknown",
        "mode": mode,
        "seconds": seconds,
    }


def run_benchmarks(quick: bool) -> dict[str, Any]:
    """
    Run the five benchmarks, in full or quick size.

    :param quick: Small N, small files and fewer runs.
    """
    results: dict[str, Any] = {}
    plan = triggerer_suite.QUICK_PLAN if quick else triggerer_suite.FULL_PLAN
    _announce("1/5 many waits in one triggerer")
    results["triggerer"] = triggerer_suite.measure(plan)
    _announce("2/5 transfer throughput")
    sizes = [16 * 2**20, 64 * 2**20] if quick else [64 * 2**20, 1024 * 2**20]
    results["transfer"] = transfer_throughput.measure(sizes, runs=1 if quick else 3)
    _announce("3/5 DAG-parse cost")
    results["parse"] = parse_cost.measure(runs=3 if quick else 7)
    _announce("4/5 per-task overhead")
    results["overhead"] = task_overhead.measure(runs=1 if quick else 3)
    _announce("5/5 emulator headroom")
    rates = [
        emulator_throughput.measure_rate(seconds=2.0 if quick else 4.0) for _ in range(1 if quick else 3)
    ]
    results["headroom"] = {
        "requests_per_second": Spread.of([rate["requests_per_second"] for rate in rates]).as_dict(),
        "connections": rates[0]["connections"],
        "failed": sum(rate["failed"] for rate in rates),
    }
    return results


def all_verdicts(results: dict[str, Any]) -> list[targets.Verdict]:
    """
    Check every benchmark against its targets.

    :param results: The results of :func:`run_benchmarks`.
    """
    return [
        *targets.triggerer_verdicts(results["triggerer"]),
        *targets.transfer_verdicts(results["transfer"]),
        *targets.parse_verdicts(results["parse"]),
        *targets.overhead_verdicts(results["overhead"]),
        *targets.headroom_verdicts(results["headroom"], results["triggerer"]),
    ]


def quick_figures(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """
    The figures quick mode watches, each with the direction that is better.

    :param results: The results of a quick run.
    """
    shared = next(run for run in results["triggerer"]["runs"] if run["design"] == "shared")
    interval = shared["interval_seconds"]
    largest = max(results["transfer"]["sizes"], key=int)
    return {
        "waits: requests per interval while waiting": {
            "value": shared["waiting_requests_per_interval"],
            "better": "lower",
        },
        "waits: logins": {"value": shared["logins"], "better": "lower"},
        "waits: share of a core while waiting": {"value": shared["waiting_core_share"], "better": "lower"},
        "waits: peak RSS MiB": {"value": shared["peak_rss_mib"], "better": "lower"},
        "waits: worst event delay in intervals": {"value": shared["delay_max"] / interval, "better": "lower"},
        "transfer: throughput ratio to the reference client": {
            "value": results["transfer"]["sizes"][largest]["ratio"]["median"],
            "better": "higher",
        },
        "transfer: peak RSS MiB": {
            "value": results["transfer"]["sizes"][largest]["peak_rss_mib"]["max"],
            "better": "lower",
        },
        "parse: seconds added by our imports": {
            "value": results["parse"]["ours_seconds"]["median"],
            "better": "lower",
        },
        "task: requests per DAG run": {"value": results["overhead"]["requests"]["median"], "better": "lower"},
        "emulator: status requests per second": {
            "value": results["headroom"]["requests_per_second"]["median"],
            "better": "higher",
        },
    }


def regressions(figures: dict[str, dict[str, Any]], reference: dict[str, Any]) -> list[str]:
    """
    Name every figure worse than its reference by more than the reference file's factor.

    :param figures: Figures of this run (:func:`quick_figures`).
    :param reference: The content of ``bench/reference.json``.
    """
    factor = float(reference.get("factor", DEFAULT_REGRESSION_FACTOR))
    found = []
    for name, figure in figures.items():
        expected = reference["figures"].get(name)
        if expected is None:
            continue
        value, reference_value = float(figure["value"]), float(expected["value"])
        worse = (
            value > reference_value * factor
            if figure["better"] == "lower"
            else value * factor < reference_value
        )
        if worse:
            found.append(f"{name}: {value:.4g} against {reference_value:.4g} (allowed factor {factor:g})")
    return found


def _announce(step: str) -> None:
    print(f"--- {step}", flush=True)


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m bench.run_all``."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes; compare with bench/reference.json")
    parser.add_argument(
        "--update-reference",
        action="store_true",
        help="with --quick: store this run's figures as the reference",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results to this file")
    parser.add_argument(
        "--from-json",
        type=Path,
        help="measure nothing: write docs/performance.md again from the raw results of an earlier full run",
    )
    return parser


def main() -> int:
    """Run the benchmarks; write the page (full mode) or check for regressions (quick mode)."""
    arguments = build_parser().parse_args()
    if arguments.from_json:
        saved = json.loads(arguments.from_json.read_text())
        RESULTS_PAGE.write_text(render(saved, all_verdicts(saved)))
        print(f"Wrote {RESULTS_PAGE.relative_to(ROOT)} from {arguments.from_json}.")
        return 0

    started = time.monotonic()
    results = run_benchmarks(arguments.quick)
    mode = "quick" if arguments.quick else "full"
    results["meta"] = machine_description(mode, time.monotonic() - started)
    verdicts = all_verdicts(results)
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=1))

    for verdict in verdicts:
        print(f"[{verdict.label}] {verdict.target}: {verdict.measured}")
    print(f"Done in {results['meta']['seconds']:.0f} s.")

    if not arguments.quick:
        RESULTS_PAGE.write_text(render(results, verdicts))
        print(f"Wrote {RESULTS_PAGE.relative_to(ROOT)}.")
        return 0

    figures = quick_figures(results)
    if arguments.update_reference:
        reference = {"factor": DEFAULT_REGRESSION_FACTOR, "machine": results["meta"], "figures": figures}
        REFERENCE_FILE.write_text(json.dumps(reference, indent=1) + "\n")
        print(f"Stored the reference figures in {REFERENCE_FILE.relative_to(ROOT)}.")
        return 0
    found = regressions(figures, json.loads(REFERENCE_FILE.read_text()))
    for regression in found:
        print(f"REGRESSION {regression}", file=sys.stderr)
    print("No regression beyond the allowed factor." if not found else f"{len(found)} regression(s).")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
