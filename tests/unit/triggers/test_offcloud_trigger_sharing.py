"""Many waits on one connection share one client: one login and about one history read per interval."""

from __future__ import annotations

import asyncio
import time

from airflow_provider_offcloud.emulator import DEMO_MULTI_FILE_TORRENT, DEMO_SINGLE_FILE_TORRENT
from airflow_provider_offcloud.triggers import shared_poller

WAITS = 40
POLL_INTERVAL = 0.05
WAIT_SECONDS = 0.6


# A loopback port nothing listens on: the emulator's fetch fails at once, without leaving the machine.
UNREACHABLE_LINK = "http://127.0.0.1:9/missing.bin"


async def _until_failed(emulator, request_id: str) -> None:
    for _ in range(200):
        if emulator.item(request_id).status.value == "error":
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"item {request_id} did not fail")


def zombie_magnet(number: int) -> str:
    """A magnet the emulator holds no torrent for: its item stays ``created`` forever."""
    return f"magnet:?xt=urn:btih:{number + 1:040x}&dn=zombie-{number}"


async def test_many_waits_cost_one_login_and_one_history_read_per_round(
    emulator, submit, password_conn, make_trigger
):
    request_ids = [submit(zombie_magnet(number))["requestId"] for number in range(WAITS)]
    emulator.request_log.clear()
    deadline = time.time() + WAIT_SECONDS
    triggers = [
        make_trigger(
            password_conn,
            request_id,
            deadline=deadline,
            poll_interval=POLL_INTERVAL,
            max_poll_interval=POLL_INTERVAL,
        )
        for request_id in request_ids
    ]

    events = await asyncio.gather(*(trigger.run().__anext__() for trigger in triggers))

    assert {event.payload["status"] for event in events} == {"timeout"}
    assert len(emulator.request_log.entries("login")) == 1
    # Unchanged, unfinished items are answered from history: no per-item status at all.
    assert emulator.request_log.entries("cloud_status") == []
    history_reads = len(emulator.request_log.entries("cloud_history"))
    rounds_at_most = WAIT_SECONDS / POLL_INTERVAL + 2
    assert 1 <= history_reads <= rounds_at_most, f"{history_reads} history reads for {WAITS} waits"
    assert shared_poller.active_poller(password_conn) is None


async def test_only_failed_items_get_their_own_status_read(emulator, submit, api_key_conn, make_trigger):
    finished = [
        submit(torrent.magnet)["requestId"] for torrent in (DEMO_SINGLE_FILE_TORRENT, DEMO_MULTI_FILE_TORRENT)
    ]
    failed = [submit(UNREACHABLE_LINK)["requestId"]]
    pending = [submit(zombie_magnet(number))["requestId"] for number in range(5)]
    await _until_failed(emulator, failed[0])
    emulator.request_log.clear()
    deadline = time.time() + 0.3
    triggers = [
        make_trigger(api_key_conn, request_id, deadline=deadline)
        for request_id in finished + failed + pending
    ]

    events = await asyncio.gather(*(trigger.run().__anext__() for trigger in triggers))

    outcomes = [event.payload["status"] for event in events]
    assert outcomes == ["success"] * 2 + ["error"] + ["timeout"] * 5
    # Downloaded items end on their history entry; only the failed one needs its status (for the message).
    assert len(emulator.request_log.entries("cloud_status")) == len(failed)
    assert "Error during downloading" in events[2].payload["message"]


async def test_two_waits_for_the_same_item_share_its_reads(emulator, submit, api_key_conn, make_trigger):
    request_id = submit(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]
    emulator.request_log.clear()

    events = await asyncio.gather(
        *(make_trigger(api_key_conn, request_id).run().__anext__() for _ in range(2))
    )

    assert [event.payload["status"] for event in events] == ["success", "success"]
    assert len(emulator.request_log.entries("cloud_history")) == 1, "one read answers both waits"


def test_each_event_loop_gets_its_own_poller(emulator, submit, api_key_conn, make_trigger):
    request_id = submit(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]
    seen: list[object] = []

    async def wait_once() -> str:
        trigger = make_trigger(api_key_conn, request_id)
        run = trigger.run()
        step = asyncio.ensure_future(run.__anext__())
        while (poller := shared_poller.active_poller(api_key_conn)) is None:
            await asyncio.sleep(0.001)
        seen.append(poller)
        return (await step).payload["status"]

    assert asyncio.run(wait_once()) == "success"
    assert asyncio.run(wait_once()) == "success"
    assert seen[0] is not seen[1]
