"""One garbled answer (a body that does not decode) is a fault to wait out, in both clients alike."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from second_review_support import Answer, connection_value, json_answer

from airflow_provider_offcloud.exceptions import OffcloudError, OffcloudPermanentError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.hooks.offcloud_async import OffcloudAsyncHook
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

if TYPE_CHECKING:
    from second_review_support import Received

CONN_ID = "offcloud_second_review"
DOWNLOADED = {"requestId": "abc", "status": "downloaded", "fileName": "report.bin"}


def _gzip_label_on_a_plain_body_once():
    """The first history answer claims gzip but is plain text, as a misconfigured proxy sends it."""
    reads = {"history": 0}

    def script(request: Received) -> Answer:
        if "history" in request.path:
            reads["history"] += 1
            if reads["history"] == 1:
                return Answer(
                    200,
                    b'[{"requestId": "abc"}]',
                    {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                )
            return json_answer([DOWNLOADED])
        return json_answer({"status": DOWNLOADED})

    return script


async def test_trigger_waits_out_one_undecodable_history_answer(local_server, monkeypatch):
    server = local_server(_gzip_label_on_a_plain_body_once())
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(server.base_url))
    trigger = OffcloudDownloadTrigger(
        offcloud_conn_id=CONN_ID, request_id="abc", poll_interval=0.01, deadline=time.time() + 30
    )

    event = await trigger.run().__anext__()

    assert event.payload["status"] == "success", event.payload


async def test_async_hook_turns_an_undecodable_answer_into_a_provider_error(local_server, monkeypatch):
    server = local_server(_gzip_label_on_a_plain_body_once())
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(server.base_url))

    async with OffcloudAsyncHook(CONN_ID) as hook:
        with pytest.raises(OffcloudError) as fault:
            await hook.cloud_history()

    assert not isinstance(fault.value, OffcloudPermanentError)


# -- what held up ----------------------------------------------------------------------------------------


def test_sync_hook_turns_an_undecodable_answer_into_a_provider_error(local_server, monkeypatch):
    server = local_server(_gzip_label_on_a_plain_body_once())
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(server.base_url))

    with pytest.raises(OffcloudError) as fault:
        OffcloudHook(CONN_ID).cloud_history()

    assert not isinstance(fault.value, OffcloudPermanentError)
