"""The speed a cloud download reports while it fetches a link, measured with a clock the test controls."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from airflow_provider_offcloud.emulator import EmulatorOptions
from airflow_provider_offcloud.emulator.runner import TransferRunner
from airflow_provider_offcloud.emulator.seeds import SeedLibrary
from airflow_provider_offcloud.emulator.speed import MIN_SPEED_WINDOW_SECONDS
from airflow_provider_offcloud.emulator.store import TransferItem, TransferKind, TransferStatus

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from airflow_provider_offcloud.emulator import OriginServer

pytestmark = pytest.mark.integration

_CHUNK_SIZE = 16 * 1024


async def _reported_progress(
    origin_server: OriginServer, tmp_path: Path, clock: Callable[[], float]
) -> list[tuple[int, float]]:
    """Fetch the origin's medium file and return each (bytes received, speed) the item reported."""
    runner = TransferRunner(EmulatorOptions(download_chunk_size=_CHUNK_SIZE), SeedLibrary(tmp_path), clock)
    link = origin_server.url_for("medium.bin")
    item = TransferItem(
        request_id="a" * 24,
        kind=TransferKind.CLOUD,
        owner_email="demo@example.com",
        submitted_link=link,
        original_link=link,
        dedup_key=link,
        file_name="medium.bin",
        site="127.0.0.1",
    )
    reported: list[tuple[int, float]] = []
    record_progress = item.mark_downloading

    def recording(amount: int, file_size: int | None, speed: float) -> None:
        reported.append((amount, speed))
        record_progress(amount, file_size, speed)

    item.mark_downloading = recording  # type: ignore[method-assign]
    try:
        runner.fetch_link(item, tmp_path / "cloud")
        assert item.task is not None
        await item.task
    finally:
        await runner.aclose()

    assert item.status is TransferStatus.DOWNLOADED
    return [(amount, speed) for amount, speed in reported if amount > 0]


async def test_chunks_arriving_at_once_do_not_report_an_absurd_speed(origin_server, tmp_path):
    # A clock that never moves is the extreme of chunks arriving microseconds after the request.
    progress = await _reported_progress(origin_server, tmp_path, clock=lambda: 500.0)

    assert progress
    for amount, speed in progress:
        assert speed == round(amount / MIN_SPEED_WINDOW_SECONDS, 1)


async def test_speed_is_bytes_since_the_start_over_time_since_the_start(origin_server, tmp_path):
    # Each reading of the clock is two seconds after the previous one; the first marks the start.
    readings = iter(range(0, 10_000, 2))
    progress = await _reported_progress(origin_server, tmp_path, clock=lambda: float(next(readings)))

    assert len(progress) > 2
    for chunk_number, (amount, speed) in enumerate(progress, start=1):
        assert speed == round(amount / (2.0 * chunk_number), 1)
