"""A link whose file name the disk cannot hold ends the emulator's transfer in error, not in limbo."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

import requests
from second_review_support import Answer

from airflow_provider_offcloud.emulator import OffcloudEmulator

if TYPE_CHECKING:
    from pathlib import Path

FINAL_STATUSES = ("downloaded", "error")


def _final_status(emulator: OffcloudEmulator, request_id: str) -> str:
    """Watch the emulator's own store (no HTTP) for at most about two seconds."""
    status = "unknown"
    for _ in range(200):
        item = emulator.item(request_id)
        status = item.status.value if item is not None else "unknown"
        if status in FINAL_STATUSES:
            break
        time.sleep(0.01)
    return status


def test_a_file_name_longer_than_the_disk_allows_ends_the_item(local_server, tmp_path: Path):
    origin = local_server(lambda request: Answer(200, b"PAYLOAD", {"Content-Type": "text/plain"}))
    with OffcloudEmulator(seed=3, data_dir=tmp_path / "emulator") as emulator:
        answer = requests.post(
            f"{emulator.base_url}/api/cloud",
            json={"url": f"{origin.base_url}/{'n' * 300}.bin"},
            headers={"Authorization": f"Bearer {emulator.account.api_key}"},
            timeout=10,
        )
        answer.raise_for_status()
        status = _final_status(emulator, answer.json()["requestId"])
    # The crashed transfer task is reported when it is collected; collect it here, inside the test, rather
    # than in the middle of whatever pytest does next (such as compiling the next test module).
    gc.collect()

    assert status in FINAL_STATUSES
