"""When a wait calls an item stuck: status changes and progress first seen late must count as movement."""

from __future__ import annotations

import datetime as dt
from typing import Any

from third_review_support import (
    _LOOP_START,
    CLOCK_START,
    ScriptedClient,
    VirtualWallClock,
    run_on_virtual_clock,
)

from airflow_provider_offcloud.normalize import normalize_item
from airflow_provider_offcloud.triggers import offcloud as trigger_module
from airflow_provider_offcloud.triggers import shared_poller
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger
from airflow_provider_offcloud.waiting import ProgressTracker

CONN_ID = "offcloud_third_review"
STUCK_AFTER = 600.0


def _iso(epoch_seconds: float) -> str:
    return dt.datetime.fromtimestamp(epoch_seconds, dt.timezone.utc).isoformat()


def _item(status: str, created: float, **figures: Any) -> Any:
    return normalize_item({"requestId": "abc", "status": status, "createdOn": _iso(created), **figures})


def test_a_status_change_restarts_the_stuck_clock_even_without_progress_figures():
    submitted = 1_000_000.0
    tracker = ProgressTracker(stuck_after=STUCK_AFTER, waiting_since=submitted)

    assert not tracker.observe(_item("created", submitted), submitted)
    # Offcloud picks the item up near the end of the allowance: it moves to the queue.
    assert not tracker.observe(_item("queued", submitted), submitted + 500)

    # Queued for 200 s only: the item moved 200 s ago, well within stuck_after.
    assert not tracker.observe(_item("queued", submitted), submitted + 700)


def test_progress_seen_for_the_first_time_late_in_a_wait_is_not_taken_for_no_progress():
    submitted = 1_000_000.0
    tracker = ProgressTracker(stuck_after=STUCK_AFTER, waiting_since=submitted)

    # What the shared poller hands a wait for a "created" item: history entries without figures...
    for elapsed in (0.0, 30.0, 90.0, 210.0, 450.0, 750.0):
        stuck = tracker.observe(_item("created", submitted), submitted + elapsed)
    assert stuck  # ...until the allowance passes; the trigger then asks for the item's own status.

    # The status route shows the item at 40%: it has been downloading all along.
    read = _item("created", submitted, amount=400_000, fileSize=1_000_000, progress=0.4)
    assert not tracker.observe(read, submitted + 1050)


def wall_time(loop_now: float) -> float:
    """The epoch seconds a virtual-clock loop's time stands for (the scripted service answers by them)."""
    return CLOCK_START + (loop_now - _LOOP_START)


def test_trigger_does_not_call_a_slowly_downloading_created_item_stuck(monkeypatch):
    started = CLOCK_START
    finishes_at = started + 4 * STUCK_AFTER
    size = 10_000_000

    def history_record(request_id: str, loop_now: float) -> dict[str, Any]:
        # The 2026 history: status and creation time, no figures.
        now = wall_time(loop_now)
        status = "downloaded" if now >= finishes_at else "created"
        return {"requestId": request_id, "status": status, "createdOn": _iso(started)}

    def status_record(request_id: str, loop_now: float) -> dict[str, Any]:
        now = wall_time(loop_now)
        if now >= finishes_at:
            return {"requestId": request_id, "status": "downloaded", "fileSize": size, "amount": size}
        done = int(size * (now - started) / (finishes_at - started))
        # The documented API keeps a cloud item "created" while it downloads; only the figures move.
        return {"requestId": request_id, "status": "created", "fileSize": size, "amount": done}

    client = ScriptedClient(history_record, status_record)
    monkeypatch.setattr(shared_poller, "default_client_factory", lambda conn_id: client)

    async def scenario(loop: Any) -> dict[str, Any]:
        monkeypatch.setattr(trigger_module, "time", VirtualWallClock(loop))
        trigger = OffcloudDownloadTrigger(
            offcloud_conn_id=CONN_ID,
            request_id="abc",
            poll_interval=30,
            max_poll_interval=300,
            stuck_after=STUCK_AFTER,
            deadline=started + 10 * STUCK_AFTER,
            waiting_since=started,
        )
        event = await trigger.run().__anext__()
        return event.payload

    payload = run_on_virtual_clock(scenario)

    assert payload["status"] == "success", payload
