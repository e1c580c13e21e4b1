"""Transfer bookkeeping of the emulator: ownership, de-duplication, history order, progress."""

from __future__ import annotations

from pathlib import Path

from airflow_provider_offcloud.emulator.ids import IdGenerator
from airflow_provider_offcloud.emulator.store import ItemFile, TransferItem, TransferKind, TransferStore


def _item(request_id: str, link: str = "http://127.0.0.1/a", owner: str = "a@example.com") -> TransferItem:
    return TransferItem(
        request_id=request_id,
        kind=TransferKind.CLOUD,
        owner_email=owner,
        submitted_link=link,
        original_link=link,
        dedup_key=link,
        file_name="a",
        site="127.0.0.1",
    )


def test_dedup_key_finds_live_item_until_removed():
    store = TransferStore()
    store.add(_item("1"))

    found = store.find_existing("a@example.com", TransferKind.CLOUD, "http://127.0.0.1/a")
    assert found is not None
    assert found.request_id == "1"
    assert store.find_existing("b@example.com", TransferKind.CLOUD, "http://127.0.0.1/a") is None
    assert store.find_existing("a@example.com", TransferKind.REMOTE, "http://127.0.0.1/a") is None

    store.remove("1")
    assert store.find_existing("a@example.com", TransferKind.CLOUD, "http://127.0.0.1/a") is None


def test_history_is_newest_first_and_per_owner():
    store = TransferStore()
    store.add(_item("1", "http://127.0.0.1/1"))
    store.add(_item("2", "http://127.0.0.1/2", owner="b@example.com"))
    store.add(_item("3", "http://127.0.0.1/3"))

    assert [item.request_id for item in store.history("a@example.com", TransferKind.CLOUD)] == ["3", "1"]


def test_progress_follows_amount_and_is_none_when_done():
    item = _item("1")
    assert item.progress == 0.0

    item.mark_downloading(25, 100, 10.0)
    assert item.progress == 0.25

    item.mark_downloaded([ItemFile(path="a", size=100, disk_path=Path("a"))], is_directory=False)
    assert item.progress is None
    assert item.message is None
    assert item.amount == item.file_size == 100


def test_retry_resets_an_error():
    item = _item("1")
    item.mark_error("Error parsing url - HTTP code: 404 ")

    item.reset_for_retry()

    assert item.status.value == "created"
    assert item.error_message is None


def test_ids_are_24_hex_and_reproducible_under_a_seed():
    sequence = IdGenerator(5)
    ids = [sequence.next_id() for _ in range(50)]

    assert IdGenerator(5).next_id() == ids[0]
    assert len(set(ids)) == 50
    assert all(len(request_id) == 24 and int(request_id, 16) >= 0 for request_id in ids)
