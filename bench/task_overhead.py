"""
Per-task overhead: requests and wall time of submit -> wait (deferred) -> transfer of a small file with
``dag.test()``, against the fewest requests the API allows for the same work.

Each run gets a fresh emulator whose uncached demo torrent goes ``created`` -> ``downloading`` ->
``downloaded`` over about two seconds, and a DAG of two tasks: a deferrable
``OffcloudCloudDownloadOperator`` and an ``OffcloudToStorageOperator`` writing to a temporary folder.
``dag.test()`` runs the trigger in line, in the same process. Requests are counted by the emulator.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from bench.common import BenchEmulator, Spread

#: Seconds per progress step of the uncached torrent: four steps make a two-second download.
STEP_DELAY = 0.5
POLL_INTERVAL = 0.5
RUN_TIMEOUT_SECONDS = 180

DAG_FILE = textwrap.dedent(
    '''
    """Submit one magnet to Offcloud, wait for it in the triggerer, copy its file to a local folder."""

    from __future__ import annotations

    import datetime as dt
    import os

    from airflow.sdk import DAG

    from airflow_provider_offcloud.operators.offcloud import OffcloudCloudDownloadOperator
    from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

    START = dt.datetime(2026, 1, 1)

    with DAG("offcloud_bench_overhead", schedule=None, start_date=START, catchup=False) as dag:
        download = OffcloudCloudDownloadOperator(
            task_id="download",
            url=os.environ["BENCH_LINK"],
            deferrable=True,
            poll_interval=float(os.environ["BENCH_POLL_INTERVAL"]),
            max_poll_interval=float(os.environ["BENCH_POLL_INTERVAL"]),
            timeout=120,
        )
        copy = OffcloudToStorageOperator(
            task_id="copy", request_id=download.output, destination=os.environ["BENCH_DESTINATION"]
        )
    '''
)

RUNNER = textwrap.dedent(
    """
    import json, runpy, sys, time

    dag = runpy.run_path(sys.argv[1])["dag"]
    started = time.perf_counter()
    run = dag.test()
    seconds = time.perf_counter() - started
    durations = {ti.task_id: ti.duration for ti in run.get_task_instances()}
    print("BENCH_RESULT=" + json.dumps({"state": str(getattr(run.state, "value", run.state)),
                                        "seconds": seconds, "durations": durations}))
    """
)


def prepare_airflow_home(home: Path) -> dict[str, str]:
    """
    Write the DAG and runner into a temporary ``AIRFLOW_HOME`` and migrate its SQLite database.

    :param home: The empty folder.
    """
    dags = home / "dags"
    dags.mkdir()
    (dags / "offcloud_bench_overhead.py").write_text(DAG_FILE)
    (home / "runner.py").write_text(RUNNER)
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AIRFLOW")}
    environment.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        }
    )
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run(
        ["timeout", "-k", "10", "300", airflow, "db", "migrate"],
        env=environment,
        check=True,
        capture_output=True,
    )
    return environment


def _one_run(environment: dict[str, str], home: Path) -> dict[str, Any]:
    from airflow_provider_offcloud.emulator.demo import DEMO_API_KEY, DEMO_UNCACHED_TORRENT

    destination = Path(tempfile.mkdtemp(prefix="offcloud-bench-landing-"))
    try:
        with BenchEmulator(uncached_step_delay=STEP_DELAY) as emulator:
            connection = {
                "conn_type": "offcloud",
                "host": emulator.base_url,
                "extra": {"api_key": DEMO_API_KEY},
            }
            run_environment = {
                **environment,
                "AIRFLOW_CONN_OFFCLOUD_DEFAULT": json.dumps(connection),
                "BENCH_LINK": DEMO_UNCACHED_TORRENT.magnet,
                "BENCH_POLL_INTERVAL": str(POLL_INTERVAL),
                "BENCH_DESTINATION": f"file://{destination}/",
            }
            started = time.perf_counter()
            completed = subprocess.run(
                [
                    "timeout",
                    "-k",
                    "10",
                    str(RUN_TIMEOUT_SECONDS),
                    sys.executable,
                    str(home / "runner.py"),
                    str(home / "dags" / "offcloud_bench_overhead.py"),
                ],
                env=run_environment,
                capture_output=True,
                text=True,
                check=False,
            )
            process_seconds = time.perf_counter() - started
            routes = emulator.counts()["routes"]
    finally:
        shutil.rmtree(destination, ignore_errors=True)

    marker = "BENCH_RESULT="
    lines = [line for line in completed.stdout.splitlines() if line.startswith(marker)]
    if not lines:
        raise RuntimeError(f"dag.test() printed no result:\n{(completed.stdout + completed.stderr)[-3000:]}")
    result = json.loads(lines[-1][len(marker) :])
    if result["state"] != "success":
        raise RuntimeError(f"dag.test() ended {result['state']}:\n{completed.stdout[-3000:]}")
    return {**result, "process_seconds": process_seconds, "routes": routes}


def measure(runs: int) -> dict[str, Any]:
    """
    Run the DAG ``runs`` times, each against a fresh emulator, and summarise requests and times.

    :param runs: Number of ``dag.test()`` runs.
    """
    home = Path(tempfile.mkdtemp(prefix="offcloud-bench-airflow-"))
    try:
        started = time.perf_counter()
        environment = prepare_airflow_home(home)
        migrate_seconds = time.perf_counter() - started
        outcomes = [_one_run(environment, home) for _ in range(runs)]
    finally:
        shutil.rmtree(home, ignore_errors=True)

    requests = [sum(outcome["routes"].values()) for outcome in outcomes]
    return {
        "runs": runs,
        "migrate_seconds": migrate_seconds,
        "routes": outcomes[-1]["routes"],
        "requests": Spread.of([float(count) for count in requests]).as_dict(),
        "dag_test_seconds": Spread.of([outcome["seconds"] for outcome in outcomes]).as_dict(),
        "download_task_seconds": Spread.of(
            [outcome["durations"]["download"] for outcome in outcomes]
        ).as_dict(),
        "copy_task_seconds": Spread.of([outcome["durations"]["copy"] for outcome in outcomes]).as_dict(),
        "item_seconds": 4 * STEP_DELAY,
        "poll_interval": POLL_INTERVAL,
    }


def main() -> int:
    """Print the measurement as one JSON line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="dag.test() runs (default: 3)")
    print(json.dumps(measure(parser.parse_args().runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
