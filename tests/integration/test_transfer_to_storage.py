"""OffcloudToStorageOperator against the emulator on loopback: real links, real ranges, real drops."""

from __future__ import annotations

import hashlib
import json
import time

import pytest
from airflow.sdk import Asset, ObjectStoragePath
from airflow.sdk.execution_time.context import OutletEventAccessors

from airflow_provider_offcloud.emulator import DEMO_MULTI_FILE_TORRENT, DEMO_SINGLE_FILE_TORRENT
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.transfers.errors import OffcloudSizeMismatchError
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

pytestmark = pytest.mark.integration

CONN_ID = "offcloud_transfer_emulator"
FILE_DOWNLOAD_ROUTE = "file_download"


@pytest.fixture
def connection(emulator, monkeypatch) -> str:
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{CONN_ID.upper()}",
        json.dumps(
            {
                "conn_type": "offcloud",
                "host": emulator.base_url,
                "extra": {"api_key": emulator.account.api_key},
            }
        ),
    )
    monkeypatch.setattr("airflow_provider_offcloud.hooks.offcloud._sleep", lambda seconds: None)
    monkeypatch.setattr("airflow_provider_offcloud.transfers.streaming._sleep", lambda seconds: None)
    return CONN_ID


@pytest.fixture
def landing(tmp_path) -> ObjectStoragePath:
    return ObjectStoragePath(f"file://{tmp_path}/landing/")


def _submit(connection: str, link: str) -> str:
    return OffcloudHook(connection).cloud_download(link)["requestId"]


def _transfer(
    connection: str,
    request_id: str,
    landing: ObjectStoragePath,
    events: OutletEventAccessors | None = None,
    **kwargs,
) -> list[dict]:
    operator = OffcloudToStorageOperator(
        task_id="land",
        request_id=request_id,
        destination=str(landing),
        offcloud_conn_id=connection,
        chunk_size=8 * 1024,
        progress_interval=0,
        backoff_seconds=0.01,
        **kwargs,
    )
    return operator.execute(
        context={"outlet_events": events if events is not None else OutletEventAccessors()}
    )


def _downloads(emulator, settle_at: int = 0) -> list[int]:
    """
    Statuses of the download requests the emulator logged.

    The emulator logs a request once its answer is fully sent, which can be a moment after the client
    has read the last byte; wait (briefly) until at least ``settle_at`` entries are there.
    """
    deadline = time.monotonic() + 5
    while len(emulator.request_log.entries(FILE_DOWNLOAD_ROUTE)) < settle_at and time.monotonic() < deadline:
        time.sleep(0.01)
    return [entry.status_code for entry in emulator.request_log.entries(FILE_DOWNLOAD_ROUTE)]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_multi_file_item_lands_byte_identical_in_its_folder_layout(emulator, connection, landing):
    request_id = _submit(connection, DEMO_MULTI_FILE_TORRENT.magnet)

    result = _transfer(connection, request_id, landing)

    served = {
        item_file.path: item_file.disk_path.read_bytes() for item_file in emulator.item(request_id).files
    }
    assert sorted(served) == [
        "Demo Season 1/Episode 1.mkv",
        "Demo Season 1/Extras/Making of.mkv",
        "Demo Season 1/readme.txt",
    ]
    for relative_path, content in served.items():
        assert (landing / relative_path).read_bytes() == content
    assert {entry["relative_path"]: entry["sha256"] for entry in result} == {
        path: _sha256(content) for path, content in served.items()
    }
    assert not list(landing.rglob("*.offcloud-partial"))


def test_single_file_item_lands_under_its_name(emulator, connection, landing):
    request_id = _submit(connection, DEMO_SINGLE_FILE_TORRENT.magnet)

    (entry,) = _transfer(connection, request_id, landing)

    content = emulator.item(request_id).files[0].disk_path.read_bytes()
    assert entry["relative_path"] == "demo-single.bin"
    assert (landing / "demo-single.bin").read_bytes() == content


def test_a_connection_dropped_mid_file_is_resumed_with_range(
    emulator, connection, landing, origin_server, emulator_client, wait_for_transfer
):
    request_id = _submit(connection, origin_server.url_for("large.bin"))
    assert wait_for_transfer(emulator_client, request_id)["status"] == "downloaded"
    emulator.faults.inject(FILE_DOWNLOAD_ROUTE, kind="drop_connection", after_bytes=1024 * 1024, times=1)

    (entry,) = _transfer(connection, request_id, landing)

    original = (origin_server.root / "large.bin").read_bytes()
    assert (landing / "large.bin").read_bytes() == original
    assert entry["sha256"] == _sha256(original)
    assert _downloads(emulator, settle_at=2) == [200, 206]


def test_a_size_that_does_not_match_the_listing_fails_and_leaves_no_file(emulator, connection, landing):
    request_id = _submit(connection, DEMO_SINGLE_FILE_TORRENT.magnet)
    emulator.item(request_id).files[0].size += 1

    with pytest.raises(OffcloudSizeMismatchError, match=r"demo-single\.bin"):
        _transfer(connection, request_id, landing)

    assert not (landing / "demo-single.bin").exists()
    assert not list(landing.rglob("*.offcloud-partial"))


def test_files_already_there_are_skipped_without_a_download_request(emulator, connection, landing):
    request_id = _submit(connection, DEMO_MULTI_FILE_TORRENT.magnet)
    first = _transfer(connection, request_id, landing)
    assert len(_downloads(emulator, settle_at=3)) == 3
    emulator.request_log.clear()

    second = _transfer(connection, request_id, landing)

    assert _downloads(emulator) == []
    assert [entry["skipped"] for entry in second] == [True, True, True]
    assert [entry["sha256"] for entry in second] == [entry["sha256"] for entry in first]


def test_overwrite_downloads_a_file_of_the_right_size_again(emulator, connection, landing):
    request_id = _submit(connection, DEMO_SINGLE_FILE_TORRENT.magnet)
    _transfer(connection, request_id, landing)
    content = (landing / "demo-single.bin").read_bytes()
    (landing / "demo-single.bin").write_bytes(b"\0" * len(content))
    assert _downloads(emulator, settle_at=1) == [200]
    emulator.request_log.clear()

    (entry,) = _transfer(connection, request_id, landing, if_exists="overwrite")

    assert _downloads(emulator, settle_at=1) == [200]
    assert entry["skipped"] is False
    assert (landing / "demo-single.bin").read_bytes() == content


def test_the_destination_asset_event_carries_what_landed(emulator, connection, landing):
    request_id = _submit(connection, DEMO_MULTI_FILE_TORRENT.magnet)
    events = OutletEventAccessors()

    _transfer(connection, request_id, landing, events=events)

    extra = events[Asset(str(landing).rstrip("/"))].extra
    assert extra["request_id"] == request_id
    assert extra["written_count"] == 3
    assert extra["total_bytes"] == DEMO_MULTI_FILE_TORRENT.total_size
