"""A real ``dag.test()`` run records the destination's asset event with what the transfer wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from airflow_provider_offcloud.emulator import DEMO_MULTI_FILE_TORRENT
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

pytestmark = pytest.mark.integration

CONN_ID = "offcloud_asset_test"

DAG_FILE = """
from __future__ import annotations

import datetime

from airflow.sdk import DAG

from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

START = datetime.datetime(2026, 1, 1)

with DAG("offcloud_asset_test", schedule=None, start_date=START, catchup=False) as dag:
    OffcloudToStorageOperator(
        task_id="land",
        request_id={request_id!r},
        destination={destination!r},
        offcloud_conn_id={conn_id!r},
        chunk_size=8192,
        progress_interval=0,
    )
"""

RUNNER = """
import importlib.util
import json
import sys

from airflow.models.asset import AssetEvent
from airflow.utils.session import create_session

spec = importlib.util.spec_from_file_location("offcloud_asset_test_dag", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
run = module.dag.test()

with create_session() as session:
    events = [{"uri": event.asset.uri, "extra": event.extra} for event in session.query(AssetEvent).all()]
print("RESULT " + json.dumps({"state": str(run.state), "events": events}))
"""


def test_dag_test_run_records_the_destination_asset_event(emulator, tmp_path, monkeypatch):
    connection = json.dumps(
        {"conn_type": "offcloud", "host": emulator.base_url, "extra": {"api_key": emulator.account.api_key}}
    )
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection)
    request_id = OffcloudHook(CONN_ID).cloud_download(DEMO_MULTI_FILE_TORRENT.magnet)["requestId"]

    dags = tmp_path / "dags"
    dags.mkdir()
    landing = tmp_path / "landing"
    destination = f"file://{landing}/"
    dag_file = dags / "offcloud_asset_test.py"
    dag_file.write_text(
        DAG_FILE.format(request_id=request_id, destination=destination, conn_id=CONN_ID).lstrip()
    )
    environment = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "home"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        f"AIRFLOW_CONN_{CONN_ID.upper()}": connection,
    }
    airflow = os.path.join(os.path.dirname(sys.executable), "airflow")
    subprocess.run(
        ["timeout", "-k", "5", "120", airflow, "db", "migrate"],
        env=environment,
        check=True,
        capture_output=True,
    )

    finished = subprocess.run(
        ["timeout", "-k", "5", "120", sys.executable, "-c", textwrap.dedent(RUNNER), str(dag_file)],
        env=environment,
        capture_output=True,
        text=True,
    )

    result_line = next(
        (line for line in finished.stdout.splitlines() if line.startswith("RESULT ")),
        None,
    )
    assert result_line is not None, finished.stdout[-3000:] + finished.stderr[-3000:]
    result = json.loads(result_line.removeprefix("RESULT "))
    assert result["state"] == "success"
    (event,) = result["events"]
    assert event["uri"] == destination.rstrip("/")
    assert event["extra"]["request_id"] == request_id
    assert event["extra"]["written_count"] == 3
    assert (landing / "Demo Season 1" / "readme.txt").read_bytes() == (
        b"Demo torrent served by the Offcloud emulator.\n"
    )
