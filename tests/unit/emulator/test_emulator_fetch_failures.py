"""A link fetch that fails on the local disk ends its item in ``error`` instead of leaving it downloading."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from airflow_provider_offcloud.emulator import EmulatorOptions
from airflow_provider_offcloud.emulator.runner import TransferRunner
from airflow_provider_offcloud.emulator.seeds import SeedLibrary
from airflow_provider_offcloud.emulator.store import TransferItem, TransferKind, TransferStatus

if TYPE_CHECKING:
    from pathlib import Path

LINK = "http://127.0.0.1:9/files/payload.bin"


def _item(file_name: str) -> TransferItem:
    return TransferItem(
        request_id="b" * 24,
        kind=TransferKind.CLOUD,
        owner_email="demo@example.com",
        submitted_link=LINK,
        original_link=LINK,
        dedup_key=LINK,
        file_name=file_name,
        site="127.0.0.1",
    )


async def _fetch(item: TransferItem, destination: Path, tmp_path: Path, monkeypatch) -> None:
    """Run one fetch against an in-memory origin answering ``PAYLOAD``; no socket is opened."""
    runner = TransferRunner(EmulatorOptions(), SeedLibrary(tmp_path / "seeds"))
    origin = httpx.MockTransport(lambda request: httpx.Response(200, content=b"PAYLOAD"))
    client = httpx.AsyncClient(transport=origin)
    monkeypatch.setattr(runner, "_http_client", lambda: client)
    try:
        runner.fetch_link(item, destination)
        assert item.task is not None
        # The task must end by itself: an exception escaping it would leave the item downloading.
        await item.task
    finally:
        await runner.aclose()
        await client.aclose()


async def test_a_name_the_disk_refuses_ends_the_item_in_error(tmp_path: Path, monkeypatch):
    # Longer than the 255 bytes file systems allow: opening the file fails, and so does removing it.
    item = _item(f"{'n' * 300}.bin")

    await _fetch(item, tmp_path / "cloud", tmp_path, monkeypatch)

    assert item.status is TransferStatus.ERROR
    assert item.error_message is not None
    assert item.error_message.startswith("Error during downloading ")
    assert str(tmp_path) not in item.error_message


async def test_a_destination_that_is_not_a_folder_ends_the_item_in_error(tmp_path: Path, monkeypatch):
    destination = tmp_path / "cloud"
    destination.write_bytes(b"a file where the folder should be")
    item = _item("payload.bin")

    await _fetch(item, destination, tmp_path, monkeypatch)

    assert item.status is TransferStatus.ERROR
    assert destination.read_bytes() == b"a file where the folder should be"


async def test_a_fetch_that_succeeds_still_lands_the_file(tmp_path: Path, monkeypatch):
    item = _item("payload.bin")

    await _fetch(item, tmp_path / "cloud", tmp_path, monkeypatch)

    assert item.status is TransferStatus.DOWNLOADED
    assert (tmp_path / "cloud" / "payload.bin").read_bytes() == b"PAYLOAD"
    assert not (tmp_path / "cloud" / "payload.bin.part").exists()
