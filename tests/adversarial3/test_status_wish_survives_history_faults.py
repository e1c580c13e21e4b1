"""A wait that asked for the item's own status keeps that wish until a status read answers it."""

from __future__ import annotations

from typing import Any

from third_review_support import ScriptedClient, factory_for, run_on_virtual_clock

from airflow_provider_offcloud.exceptions import OffcloudTransientError
from airflow_provider_offcloud.triggers import shared_poller

CONN_ID = "offcloud_third_review_wish"
INTERVAL = 30.0


def _created(request_id: str, now: float) -> dict[str, Any]:
    return {"requestId": request_id, "status": "created"}


def test_a_history_fault_does_not_drop_a_wish_for_the_items_own_status():
    client = ScriptedClient(_created, _created)
    history_faults = iter([False, True])
    plain_history = client.cloud_history

    async def flaky_history(request_ids: Any = None, reuse: Any = None) -> Any:
        if next(history_faults, False):
            raise OffcloudTransientError("The history read timed out; try again later.")
        return await plain_history(request_ids, reuse)

    client.cloud_history = flaky_history  # type: ignore[method-assign]

    async def scenario(loop: Any) -> list[shared_poller.Observation | None]:
        waiter = shared_poller.join(CONN_ID, "cloud", "abc", INTERVAL, client_factory=factory_for(client))
        seen = [await waiter.next_observation(timeout=10 * INTERVAL)]
        # What the trigger does when history alone makes the item look stuck.
        waiter.want_status()
        waiter.set_interval(INTERVAL)
        seen.append(await waiter.next_observation(timeout=10 * INTERVAL))
        waiter.set_interval(INTERVAL)
        seen.append(await waiter.next_observation(timeout=10 * INTERVAL))
        await shared_poller.leave(waiter)
        return seen

    first, fault, after = run_on_virtual_clock(scenario)

    assert first is not None
    assert first.source == "history"
    assert fault is not None
    assert isinstance(fault.error, OffcloudTransientError)
    assert after is not None
    assert after.item is not None
    assert after.source == "status", "the wish for the item's own status was dropped by a history fault"
