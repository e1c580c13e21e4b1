"""
Many download waits in one triggerer: N triggers in one process and one event loop against the emulator.

Run as ``python -m bench.triggerer_load --design shared --count 1000 --port <emulator port>`` with the
connection in ``AIRFLOW_CONN_BENCH_OFFCLOUD``; it prints one JSON line of figures. The emulator runs in
another process (see :mod:`bench.emulator_process`), so only the triggers' own CPU is counted here.

The items start ``created``. For the first ``--lead`` poll intervals nothing changes: that is the
waiting phase; its requests and CPU time from the second interval on (the first holds the start-up) are
the steady cost of waiting. Then the items turn ``downloaded`` one
after another, evenly spread over ``--finish-window`` intervals: the completion phase, which measures the
delay from an item turning ``downloaded`` to its event.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

from bench.common import BenchEmulator, open_socket_count, peak_rss_mib

if TYPE_CHECKING:
    from airflow.triggers.base import BaseTrigger

#: The connection the waits use; the parent process sets it as an environment variable.
CONN_ID = "bench_offcloud"

_SAMPLE_SECONDS = 0.25


def _import_design(design: str) -> None:
    """Import the trigger class of a design (and Airflow with it) before anything is measured."""
    if design == "shared":
        import airflow_provider_offcloud.triggers.offcloud  # noqa: F401
    else:
        import bench.reference_trigger  # noqa: F401


def _build_triggers(
    design: str, request_ids: list[str], interval: float, deadline: float
) -> list[BaseTrigger]:
    if design == "shared":
        from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

        return [
            OffcloudDownloadTrigger(
                offcloud_conn_id=CONN_ID,
                request_id=request_id,
                kind="cloud",
                deadline=deadline,
                poll_interval=interval,
                max_poll_interval=interval,
            )
            for request_id in request_ids
        ]

    from bench.reference_trigger import PerItemPollingTrigger

    return [
        PerItemPollingTrigger(offcloud_conn_id=CONN_ID, request_id=request_id, poll_interval=interval)
        for request_id in request_ids
    ]


async def _run_like_the_triggerer(trigger: BaseTrigger, fired: dict[str, tuple[float, str]]) -> None:
    """Take the trigger's first event, then close its generator and clean up, as the triggerer does."""
    events = trigger.run()
    try:
        event = await events.__anext__()
        fired[trigger.request_id] = (time.time(), str(event.payload.get("status")))  # type: ignore[attr-defined]
    finally:
        await events.aclose()  # type: ignore[attr-defined]
        await trigger.cleanup()


async def _sample_sockets(peak: list[int]) -> None:
    while True:
        peak[0] = max(peak[0], open_socket_count())
        await asyncio.sleep(_SAMPLE_SECONDS)


async def _note_cpu_at(moments: dict[str, float], readings: dict[str, tuple[float, float]]) -> None:
    """Record CPU seconds and wall time at named moments (late if the event loop is busy)."""
    for name, moment in sorted(moments.items(), key=lambda named: named[1]):
        await asyncio.sleep(max(moment - time.time(), 0))
        readings[name] = (time.process_time(), time.time())


async def _wait_all(
    triggers: list[BaseTrigger],
    stop_after: float,
    moments: dict[str, float],
    readings: dict[str, tuple[float, float]],
) -> tuple[dict[str, tuple[float, str]], float, int, int]:
    fired: dict[str, tuple[float, str]] = {}
    sockets_before = open_socket_count()
    peak_sockets = [sockets_before]
    sampler = asyncio.ensure_future(_sample_sockets(peak_sockets))
    phase_clock = asyncio.ensure_future(_note_cpu_at(moments, readings))
    started = time.monotonic()
    tasks = [asyncio.ensure_future(_run_like_the_triggerer(trigger, fired)) for trigger in triggers]
    done, pending = await asyncio.wait(tasks, timeout=stop_after)
    elapsed = time.monotonic() - started

    # A bounded run ends here: what is still waiting is cancelled, which runs each trigger's cleanup.
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    sampler.cancel()
    phase_clock.cancel()
    failures = [task.exception() for task in done if task.exception() is not None]
    if failures:
        raise RuntimeError(f"{len(failures)} waits crashed; the first: {failures[0]!r}") from failures[0]
    return fired, elapsed, peak_sockets[0] - sockets_before, len(pending)


def measure(arguments: argparse.Namespace) -> dict[str, Any]:
    """
    Run N waits against the emulator on ``--port`` and return the figures.

    :param arguments: The parsed command line.
    """
    emulator = BenchEmulator.attach(arguments.port)
    interval = arguments.interval
    count = arguments.count

    # Imports and set-up happen before the clock starts: they are a triggerer's fixed cost, not the waits'.
    _import_design(arguments.design)
    rss_before_waits = peak_rss_mib()
    emulator.reset()
    start = time.time() + 0.5
    waiting_ends = start + interval * arguments.lead
    finish_at: list[float | None] = [
        waiting_ends + interval * arguments.finish_window * position / count for position in range(count)
    ]
    request_ids = emulator.create_items(finish_at)
    deadline = waiting_ends + interval * (arguments.finish_window + 10)
    triggers = _build_triggers(arguments.design, request_ids, interval, deadline)
    while time.time() < start:
        time.sleep(0.01)

    # The first interval holds the start-up (connection, login, every wait joining): steady waiting is
    # measured from the second interval to the first finish.
    steady_begins = start + interval
    readings: dict[str, tuple[float, float]] = {}
    cpu_started = time.process_time()
    stop_after = arguments.max_intervals * interval if arguments.max_intervals else deadline - time.time()
    moments = {"steady_begins": steady_begins, "waiting_ends": waiting_ends}
    fired, elapsed, peak_sockets, still_waiting = asyncio.run(
        _wait_all(triggers, stop_after, moments, readings)
    )
    cpu_seconds = time.process_time() - cpu_started

    counts = emulator.counts()
    finished = emulator.finished_at()
    delays = [fired[request_id][0] - finished[request_id] for request_id in fired if request_id in finished]
    routes: dict[str, int] = counts["routes"]
    waiting_requests = [route for moment, route in counts["times"] if steady_begins <= moment < waiting_ends]
    steady_intervals = arguments.lead - 1
    cpu_at_begin, wall_at_begin = readings.get("steady_begins", (cpu_started, start))
    cpu_at_end, wall_at_end = readings.get("waiting_ends", (cpu_started + cpu_seconds, time.time()))
    waiting_cpu = cpu_at_end - cpu_at_begin
    waiting_seconds = max(wall_at_end - wall_at_begin, 1e-9)
    requests = sum(routes.values())
    return {
        "design": arguments.design,
        "count": count,
        "interval_seconds": interval,
        "elapsed_seconds": elapsed,
        "intervals": elapsed / interval,
        "events": len(fired),
        "event_statuses": sorted({status for _, status in fired.values()}),
        "still_waiting": still_waiting,
        "routes": routes,
        "requests": requests,
        "status_reads": routes.get("cloud_status", 0),
        "history_reads": routes.get("cloud_history", 0),
        "logins": routes.get("login", 0),
        "requests_per_interval": requests / (elapsed / interval),
        "waiting_requests_per_interval": len(waiting_requests) / steady_intervals,
        "waiting_core_share": waiting_cpu / waiting_seconds,
        "waiting_cpu_seconds_per_minute": waiting_cpu / waiting_seconds * 60,
        "connections_opened": counts["connections"],
        "peak_open_sockets": peak_sockets,
        "cpu_seconds": cpu_seconds,
        "core_share": cpu_seconds / elapsed,
        "peak_rss_mib": peak_rss_mib(),
        "rss_before_waits_mib": rss_before_waits,
        "delay_median": statistics.median(delays) if delays else None,
        "delay_max": max(delays) if delays else None,
        "delays_measured": len(delays),
    }


def build_parser() -> argparse.ArgumentParser:
    """The command line of one triggerer load run."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--design", choices=("shared", "baseline"), required=True, help="which trigger to run"
    )
    parser.add_argument("--count", type=int, required=True, help="number of concurrent waits")
    parser.add_argument("--port", type=int, required=True, help="port of a running benchmark emulator")
    parser.add_argument("--interval", type=float, default=3.0, help="poll interval in seconds (default: 3)")
    parser.add_argument(
        "--lead", type=float, default=3, help="poll intervals before the first item finishes (default: 3)"
    )
    parser.add_argument(
        "--finish-window", type=float, default=10, help="poll intervals over which items finish (default: 10)"
    )
    parser.add_argument(
        "--max-intervals",
        type=float,
        default=0,
        help="stop after this many intervals (default: 0, until done)",
    )
    parser.add_argument("--log-file", default="/dev/null", help="where the triggers' log lines go")
    return parser


def main() -> int:
    """Run one measurement; trigger log lines go to ``--log-file``, the JSON result to standard output."""
    arguments = build_parser().parse_args()
    result_stream = sys.stdout
    # Airflow's logging writes to whatever sys.stdout is at the time: the log lines are produced and
    # formatted as in a triggerer, but kept out of the JSON result.
    with open(arguments.log_file, "w") as log_stream:
        sys.stdout = log_stream
        try:
            result = measure(arguments)
        finally:
            sys.stdout = result_stream
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
