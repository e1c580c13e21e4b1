"""
``dag.test()`` runs against the emulator: a deferrable sensor defers, its trigger runs, the task ends right.

Each run happens in a subprocess under ``timeout -k`` (``dag.test()`` ignores defer timeouts), with its own
``AIRFLOW_HOME`` migrated once per session and the connection given as an environment variable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_offcloud.emulator import DEMO_SINGLE_FILE_TORRENT
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

if TYPE_CHECKING:
    from airflow_provider_offcloud.emulator import OffcloudEmulator

pytestmark = pytest.mark.integration

AIRFLOW_BIN = Path(sys.executable).with_name("airflow")
RUN_SECONDS = 90

DAG_FILE = textwrap.dedent(
    '''
    """A DAG that waits for one Offcloud cloud item in the triggerer and records what the sensor returned."""

    from __future__ import annotations

    import datetime as dt
    import json
    import os

    from airflow.sdk import DAG, task

    from airflow_provider_offcloud.sensors.offcloud import OffcloudCloudDownloadSensor

    with DAG("offcloud_wait", schedule=None, start_date=dt.datetime(2026, 1, 1), catchup=False) as dag:
        wait = OffcloudCloudDownloadSensor(
            task_id="wait",
            request_id=os.environ["OFFCLOUD_TEST_REQUEST_ID"],
            deferrable=True,
            poke_interval=0.05,
            max_poll_interval=0.2,
            timeout=60,
        )

        @task
        def record(item: dict) -> None:
            with open(os.environ["OFFCLOUD_TEST_RESULT_FILE"], "w") as result:
                json.dump(item, result)

        record(wait.output)
    '''
)

RUNNER = textwrap.dedent(
    """
    import runpy
    import sys

    dag = runpy.run_path(sys.argv[1])["dag"]
    run = dag.test()
    print("DAG_RUN_STATE=" + str(getattr(run.state, "value", run.state)))
    """
)

# A loopback port nothing listens on: the emulator's fetch fails at once, without leaving the machine.
UNREACHABLE_LINK = "http://127.0.0.1:9/missing.bin"


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated metadata database in a temporary AIRFLOW_HOME, and the environment that points at it."""
    home = tmp_path_factory.mktemp("airflow_home")
    dags = home / "dags"
    dags.mkdir()
    (dags / "offcloud_wait.py").write_text(DAG_FILE)
    (home / "runner.py").write_text(RUNNER)
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("AIRFLOW")},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
    }
    subprocess.run(
        ["timeout", "-k", "10", "180", str(AIRFLOW_BIN), "db", "migrate"],
        env=environment,
        check=True,
        capture_output=True,
    )
    return environment


def run_dag(airflow_home: dict[str, str], emulator: OffcloudEmulator, request_id: str, tmp_path: Path) -> Any:
    result_file = tmp_path / "result.json"
    connection = {
        "conn_type": "offcloud",
        "host": emulator.base_url,
        "extra": {"api_key": emulator.account.api_key},
    }
    environment = {
        **airflow_home,
        "AIRFLOW_CONN_OFFCLOUD_DEFAULT": json.dumps(connection),
        "OFFCLOUD_TEST_REQUEST_ID": request_id,
        "OFFCLOUD_TEST_RESULT_FILE": str(result_file),
    }
    home = Path(airflow_home["AIRFLOW_HOME"])
    completed = subprocess.run(
        [
            "timeout",
            "-k",
            "10",
            str(RUN_SECONDS),
            sys.executable,
            str(home / "runner.py"),
            str(home / "dags" / "offcloud_wait.py"),
        ],
        env=environment,
        capture_output=True,
        text=True,
    )
    output = completed.stdout + completed.stderr
    state = next(
        (line.split("=", 1)[1] for line in output.splitlines() if line.startswith("DAG_RUN_STATE=")), None
    )
    recorded = json.loads(result_file.read_text()) if result_file.exists() else None
    return state, recorded, output


@pytest.fixture
def submit(emulator: OffcloudEmulator, monkeypatch: pytest.MonkeyPatch):
    """Submit a link as a worker would, then make the first status read report ``created`` to force a wait."""
    connection = {
        "conn_type": "offcloud",
        "host": emulator.base_url,
        "extra": {"api_key": emulator.account.api_key},
    }
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_DAGTEST", json.dumps(connection))

    def cloud(url: str) -> str:
        request_id = OffcloudHook("offcloud_dagtest").cloud_download(url)["requestId"]
        emulator.request_log.clear()
        # The sensor's first poke sees the item unfinished, so it must defer; the trigger reads the truth.
        emulator.faults.inject("cloud_status", "stuck_created", times=1)
        return request_id

    return cloud


def test_deferred_sensor_succeeds_with_the_downloaded_item_in_xcom(airflow_home, emulator, submit, tmp_path):
    request_id = submit(DEMO_SINGLE_FILE_TORRENT.magnet)

    state, recorded, output = run_dag(airflow_home, emulator, request_id, tmp_path)

    assert state == "success", output[-4000:]
    assert "running trigger in line" in output
    assert emulator.request_log.entries("cloud_history"), "the trigger polled the account's history"
    assert recorded["requestId"] == request_id
    assert recorded["status"] == "downloaded"
    assert recorded["fileSize"] == DEMO_SINGLE_FILE_TORRENT.total_size


def test_deferred_sensor_fails_with_offclouds_message_for_an_error_item(
    airflow_home, emulator, submit, tmp_path
):
    request_id = submit(UNREACHABLE_LINK)

    state, recorded, output = run_dag(airflow_home, emulator, request_id, tmp_path)

    assert state == "failed", output[-4000:]
    assert "running trigger in line" in output
    assert "OffcloudDownloadFailedError" in output
    assert "Error during downloading missing.bin" in output
    assert recorded is None
