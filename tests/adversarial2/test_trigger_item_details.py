"""What a trigger's event says about an item the shared poller answered from the cloud history alone."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from second_review_support import Answer, connection_value, json_answer

from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

if TYPE_CHECKING:
    from second_review_support import Received

CONN_ID = "offcloud_second_review"
LINK = "http://127.0.0.1:9/files/report.bin"
LONG_AGO = "2020-01-01T00:00:00.000Z"


def _new_api_service(statuses: list[str], *, progress: float | None = None):
    """
    Answer like the 2026 API: history entries without sizes; status with size, server and progress.

    The item's status moves one step along ``statuses`` at each history read and stays on the last one.
    """
    reads = {"history": 0}

    def current() -> str:
        return statuses[min(reads["history"], len(statuses)) - 1]

    def script(request: Received) -> Answer:
        if "history" in request.path:
            reads["history"] += 1
            entry = {
                "requestId": "abc",
                "fileName": "report.bin",
                "status": current(),
                "originalLink": LINK,
                "createdOn": LONG_AGO,
            }
            return json_answer([entry])
        status = current()
        inner = {
            "requestId": "abc",
            "fileName": "report.bin",
            "status": status,
            "fileSize": 4096,
            "server": "s7",
            "isDirectory": False,
            "progress": None if status == "downloaded" else progress,
            "message": None,
        }
        return json_answer({"status": inner})

    return script


def _trigger(**kwargs: object) -> OffcloudDownloadTrigger:
    return OffcloudDownloadTrigger(
        offcloud_conn_id=CONN_ID,
        request_id="abc",
        poll_interval=0.01,
        deadline=time.time() + 30,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_success_event_carries_the_size_and_server_the_status_route_gives(local_server, monkeypatch):
    server = local_server(_new_api_service(["downloaded"]))
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(server.base_url))

    event = await _trigger().run().__anext__()

    assert event.payload["status"] == "success", event.payload
    item = event.payload["item"]
    assert (item["fileSize"], item["server"], item["isDirectory"]) == (4096, "s7", False)


async def test_item_progressing_while_created_is_not_reported_stuck(local_server, monkeypatch):
    server = local_server(_new_api_service(["created", "created", "downloaded"], progress=0.9))
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(server.base_url))

    event = await _trigger(stuck_after=3600).run().__anext__()

    assert event.payload["status"] == "success", event.payload


# -- what held up ----------------------------------------------------------------------------------------


async def test_item_turning_error_is_reported_with_offclouds_message(local_server, monkeypatch):
    reads = {"history": 0}

    def script(request: Received) -> Answer:
        if "history" in request.path:
            reads["history"] += 1
            status = "downloading" if reads["history"] < 3 else "error"
            return json_answer([{"requestId": "abc", "status": status, "createdOn": LONG_AGO}])
        return json_answer(
            {"status": {"requestId": "abc", "status": "error", "message": "Disk quota exceeded"}}
        )

    server = local_server(script)
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(server.base_url))

    event = await _trigger().run().__anext__()

    assert event.payload["reason"] == "download_failed"
    assert event.payload["service_message"] == "Disk quota exceeded"
