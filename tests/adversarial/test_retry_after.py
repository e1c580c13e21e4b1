"""A ``Retry-After`` header that is not a finite number must not break the retry pause."""

from __future__ import annotations

import json
import math
import time
from typing import TYPE_CHECKING

import pytest
from adversarial_support import Reply, connection_json

from airflow_provider_offcloud.hooks import offcloud as sync_module
from airflow_provider_offcloud.hooks import offcloud_async as async_module
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

if TYPE_CHECKING:
    from adversarial_support import SeenRequest

DOWNLOADED = {"requestId": "abc", "status": "downloaded", "fileName": "file.bin"}
JSON = {"Content-Type": "application/json"}


def _rate_limited_once(retry_after: str):
    answered = {"history": 0}

    def answer(request: SeenRequest) -> Reply:
        if "history" in request.path:
            answered["history"] += 1
            if answered["history"] == 1:
                return Reply(429, '{"error": "slow down"}', {**JSON, "Retry-After": retry_after})
            return Reply(200, json.dumps([DOWNLOADED]), JSON)
        return Reply(200, json.dumps({"status": DOWNLOADED}), JSON)

    return answer


@pytest.mark.parametrize("retry_after", ["nan", "NaN"])
def test_sync_hook_retries_after_a_junk_retry_after(scripted_server, monkeypatch, retry_after):
    server = scripted_server(_rate_limited_once(retry_after))
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(server.base_url))
    pauses: list[float] = []
    monkeypatch.setattr(sync_module, "_sleep", pauses.append)

    history = OffcloudHook("offcloud_adv").cloud_history()

    assert [item["requestId"] for item in history] == ["abc"]
    assert pauses
    assert all(math.isfinite(pause) and 0 <= pause <= 60 for pause in pauses)


async def test_trigger_pause_after_a_junk_retry_after_is_finite(scripted_server, monkeypatch):
    server = scripted_server(_rate_limited_once("nan"))
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(server.base_url))
    pauses: list[float] = []

    async def record(seconds: float) -> None:
        # Record instead of sleeping: the real asyncio.sleep(nan) would hang this test.
        pauses.append(seconds)

    monkeypatch.setattr(async_module, "_sleep", record)
    trigger = OffcloudDownloadTrigger(
        offcloud_conn_id="offcloud_adv", request_id="abc", poll_interval=0.01, deadline=time.time() + 30
    )

    event = await trigger.run().__anext__()

    assert event.payload["status"] == "success"
    assert pauses
    assert all(math.isfinite(pause) and 0 <= pause <= 60 for pause in pauses)


def test_transfer_pause_after_a_junk_retry_after_is_finite(scripted_server, monkeypatch, tmp_path):
    from airflow.providers.common.compat.sdk import ObjectStoragePath

    from airflow_provider_offcloud.transfers.links import DownloadLinkOpener
    from airflow_provider_offcloud.transfers.settings import StreamSettings
    from airflow_provider_offcloud.transfers.streaming import RangedCopier

    answered = {"count": 0}

    def answer(request: SeenRequest) -> Reply:
        answered["count"] += 1
        if answered["count"] == 1:
            return Reply(503, "busy", {"Retry-After": "nan"})
        return Reply(200, b"0123456789", {"Content-Type": "application/octet-stream"})

    server = scripted_server(answer)
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(server.base_url))
    pauses: list[float] = []
    opener = DownloadLinkOpener(OffcloudHook("offcloud_adv"), timeout=5)
    copier = RangedCopier(opener, StreamSettings(backoff_seconds=0.01), sleep=pauses.append)
    folder = ObjectStoragePath(f"file://{tmp_path}")

    result = copier.copy(
        f"{server.base_url}/cloud/download/abc/file.bin",
        partial_path=folder / ".file.bin.offcloud-partial",
        target=folder / "file.bin",
        expected_size=10,
        label="file.bin",
    )

    assert result.size == 10
    assert pauses
    assert all(math.isfinite(pause) and 0 <= pause <= 60 for pause in pauses)
