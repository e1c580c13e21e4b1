"""Many waits on one connection share one client: one login and about one history read per interval."""

from __future__ import annotations

import asyncio
import time

from airflow_provider_offcloud.emulator import DEMO_MULTI_FILE_TORRENT, DEMO_SINGLE_FILE_TORRENT
from airflow_provider_offcloud.triggers import shared_poller

WAITS = 40
POLL_INTERVAL = 0.05
WAIT_SECONDS = 0.6


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


async def test_only_finished_items_get_their_own_status_read(emulator, submit, api_key_conn, make_trigger):
    finished = [
        submit(torrent.magnet)["requestId"] for torrent in (DEMO_SINGLE_FILE_TORRENT, DEMO_MULTI_FILE_TORRENT)
    ]
    pending = [submit(zombie_magnet(number))["requestId"] for number in range(5)]
    emulator.request_log.clear()
    deadline = time.time() + 0.3
    triggers = [
        make_trigger(api_key_conn, request_id, deadline=deadline) for request_id in finished + pending
    ]

    events = await asyncio.gather(*(trigger.run().__anext__() for trigger in triggers))

    outcomes = [event.payload["status"] for event in events]
    assert outcomes == ["success"] * 2 + ["timeout"] * 5
    assert len(emulator.request_log.entries("cloud_status")) == len(finished)


async def test_two_waits_for_the_same_item_share_its_reads(emulator, submit, api_key_conn, make_trigger):
    request_id = submit(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]
    emulator.request_log.clear()

    events = await asyncio.gather(
        *(make_trigger(api_key_conn, request_id).run().__anext__() for _ in range(2))
    )

    assert [event.payload["status"] for event in events] == ["success", "success"]
    assert len(emulator.request_log.entries("cloud_status")) == 1


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
