"""The shared poller under waits that join, leave and stall at different moments, on a virtual clock."""

from __future__ import annotations

import asyncio

from second_review_support import FakeOffcloudClient, factory_for, run_on_virtual_clock

from airflow_provider_offcloud.triggers import shared_poller

CONN_ID = "offcloud_second_review"
INTERVAL = 30.0


def _join(client: FakeOffcloudClient, request_id: str, kind: str = "cloud") -> shared_poller.Waiter:
    return shared_poller.join(CONN_ID, kind, request_id, INTERVAL, client_factory=factory_for(client))


async def _take(waiter: shared_poller.Waiter, count: int) -> list[shared_poller.Observation | None]:
    return [await waiter.next_observation(timeout=10 * INTERVAL) for _ in range(count)]


def test_waits_that_joined_at_different_moments_still_share_one_history_read_per_interval():
    client = FakeOffcloudClient({"first": "queued", "second": "queued"})
    rounds = 4

    async def scenario() -> None:
        first = _join(client, "first")
        await first.next_observation()
        # The second task defers half an interval later, as tasks of a busy DAG run do.
        await asyncio.sleep(INTERVAL / 2)
        second = _join(client, "second")
        await second.next_observation()

        await asyncio.gather(_take(first, rounds), _take(second, rounds))
        await shared_poller.leave(first)
        await shared_poller.leave(second)

    run_on_virtual_clock(scenario())

    # One read per interval, plus the one the late joiner needs at once.
    assert len(client.history_reads) <= rounds + 2, client.history_reads


def test_a_slow_status_read_of_one_item_does_not_hold_back_another_items_result():
    # "failing" needs its own status read (for Offcloud's message); "done" is answered by history alone.
    client = FakeOffcloudClient({"failing": "error", "done": "downloaded"})
    client.status_gates["failing"] = asyncio.Event()

    async def scenario() -> shared_poller.Observation | None:
        slow, quick = _join(client, "failing"), _join(client, "done")
        seen = await quick.next_observation(timeout=5 * INTERVAL)
        client.status_gates["failing"].set()
        await shared_poller.leave(quick)
        await shared_poller.leave(slow)
        return seen

    observation = run_on_virtual_clock(scenario())

    assert observation is not None, "the downloaded item was not reported while another item's read hung"
    assert observation.item is not None
    assert observation.item["status"] == "downloaded"


def test_an_item_whose_last_wait_left_during_its_status_read_is_forgotten():
    client = FakeOffcloudClient({"leaving": "error", "staying": "queued"})
    client.status_gates["leaving"] = asyncio.Event()

    async def scenario() -> shared_poller.SharedPoller:
        staying = _join(client, "staying")
        leaving = _join(client, "leaving")
        poller = shared_poller.active_poller(CONN_ID)
        assert poller is not None
        # Let the round start and reach the status read of the failed item.
        while "leaving" not in client.status_reads:
            await asyncio.sleep(0)
        await shared_poller.leave(leaving)
        client.status_gates["leaving"].set()
        await staying.next_observation(timeout=INTERVAL)
        await asyncio.sleep(0)

        remembered = (set(poller._status_seen), set(poller._latest))
        await shared_poller.leave(staying)
        return remembered  # type: ignore[return-value]

    status_seen, latest = run_on_virtual_clock(scenario())

    assert "leaving" not in status_seen
    assert "leaving" not in latest


# -- what held up ----------------------------------------------------------------------------------------


def test_every_wait_cancelled_in_the_middle_of_a_round_closes_the_client_and_the_registry_entry():
    client = FakeOffcloudClient({"item": "error"})
    client.status_gates["item"] = asyncio.Event()  # never opened: the round hangs in the status read

    async def scenario() -> tuple[bool, shared_poller.SharedPoller | None]:
        async def wait_once() -> None:
            waiter = _join(client, "item")
            try:
                await waiter.next_observation()
            finally:
                await shared_poller.leave(waiter)

        waits = [asyncio.ensure_future(wait_once()) for _ in range(5)]
        while "item" not in client.status_reads:
            await asyncio.sleep(0)
        for wait in waits:
            wait.cancel()
        await asyncio.wait(waits)
        return client.closed, shared_poller.active_poller(CONN_ID)

    closed, left_behind = run_on_virtual_clock(scenario())

    assert closed
    assert left_behind is None


def test_a_wait_that_never_asks_again_does_not_stall_the_others_nor_get_polled():
    client = FakeOffcloudClient({"ignored": "queued", "followed": "queued"})

    async def scenario() -> list[shared_poller.Observation | None]:
        ignored, followed = _join(client, "ignored"), _join(client, "followed")
        await ignored.next_observation()
        observations = await _take(followed, 5)
        await shared_poller.leave(followed)
        await shared_poller.leave(ignored)
        return observations

    observations = run_on_virtual_clock(scenario())

    assert all(seen is not None and seen.item is not None for seen in observations)
    assert all(wanted == ["followed"] for _, wanted in client.history_reads[1:])


def test_many_waits_for_one_item_share_each_read_and_all_see_the_failure_message():
    client = FakeOffcloudClient({"item": "error"})

    async def scenario() -> list[shared_poller.Observation | None]:
        waiters = [_join(client, "item") for _ in range(50)]
        observations = [await waiter.next_observation(timeout=INTERVAL) for waiter in waiters]
        for waiter in waiters:
            await shared_poller.leave(waiter)
        return observations

    observations = run_on_virtual_clock(scenario())

    assert len(client.history_reads) == 1
    assert client.status_reads == ["item"]
    assert all(seen is not None and seen.item is not None for seen in observations)
    assert {seen.item["status"] for seen in observations if seen and seen.item} == {"error"}


def test_a_wait_joining_while_the_last_one_closes_the_poller_gets_a_working_one():
    clients = [FakeOffcloudClient({"item": "queued"}), FakeOffcloudClient({"item": "downloaded"})]

    async def scenario() -> shared_poller.Observation | None:
        first = shared_poller.join(CONN_ID, "cloud", "item", INTERVAL, client_factory=factory_for(clients[0]))
        await first.next_observation()
        closing = asyncio.ensure_future(shared_poller.leave(first))
        await asyncio.sleep(0)
        second = shared_poller.join(
            CONN_ID, "cloud", "item", INTERVAL, client_factory=factory_for(clients[1])
        )
        seen = await second.next_observation(timeout=INTERVAL)
        await closing
        await shared_poller.leave(second)
        return seen

    observation = run_on_virtual_clock(scenario())

    assert clients[0].closed
    assert clients[1].closed
    assert observation is not None
    assert observation.item is not None
    assert observation.item["status"] == "downloaded"
