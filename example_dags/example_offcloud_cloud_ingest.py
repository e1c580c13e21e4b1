"""
Cloud ingest: a link goes to Offcloud, the wait happens in the triggerer, the file lands and is checked.

Trigger it with the link to fetch and where to put the result, for example::

    airflow dags trigger offcloud_cloud_ingest --conf '{"url": "https://example.com/data.csv",
        "destination": "file:///data/landing/"}'

The optional ``expected_sha256`` param makes the last task compare the landed file with a known checksum.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from airflow.sdk import DAG, Param, task

from airflow_provider_offcloud.operators.offcloud import OffcloudCloudDownloadOperator
from airflow_provider_offcloud.sensors.offcloud import OffcloudCloudDownloadSensor
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

with DAG(
    dag_id="offcloud_cloud_ingest",
    description="Submit a link to Offcloud, wait in the triggerer, land the file, check it",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    tags=["offcloud", "example"],
    params={
        "url": Param(type="string", description="http(s) link or magnet to download"),
        "destination": Param("file:///tmp/offcloud-ingest/", type="string", description="storage folder"),
        "expected_sha256": Param(None, type=["null", "string"], description="checksum to verify, if known"),
    },
):
    # [START howto_operator_offcloud_cloud_download]
    submit = OffcloudCloudDownloadOperator(
        task_id="submit",
        url="{{ params.url }}",
        wait_for_completion=False,
    )
    # [END howto_operator_offcloud_cloud_download]

    # [START howto_sensor_offcloud_cloud_download]
    wait_for_download = OffcloudCloudDownloadSensor(
        task_id="wait_for_download",
        # The submitting task pushes the item's id under the XCom key "request_id".
        request_id=submit.output["request_id"],
        deferrable=True,
        poke_interval=2,
        timeout=6 * 60 * 60,
        stuck_after=60 * 60,
    )
    # [END howto_sensor_offcloud_cloud_download]

    # [START howto_transfer_offcloud_to_storage]
    land = OffcloudToStorageOperator(
        task_id="land",
        # The sensor returns the downloaded item; the transfer takes it as it is.
        request_id=wait_for_download.output,
        destination="{{ params.destination }}",
    )
    # [END howto_transfer_offcloud_to_storage]

    @task
    def check_landed_files(
        landed: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Read every landed file back from storage: count its lines and compare checksums."""
        from airflow.sdk import ObjectStoragePath

        expected = (params or {}).get("expected_sha256")
        report: dict[str, Any] = {"files": []}
        for landed_file in landed:
            digest, lines = hashlib.sha256(), 0
            with ObjectStoragePath(landed_file["path"]).open("rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
                    lines += chunk.count(b"\n")
            if digest.hexdigest() != landed_file["sha256"]:
                raise ValueError(f"{landed_file['path']} changed since it landed: checksums differ.")
            report["files"].append(
                {"path": landed_file["path"], "lines": lines, "sha256": digest.hexdigest()}
            )

        if expected and all(entry["sha256"] != expected for entry in report["files"]):
            raise ValueError(f"No landed file has the expected SHA-256 {expected}.")
        return report

    submit >> wait_for_download >> land
    check_landed_files(land.output)
