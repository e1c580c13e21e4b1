"""
Recurring ingestion: every day, the links not yet ingested go through Offcloud into one storage folder.

``offcloud_recurring_ingest`` maps over its list of links (dynamic task mapping), skips links an earlier
run already landed (it keeps a small ledger next to the files), waits for each download in the
triggerer, and lands the files in the folder, which is an Airflow Asset. ``offcloud_process_ingested``
is scheduled on that Asset: it runs whenever new files have landed.

Set the folder with the ``OFFCLOUD_INGEST_DESTINATION`` environment variable (a URI such as
``s3://bucket/offcloud/``) and the links with the DAG's ``links`` param or the Airflow Variable
``offcloud_ingest_links`` (a JSON list).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from airflow.sdk import DAG, Asset, Param, task

from airflow_provider_offcloud.operators.offcloud import OffcloudCloudDownloadOperator
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

DESTINATION = os.environ.get("OFFCLOUD_INGEST_DESTINATION", "file:///tmp/offcloud-recurring/")
INGESTED_FILES = Asset(name="offcloud_ingested_files", uri=DESTINATION.rstrip("/"))
LEDGER_NAME = ".offcloud-ingested.json"


def read_ledger() -> dict[str, Any]:
    """Return the links already ingested into the destination, with the files each one gave."""
    from airflow.sdk import ObjectStoragePath

    ledger = ObjectStoragePath(DESTINATION) / LEDGER_NAME
    return json.loads(ledger.read_text()) if ledger.exists() else {}


with DAG(
    dag_id="offcloud_recurring_ingest",
    description="Land new links through Offcloud every day into one storage folder (an Asset)",
    schedule="@daily",
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    max_active_runs=1,
    tags=["offcloud", "example"],
    params={"links": Param(None, type=["null", "array"], description="links to ingest; default: Variable")},
):

    @task
    def links_not_yet_ingested(params: dict[str, Any] | None = None) -> list[str]:
        """Return this run's links that the ledger does not list yet."""
        from airflow.sdk import Variable

        links = (params or {}).get("links") or Variable.get(
            "offcloud_ingest_links", default=[], deserialize_json=True
        )
        done = read_ledger()
        new_links = [link for link in dict.fromkeys(links) if link not in done]
        print(f"{len(links)} link(s) configured, {len(links) - len(new_links)} already ingested.")
        return new_links

    new_links = links_not_yet_ingested()

    # [START howto_operator_offcloud_cloud_download_mapped]
    downloads = OffcloudCloudDownloadOperator.partial(
        task_id="download",
        deferrable=True,
        poll_interval=10,
        timeout=12 * 60 * 60,
    ).expand(url=new_links)
    # [END howto_operator_offcloud_cloud_download_mapped]

    # [START howto_transfer_offcloud_to_storage_asset]
    landed = OffcloudToStorageOperator.partial(
        task_id="land",
        destination=DESTINATION,
        outlets=[INGESTED_FILES],
    ).expand(request_id=downloads.output)
    # [END howto_transfer_offcloud_to_storage_asset]

    @task
    def record_ingested(items: list[dict[str, Any]], landed_files: list[list[dict[str, Any]]]) -> int:
        """Add this run's links to the ledger, so later runs skip them."""
        from airflow.sdk import ObjectStoragePath

        ledger = read_ledger()
        for item, files in zip(items, landed_files, strict=True):
            ledger[item["originalLink"] or item["requestId"]] = [entry["relative_path"] for entry in files]
        (ObjectStoragePath(DESTINATION) / LEDGER_NAME).write_text(
            json.dumps(ledger, indent=2, sort_keys=True)
        )
        return len(items)

    record_ingested(downloads.output, landed.output)


with DAG(
    dag_id="offcloud_process_ingested",
    description="Runs whenever offcloud_recurring_ingest lands new files",
    schedule=[INGESTED_FILES],
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    tags=["offcloud", "example"],
):

    @task
    def summarise_new_files(triggering_asset_events: Any = None) -> list[str]:
        """List the files each triggering event reports; real processing would start from here."""
        paths: list[str] = []
        for events in (triggering_asset_events or {}).values():
            for event in events:
                paths.extend(entry["path"] for entry in event.extra.get("files", []))
        print(f"{len(paths)} new file(s): {paths}")
        return paths

    summarise_new_files()
