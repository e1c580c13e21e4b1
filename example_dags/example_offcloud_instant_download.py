"""Instant download: ask Offcloud for a direct link to a file host's file and hand it downstream."""

from __future__ import annotations

import datetime as dt
from typing import Any

from airflow.sdk import DAG, Param, task

from airflow_provider_offcloud.operators.offcloud import OffcloudInstantDownloadOperator

with DAG(
    dag_id="offcloud_instant_download",
    description="Turn a file host link into a direct link and check what it points at",
    schedule=None,
    start_date=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    tags=["offcloud", "example"],
    params={
        "url": Param(type="string", description="link on a file host supported by Offcloud"),
        "proxy_id": Param(None, type=["null", "string"], description="proxy to fetch through, if any"),
    },
):
    # [START howto_operator_offcloud_instant_download]
    instant_link = OffcloudInstantDownloadOperator(
        task_id="instant_link",
        url="{{ params.url }}",
        proxy_id="{{ params.proxy_id or '' }}",
    )
    # [END howto_operator_offcloud_instant_download]

    @task
    def describe_direct_link(item: dict[str, Any]) -> dict[str, Any]:
        """Look at the direct link without downloading it: its size and type, for downstream decisions."""
        import requests

        response = requests.head(item["url"], allow_redirects=True, timeout=30)
        response.raise_for_status()
        return {
            "direct_link_host": requests.utils.urlparse(item["url"]).hostname,
            "file_name": item["fileName"],
            "size": int(response.headers.get("Content-Length", 0)) or None,
            "content_type": response.headers.get("Content-Type"),
        }

    describe_direct_link(instant_link.output)
