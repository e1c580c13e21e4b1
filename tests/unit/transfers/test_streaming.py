"""The ranged, resumable, verified copy of one link into storage."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tracemalloc

import pytest
from airflow.sdk import ObjectStoragePath
from transfer_doubles import CDN, FakeFileServer

from airflow_provider_offcloud.exceptions import OffcloudTransientError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.retry import MAX_SINGLE_WAIT_SECONDS
from airflow_provider_offcloud.transfers import streaming
from airflow_provider_offcloud.transfers.errors import OffcloudLinkRefusedError, OffcloudSizeMismatchError
from airflow_provider_offcloud.transfers.links import DownloadLinkOpener
from airflow_provider_offcloud.transfers.settings import StreamSettings
from airflow_provider_offcloud.transfers.streaming import RangedCopier

LINK = f"{CDN}/cdn/tok/secret-token/data.bin"
CONTENT = os.urandom(300_000)


@pytest.fixture
def copier(offcloud_connection: str, pauses: list[float]) -> RangedCopier:
    opener = DownloadLinkOpener(OffcloudHook(offcloud_connection), timeout=5)
    settings = StreamSettings(chunk_size=64 * 1024, progress_interval=0, max_attempts=3, backoff_seconds=0.01)
    return RangedCopier(opener, settings, logger=logging.getLogger("test.transfer"))


def _copy(copier: RangedCopier, folder: ObjectStoragePath, expected_size: int | None = len(CONTENT)):
    return copier.copy(
        LINK,
        partial_path=folder / ".data.bin.offcloud-partial",
        target=folder / "data.bin",
        expected_size=expected_size,
        label="data.bin",
    )


@pytest.fixture
def folder(tmp_path) -> ObjectStoragePath:
    return ObjectStoragePath(f"file://{tmp_path}/landing/")


def test_whole_file_lands_under_its_final_name_with_its_checksum(copier, folder, requests_mock):
    server = FakeFileServer(LINK, CONTENT)
    requests_mock.add_matcher(server)

    result = _copy(copier, folder)

    assert (folder / "data.bin").read_bytes() == CONTENT
    assert result.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert result.size == len(CONTENT)
    assert not (folder / ".data.bin.offcloud-partial").exists()
    assert server.ranges == [None]


def test_a_dropped_connection_is_resumed_with_range_from_the_bytes_written(copier, folder, requests_mock):
    server = FakeFileServer(LINK, CONTENT, breaks=[100_000])
    requests_mock.add_matcher(server)

    result = _copy(copier, folder)

    assert (folder / "data.bin").read_bytes() == CONTENT
    assert result.sha256 == hashlib.sha256(CONTENT).hexdigest()
    first, second = server.ranges
    assert first is None
    assert second is not None
    resumed_from = int(second.removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= 100_000


def test_a_server_ignoring_range_makes_the_file_start_again(copier, folder, requests_mock):
    server = FakeFileServer(LINK, CONTENT, breaks=[150_000], ignore_range=True)
    requests_mock.add_matcher(server)

    result = _copy(copier, folder)

    assert (folder / "data.bin").read_bytes() == CONTENT
    assert result.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert server.ranges[1] is not None


def test_transient_status_is_retried_after_the_announced_pause(copier, folder, requests_mock, pauses):
    server = FakeFileServer(LINK, CONTENT, statuses=[503])
    requests_mock.add_matcher(server)

    _copy(copier, folder)

    assert (folder / "data.bin").read_bytes() == CONTENT
    assert pauses == [0.0]


@pytest.mark.parametrize("announced", [float("nan"), float("inf"), -1.0])
def test_a_pause_asked_for_that_is_no_number_falls_back_to_the_backoff(
    copier, folder, requests_mock, pauses, monkeypatch, announced
):
    server = FakeFileServer(LINK, CONTENT, statuses=[503, 503])
    requests_mock.add_matcher(server)
    original = streaming.error_for_status

    def with_junk_retry_after(*args, **kwargs):
        # Stands for any parser that lets a junk Retry-After through to the error.
        error = original(*args, **kwargs)
        error.retry_after = announced
        return error

    monkeypatch.setattr(streaming, "error_for_status", with_junk_retry_after)

    _copy(copier, folder)

    assert (folder / "data.bin").read_bytes() == CONTENT
    assert pauses == [0.01, 0.02]


@pytest.mark.parametrize("setting", ["backoff_seconds", "max_retry_seconds"])
def test_pauses_stay_finite_whatever_the_settings(
    offcloud_connection, folder, requests_mock, pauses, setting
):
    # A dropped connection carries no Retry-After, so the pause comes from the settings alone.
    requests_mock.add_matcher(FakeFileServer(LINK, CONTENT, breaks=[70_000]))
    opener = DownloadLinkOpener(OffcloudHook(offcloud_connection), timeout=5)
    settings = StreamSettings(chunk_size=64 * 1024, progress_interval=0, **{setting: float("nan")})

    _copy(RangedCopier(opener, settings), folder)

    assert (folder / "data.bin").read_bytes() == CONTENT
    assert len(pauses) == 1
    assert math.isfinite(pauses[0])
    assert 0 <= pauses[0] <= MAX_SINGLE_WAIT_SECONDS


def test_size_different_from_the_listing_fails_loudly_and_leaves_no_file(copier, folder, requests_mock):
    requests_mock.add_matcher(FakeFileServer(LINK, CONTENT))

    with pytest.raises(OffcloudSizeMismatchError, match="announced 300001 bytes but 300000"):
        _copy(copier, folder, expected_size=len(CONTENT) + 1)

    assert not (folder / "data.bin").exists()
    assert not (folder / ".data.bin.offcloud-partial").exists()


def test_body_shorter_than_the_listing_without_length_fails_loudly(copier, folder, requests_mock):
    requests_mock.get(LINK, content=CONTENT[:1000])

    with pytest.raises(OffcloudSizeMismatchError):
        _copy(copier, folder, expected_size=len(CONTENT))

    assert not (folder / "data.bin").exists()
    assert not (folder / ".data.bin.offcloud-partial").exists()


def test_ip_bound_refusal_under_http_200_is_explained_and_nothing_is_written(copier, folder, requests_mock):
    requests_mock.get(
        LINK,
        json={"error": "You are not authorized to download this file."},
        headers={"Content-Type": "application/json"},
    )

    with pytest.raises(OffcloudLinkRefusedError, match="IP addresses registered") as refusal:
        _copy(copier, folder)

    assert "secret-token" not in str(refusal.value)
    assert not (folder / "data.bin").exists()
    assert not (folder / ".data.bin.offcloud-partial").exists()


def test_removed_file_is_a_permanent_refusal(copier, folder, requests_mock, pauses):
    requests_mock.get(LINK, status_code=404, json={"error": "The file is not available on the server."})

    with pytest.raises(OffcloudLinkRefusedError, match="no longer in the cloud"):
        _copy(copier, folder)

    assert pauses == []


def test_tries_without_progress_run_out_and_the_partial_file_is_kept_for_the_next_try(
    copier, folder, requests_mock
):
    server = FakeFileServer(LINK, CONTENT, breaks=[70_000, 0, 0])
    requests_mock.add_matcher(server)

    with pytest.raises(OffcloudTransientError, match="broke after"):
        _copy(copier, folder)

    partial = folder / ".data.bin.offcloud-partial"
    assert partial.exists()
    assert not (folder / "data.bin").exists()
    kept = partial.stat().st_size
    assert kept > 0

    server.requests.clear()
    result = _copy(copier, folder)

    assert server.ranges == [f"bytes={kept}-"]
    assert result.reused_bytes == kept
    assert result.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (folder / "data.bin").read_bytes() == CONTENT


def test_a_complete_partial_file_answered_416_is_finished_without_download(copier, folder, requests_mock):
    (folder / ".data.bin.offcloud-partial").parent.mkdir(parents=True, exist_ok=True)
    (folder / ".data.bin.offcloud-partial").write_bytes(CONTENT)
    server = FakeFileServer(LINK, CONTENT)
    requests_mock.add_matcher(server)

    result = _copy(copier, folder)

    assert server.ranges == [f"bytes={len(CONTENT)}-"]
    assert result.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (folder / "data.bin").read_bytes() == CONTENT


def test_a_partial_file_longer_than_the_file_starts_again_from_zero(copier, folder, requests_mock):
    (folder / "x").parent.mkdir(parents=True, exist_ok=True)
    (folder / ".data.bin.offcloud-partial").write_bytes(CONTENT + b"stale tail")
    server = FakeFileServer(LINK, CONTENT)
    requests_mock.add_matcher(server)

    _copy(copier, folder)

    assert server.ranges == [f"bytes={len(CONTENT) + 10}-", None]
    assert (folder / "data.bin").read_bytes() == CONTENT


def test_object_store_destination_resumes_within_the_open_upload(copier, memory_folder, requests_mock):
    folder = memory_folder
    server = FakeFileServer(LINK, CONTENT, breaks=[120_000])
    requests_mock.add_matcher(server)

    result = _copy(copier, folder)

    assert (folder / "data.bin").read_bytes() == CONTENT
    assert result.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert server.ranges[1] is not None
    assert not (folder / ".data.bin.offcloud-partial").exists()


def test_object_store_partial_is_not_kept_when_tries_run_out(copier, memory_folder, requests_mock):
    folder = memory_folder
    requests_mock.add_matcher(FakeFileServer(LINK, CONTENT, breaks=[0, 0, 0]))

    with pytest.raises(OffcloudTransientError):
        _copy(copier, folder)

    assert not (folder / ".data.bin.offcloud-partial").exists()
    assert not (folder / "data.bin").exists()


def test_memory_stays_flat_whatever_the_file_size(offcloud_connection, folder, requests_mock, pauses):
    chunk_size = 64 * 1024
    big = os.urandom(8 * 1024 * 1024)
    server = FakeFileServer(LINK, big)
    requests_mock.add_matcher(server)
    opener = DownloadLinkOpener(OffcloudHook(offcloud_connection), timeout=5)
    copier = RangedCopier(opener, StreamSettings(chunk_size=chunk_size, progress_interval=60))

    tracemalloc.start()
    try:
        _copy(copier, folder, expected_size=len(big))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert server.bodies[0].largest_read <= chunk_size
    assert peak < 2 * 1024 * 1024
    assert (folder / "data.bin").stat().st_size == len(big)


def test_the_link_path_stays_out_of_the_copier_logs_errors_and_result(copier, folder, requests_mock, caplog):
    caplog.set_level(logging.INFO, logger="test.transfer")
    server = FakeFileServer(LINK, CONTENT, statuses=[503], breaks=[70_000, 0, 0, 0])
    requests_mock.add_matcher(server)

    with pytest.raises(OffcloudTransientError) as gave_up:
        _copy(copier, folder)
    result = _copy(copier, folder)

    written = [record.getMessage() for record in caplog.records] + [str(gave_up.value), repr(result)]
    assert any("127.0.0.1" in text for text in written)
    assert not any("secret-token" in text for text in written)
