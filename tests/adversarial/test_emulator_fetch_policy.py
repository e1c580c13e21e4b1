"""The emulator fetches only from hosts it allows and writes fetched files only inside its data folder."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import requests
from adversarial_support import Reply

from airflow_provider_offcloud.emulator import EmulatorOptions, OffcloudEmulator

if TYPE_CHECKING:
    from pathlib import Path

    from adversarial_support import SeenRequest

    from airflow_provider_offcloud.emulator.store import TransferItem


def _wait_until_final(emulator: OffcloudEmulator, request_id: str) -> TransferItem:
    """Poll the emulator's own store (no HTTP) for a little while until the item has finished."""
    for _ in range(500):
        item = emulator.item(request_id)
        if item is not None and item.status.value in ("downloaded", "error"):
            return item
        time.sleep(0.01)
    raise AssertionError(f"item {request_id} did not finish")


def _submit(emulator: OffcloudEmulator, link: str) -> str:
    answer = requests.post(
        f"{emulator.base_url}/api/cloud",
        json={"url": link},
        headers={"Authorization": f"Bearer {emulator.account.api_key}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["requestId"]


def test_emulator_does_not_follow_a_redirect_to_a_host_it_does_not_allow(scripted_server, tmp_path: Path):
    ports: dict[str, str] = {}

    def answer(request: SeenRequest) -> Reply:
        if request.path.startswith("/redirect"):
            # Same machine, but named by a host the emulator was told not to fetch from.
            return Reply(302, b"", {"Location": f"http://localhost:{ports['origin']}/payload.bin"})
        return Reply(200, b"PAYLOAD", {"Content-Type": "application/octet-stream"})

    origin = scripted_server(answer)
    ports["origin"] = origin.base_url.rsplit(":", 1)[1]
    options = EmulatorOptions(allowed_fetch_hosts=frozenset({"127.0.0.1"}))
    with OffcloudEmulator(seed=1, data_dir=tmp_path / "emulator", options=options) as emulator:
        item = _wait_until_final(emulator, _submit(emulator, f"{origin.base_url}/redirect.bin"))

    assert [request.path for request in origin.seen if request.path.startswith("/payload")] == []
    assert item.status.value == "error"


def test_emulator_keeps_fetched_files_inside_its_data_folder(scripted_server, tmp_path: Path):
    origin = scripted_server(lambda request: Reply(200, b"PAYLOAD", {"Content-Type": "text/plain"}))
    data_dir = tmp_path / "outer" / "emulator"
    with OffcloudEmulator(seed=1, data_dir=data_dir) as emulator:
        request_id = _submit(emulator, f"{origin.base_url}/x/..%2F..%2F..%2Fescaped.bin")
        item = _wait_until_final(emulator, request_id)

    written = sorted(path for path in tmp_path.rglob("escaped.bin*"))
    assert all(path.is_relative_to(data_dir) for path in written), written
    # The file still arrives, under a plain name, in the item's own folder.
    assert item.status.value == "downloaded"
    assert item.file_name == "escaped.bin"
    assert [path.read_bytes() for path in written] == [b"PAYLOAD"]
