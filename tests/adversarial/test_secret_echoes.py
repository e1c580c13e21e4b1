"""Secrets the service echoes back, or that a failed request's URL holds, stay out of errors and events."""

from __future__ import annotations

import json
import socket
import time
from typing import TYPE_CHECKING

import pytest
from adversarial_support import API_KEY, Reply, connection_json

from airflow_provider_offcloud.exceptions import OffcloudApiError, OffcloudError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

if TYPE_CHECKING:
    from adversarial_support import SeenRequest

JSON = {"Content-Type": "application/json"}


def _echoing_refusal(request: SeenRequest) -> Reply:
    """History knows nothing; the status route refuses with words that repeat the request's URL."""
    if "history" in request.path:
        return Reply(200, "[]", JSON)
    return Reply(400, json.dumps({"error": f"No such item for {request.path}"}), JSON)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_sync_hook_scrubs_an_echoed_key_from_the_refusal(scripted_server, monkeypatch):
    server = scripted_server(_echoing_refusal)
    monkeypatch.setenv(
        "AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(server.base_url, api_key_location="query")
    )

    with pytest.raises(OffcloudApiError) as refusal:
        OffcloudHook("offcloud_adv").cloud_status("abc")

    assert API_KEY in server.seen[-1].path
    assert API_KEY not in str(refusal.value)
    assert API_KEY not in str(refusal.value.service_message)


async def test_trigger_event_holds_no_echoed_key(scripted_server, monkeypatch):
    server = scripted_server(_echoing_refusal)
    monkeypatch.setenv(
        "AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(server.base_url, api_key_location="query")
    )
    trigger = OffcloudDownloadTrigger(
        offcloud_conn_id="offcloud_adv", request_id="abc", poll_interval=0.01, deadline=time.time() + 30
    )

    event = await trigger.run().__anext__()

    assert event.payload["status"] == "error"
    assert API_KEY not in json.dumps(event.payload)


def test_no_exception_in_the_chain_of_a_connection_failure_holds_the_key(monkeypatch):
    # Nothing listens on this port: the connection is refused at once.
    base_url = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv(
        "AIRFLOW_CONN_OFFCLOUD_ADV",
        connection_json(base_url, api_key_location="query", max_attempts=1),
    )

    with pytest.raises(OffcloudError) as failure:
        OffcloudHook("offcloud_adv").cloud_history()

    chain: list[BaseException] = []
    current: BaseException | None = failure.value
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    assert all(API_KEY not in f"{error!s} {error.args!r}" for error in chain), chain
