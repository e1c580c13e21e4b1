"""One unreadable entry in the account's cloud history must not break reads of the other items."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

import pytest
from adversarial_support import Reply, connection_json

from airflow_provider_offcloud.exceptions import OffcloudError
from airflow_provider_offcloud.hooks import offcloud as sync_module
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

if TYPE_CHECKING:
    from adversarial_support import SeenRequest

JSON = {"Content-Type": "application/json"}
WAITED_FOR = {"requestId": "abc", "status": "downloaded", "fileName": "wanted.bin"}
#: Another item of the account whose creation time (in ms) lies far beyond what datetime can hold.
UNREADABLE = {"requestId": "other", "status": "downloaded", "fileName": "x.bin", "createdOn": 10**17}

HISTORY_BODY = json.dumps([UNREADABLE, WAITED_FOR])


def _answer(request: SeenRequest) -> Reply:
    if "history" in request.path:
        return Reply(200, HISTORY_BODY, JSON)
    return Reply(200, json.dumps({"status": WAITED_FOR}), JSON)


async def test_trigger_waits_through_an_unrelated_unreadable_history_entry(scripted_server, monkeypatch):
    server = scripted_server(_answer)
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(server.base_url))
    trigger = OffcloudDownloadTrigger(
        offcloud_conn_id="offcloud_adv", request_id="abc", poll_interval=0.01, deadline=time.time() + 30
    )

    event = await trigger.run().__anext__()

    assert event.payload["status"] == "success", event.payload


@pytest.mark.parametrize("bad_field", [{"createdOn": 10**17}, {"createdOn": -(10**12)}, {"fileSize": 1e400}])
def test_sync_history_with_an_out_of_range_field_gives_a_provider_error(
    requests_mock, monkeypatch, bad_field
):
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json("http://127.0.0.1:9"))
    monkeypatch.setattr(sync_module, "_sleep", lambda seconds: None)
    # json.dumps writes 1e400 as Infinity, which Python's json reads back as float('inf').
    requests_mock.get("http://127.0.0.1:9/api/cloud/history", text=json.dumps([{**WAITED_FOR, **bad_field}]))

    try:
        history = OffcloudHook("offcloud_adv").cloud_history()
    except OffcloudError:
        return
    assert [item["requestId"] for item in history] == ["abc"]
