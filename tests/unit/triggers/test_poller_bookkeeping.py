"""The shared poller's bookkeeping: who waits for what, when a waiter is due, and which lines are logged."""

from __future__ import annotations

import asyncio
import math

from airflow_provider_offcloud.triggers.offcloud import _ProgressLog
from airflow_provider_offcloud.triggers.shared_poller import SharedPoller, Waiter


class _NoClient:
    async def aclose(self) -> None:
        pass


async def test_what_is_known_of_an_item_is_forgotten_only_when_its_last_waiter_leaves():
    poller = SharedPoller("offcloud_bookkeeping", _NoClient())  # type: ignore[arg-type]
    first, second = Waiter("cloud", "abc", 1.0), Waiter("cloud", "abc", 1.0)
    poller.add(first)
    poller.add(second)
    poller._status_seen["abc"] = "downloading"

    poller.discard(first)
    poller.discard(first)  # leaving twice changes nothing

    assert poller._status_seen == {"abc": "downloading"}
    poller.discard(second)
    assert poller._status_seen == {}
    assert poller.waiter_count == 0
    await poller.close()


async def test_a_served_waiter_is_due_again_only_once_it_asks_for_the_next_observation():
    waiter = Waiter("cloud", "abc", interval=5.0)
    waiter.next_due = math.inf  # what the poller sets when a round starts
    waiter.last_served, waiter.delivered = 100.0, True
    waiter.deliver(object())  # type: ignore[arg-type]

    await asyncio.wait_for(waiter.next_observation(), timeout=1)
    due_after_first_ask = waiter.next_due
    await waiter.next_observation(timeout=0)

    assert due_after_first_ask == 105.0, "due one interval after the round that served it"
    assert waiter.next_due == 105.0, "asking again before the next round changes nothing"


def test_progress_lines_are_written_on_change_and_repeated_only_after_a_while():
    progress = _ProgressLog()

    decisions = [
        progress.worth_logging("downloading, 10%", 0.0),
        progress.worth_logging("downloading, 10%", 30.0),
        progress.worth_logging("downloading, 20%", 60.0),
        progress.worth_logging("downloading, 20%", 60.0 + _ProgressLog.REPEAT_AFTER_SECONDS),
    ]

    assert decisions == [True, False, True, True]
