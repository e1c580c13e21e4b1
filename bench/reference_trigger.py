"""The usual provider design, as the baseline: each trigger polls its own item with a fresh HTTP client."""

from __future__ import annotations

import asyncio
import ssl
from typing import TYPE_CHECKING, Any

import httpx
from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_offcloud.hooks.offcloud_async import _fetch_connection, _fetch_extras
from airflow_provider_offcloud.settings import OffcloudSettings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

_FINISHED = frozenset({"downloaded", "error", "canceled"})

# One TLS context for the process, as aiohttp (the client of Airflow's http provider) keeps one: building
# a default context for each new httpx client costs about 20 ms of CPU and 0.7 MB, which would measure
# httpx's set-up instead of the polling design (10,000 such clients block the event loop for minutes).
_SHARED_TLS_CONTEXT = ssl.create_default_context()


class PerItemPollingTrigger(BaseTrigger):
    """
    Wait for one Offcloud cloud item the way most Airflow provider triggers wait for a job.

    Every ``poll_interval`` seconds it opens a new ``httpx.AsyncClient``, asks for the item's status with
    the connection's API key (so no login is needed), closes the client and logs the status. Nothing is
    shared between triggers but the TLS context: N waits make N requests and N new connections per
    interval.

    :param offcloud_conn_id: The Airflow connection (with the extra ``api_key``).
    :param request_id: The item waited for.
    :param poll_interval: Seconds between two status requests.
    """

    def __init__(self, *, offcloud_conn_id: str, request_id: str, poll_interval: float) -> None:
        super().__init__()
        self.offcloud_conn_id = offcloud_conn_id
        self.request_id = request_id
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the classpath and kwargs that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "offcloud_conn_id": self.offcloud_conn_id,
                "request_id": self.request_id,
                "poll_interval": self.poll_interval,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the item reaches a final status, then yield it."""
        connection = await _fetch_connection(self.offcloud_conn_id)
        settings = OffcloudSettings.from_connection(connection, await _fetch_extras(connection))
        headers = {"Authorization": f"Bearer {settings.api_key}"}

        while True:
            async with httpx.AsyncClient(
                base_url=settings.base_url, headers=headers, timeout=60.0, verify=_SHARED_TLS_CONTEXT
            ) as client:
                reply = await client.post("/api/cloud/status", json={"requestId": self.request_id})
            status = str(reply.json()["status"]["status"])
            self.log.info("Offcloud item %s: %s", self.request_id, status)
            if status in _FINISHED:
                yield TriggerEvent({"status": status, "request_id": self.request_id})
                return
            await asyncio.sleep(self.poll_interval)
