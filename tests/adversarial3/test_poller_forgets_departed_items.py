"""What a long-lived shared poller keeps about items nobody waits for any more."""

from __future__ import annotations

import asyncio
from typing import Any

from third_review_support import ScriptedClient, factory_for, run_on_virtual_clock

from airflow_provider_offcloud.triggers import shared_poller

CONN_ID = "offcloud_third_review_forget"
INTERVAL = 30.0


def _queued(request_id: str, now: float) -> dict[str, Any]:
    return {"requestId": request_id, "status": "queued"}


def _join(client: ScriptedClient, request_id: str) -> shared_poller.Waiter:
    return shared_poller.join(CONN_ID, "cloud", request_id, INTERVAL, client_factory=factory_for(client))


def test_an_item_whose_last_wait_left_during_the_history_read_is_forgotten():
    client = ScriptedClient(_queued, _queued)
    gate = client.history_gate = asyncio.Event()

    async def scenario(loop: Any) -> tuple[set[str], set[str]]:
        staying = _join(client, "staying")
        leaving = _join(client, "leaving")
        poller = shared_poller.active_poller(CONN_ID)
        assert poller is not None

        # Let the round reach the history read, then end one wait: its deadline passed or it was cancelled.
        while not client.history_reads:
            await asyncio.sleep(0)
        await shared_poller.leave(leaving)
        gate.set()
        seen = await staying.next_observation(timeout=INTERVAL)
        assert seen is not None
        assert seen.item is not None

        remembered = set(poller._status_seen), set(poller._normalized_history)
        await shared_poller.leave(staying)
        return remembered

    status_seen, normalized = run_on_virtual_clock(scenario)

    assert "staying" in status_seen  # what the poller does remember for a wait still running
    assert "leaving" not in status_seen
    assert "leaving" not in normalized
