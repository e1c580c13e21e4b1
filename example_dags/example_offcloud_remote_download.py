"""Remote download: Offcloud fetches a link straight into a remote account (FTP, Google Drive, ...)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import DAG, Param, task

from airflow_provider_offcloud.operators.offcloud import OffcloudRemoteDownloadOperator
from airflow_provider_offcloud.sensors.offcloud import OffcloudRemoteDownloadSensor

with DAG(
    dag_id="offcloud_remote_download",
    description="Send a link to a remote account through Offcloud and wait for the delivery",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    tags=["offcloud", "example"],
    params={
        "url": Param(type="string", description="http(s) link or magnet to deliver"),
        "remote_account": Param(type="string", description="remote account id, or its name or user name"),
        "folder_id": Param(None, type=["null", "string"], description="Google Drive folder id, if any"),
    },
):
    # [START howto_operator_offcloud_remote_download]
    send_to_remote = OffcloudRemoteDownloadOperator(
        task_id="send_to_remote",
        url="{{ params.url }}",
        remote_option_id="{{ params.remote_account }}",
        folder_id="{{ params.folder_id or '' }}",
        wait_for_completion=False,
    )
    # [END howto_operator_offcloud_remote_download]

    # [START howto_sensor_offcloud_remote_download]
    wait_for_delivery = OffcloudRemoteDownloadSensor(
        task_id="wait_for_delivery",
        request_id=send_to_remote.output["request_id"],
        deferrable=True,
        poke_interval=5,
        timeout=12 * 60 * 60,
    )
    # [END howto_sensor_offcloud_remote_download]

    @task
    def announce_delivery(item: dict[str, Any]) -> str:
        """Say what arrived in the remote account; a real pipeline would notify or start processing here."""
        size = f"{item['fileSize']} bytes" if item.get("fileSize") else "size not reported"
        return f"{item['fileName']} ({size}) is in the remote account, request {item['requestId']}."

    send_to_remote >> wait_for_delivery
    announce_delivery(wait_for_delivery.output)
