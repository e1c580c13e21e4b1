"""
The main example DAG on real Airflow machinery: scheduler, DAG processor, triggerer and API server.

The wait is held open by a file server of the test's own, which sends the first part of the file and
then waits for the test's signal. While the sensor is deferred, the triggerer is killed and started
again; the run must still finish, from one submission, with the file landed byte-identical.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from airflow_cluster import AirflowCluster

from airflow_provider_offcloud.emulator import DEMO_EMAIL, DEMO_PASSWORD, OffcloudEmulator

pytestmark = pytest.mark.e2e

REPOSITORY = Path(__file__).resolve().parents[2]
DAG_ID = "offcloud_cloud_ingest"
SENSOR = "wait_for_download"
FILE_NAME = "observations.csv"


class GatedFileServer:
    """
    Serve one file over HTTP on 127.0.0.1, holding back its second half until :meth:`release` is called.

    :param content: The file's bytes.
    """

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.gate = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                half = len(server.content) // 2
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(server.content)))
                self.end_headers()
                self.wfile.write(server.content[:half])
                self.wfile.flush()
                server.gate.wait(timeout=600)
                self.wfile.write(server.content[half:])

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The file's link."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{FILE_NAME}"

    def release(self) -> None:
        """Let the second half of the file go."""
        self.gate.set()

    def __enter__(self) -> GatedFileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()


def observations_csv(rows: int = 40_000) -> bytes:
    """A deterministic CSV table of a few MiB."""
    lines = ["station,day,temperature_c,wind_ms"]
    for row in range(rows):
        temperature, wind = (row * 7919) % 400 / 10 - 5, (row * 104729) % 200 / 10
        lines.append(f"ST{row % 97:03d},{row // 97},{temperature:.1f},{wind:.1f}")
    return ("\n".join(lines) + "\n").encode()


def wait_until(condition, what: str, cluster: AirflowCluster, timeout: float = 240, interval: float = 0.5):
    """Poll ``condition`` until it returns a truthy value, checking that every component is alive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cluster.check_alive()
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}.")


@pytest.fixture
def emulator():
    with OffcloudEmulator() as running:
        yield running


def test_deferred_wait_survives_a_triggerer_restart_and_lands_the_file(tmp_path, emulator):
    content = observations_csv()
    destination = tmp_path / "landed"

    with GatedFileServer(content) as origin:
        connection = {
            "conn_type": "offcloud",
            "host": emulator.base_url,
            "login": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
        }
        cluster = AirflowCluster(
            home=tmp_path / "airflow-home",
            dags_folder=REPOSITORY / "example_dags",
            environment={"AIRFLOW_CONN_OFFCLOUD_DEFAULT": json.dumps(connection)},
        )
        cluster.home.mkdir()
        try:
            cluster.start()
            cluster.wait_for_dag(DAG_ID)
            run_id = cluster.trigger(DAG_ID, {"url": origin.url, "destination": destination.as_uri() + "/"})

            wait_until(
                lambda: cluster.task_state(DAG_ID, run_id, SENSOR) == "deferred",
                "the sensor to defer",
                cluster,
            )
            (item,) = emulator.store.all_items()
            assert item.status.value == "downloading", "the gate must hold the download open"

            first_trigger_log = wait_until(
                lambda: _trigger_logs(cluster), "the first triggerer to pick the wait up", cluster
            )
            cluster.kill_component("triggerer")
            assert cluster.task_state(DAG_ID, run_id, SENSOR) == "deferred"
            cluster.start_component("triggerer")
            origin.release()

            final_state = wait_until(
                lambda: (state := cluster.run_state(DAG_ID, run_id)) in ("success", "failed") and state,
                "the DAG run to finish",
                cluster,
            )
        finally:
            cluster.stop()

    assert final_state == "success", cluster.log_text("scheduler")[-3000:]
    landed = destination / FILE_NAME
    assert hashlib.sha256(landed.read_bytes()).hexdigest() == hashlib.sha256(content).hexdigest()
    assert len(emulator.request_log.entries(route="cloud_add")) == 1

    # Each triggerer writes the trigger's log to a file named after its own job id.
    (second_trigger_log,) = [log for log in _trigger_logs(cluster) if log not in first_trigger_log]
    fired = second_trigger_log.read_text()
    assert "Trigger fired event" in fired
    assert "'status': 'success'" in fired
    assert DEMO_PASSWORD not in cluster.log_text("triggerer")
    assert not list(destination.glob(".*partial*")), "no partial file may stay behind"
    assert os.listdir(destination) == [FILE_NAME]


def _trigger_logs(cluster: AirflowCluster) -> list[Path]:
    return sorted(
        (cluster.home / "logs").glob(f"dag_id={DAG_ID}/run_id=*/task_id={SENSOR}/*.log.trigger.*.log")
    )
