"""Helpers of the third adversarial review: a virtual-clock event loop and a scriptable fake client."""

from __future__ import annotations

import asyncio
import selectors
from typing import TYPE_CHECKING, Any, cast

from airflow_provider_offcloud.normalize import normalize_item, normalize_items

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Mapping

    from airflow_provider_offcloud.hooks.offcloud_async import OffcloudAsyncHook
    from airflow_provider_offcloud.normalize import OffcloudItem

#: Epoch seconds that a :class:`VirtualWallClock` reports when its loop starts.
CLOCK_START = 1_700_000_000.0

#: Where the loop's own clock starts: small, so that a float step of a few microseconds still moves it.
_LOOP_START = 10_000.0


class LoopWouldHangError(RuntimeError):
    """Raised when a virtual-clock loop has nothing ready and no timer: a real loop would block forever."""


class _FastForwardSelector:
    """A selector that, instead of sleeping until the next timer, moves the loop's clock to it."""

    def __init__(self) -> None:
        self._real = selectors.DefaultSelector()
        self.loop: VirtualClockLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = self._real.select(0)
        if ready or self.loop is None:
            return ready
        if timeout is None:
            raise LoopWouldHangError("every task is waiting and no timer is set: the wait would hang")
        self.loop.now += timeout
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop on virtual time: sleeps and time-outs pass at once, in order, with no real waiting."""

    def __init__(self) -> None:
        selector = _FastForwardSelector()
        super().__init__(selector=selector)  # type: ignore[arg-type]
        selector.loop = self
        self.now = _LOOP_START

    def time(self) -> float:
        """Virtual seconds."""
        return self.now


class VirtualWallClock:
    """
    Stands in for the ``time`` module of the code under test: wall and monotonic time follow the loop.

    :param loop: The virtual-clock loop whose time is reported.
    """

    def __init__(self, loop: VirtualClockLoop) -> None:
        self._loop = loop

    def time(self) -> float:
        """Epoch seconds: :data:`CLOCK_START` plus the virtual seconds gone by."""
        return CLOCK_START + self._loop.now - _LOOP_START

    def monotonic(self) -> float:
        """Monotonic seconds: the loop's virtual time."""
        return self._loop.now


def run_on_virtual_clock(
    make_coroutine: Callable[[VirtualClockLoop], Coroutine[Any, Any, Any]],
) -> Any:
    """
    Run a test body to its end on a fresh :class:`VirtualClockLoop`.

    :param make_coroutine: Builds the test body from the loop.
    """
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(make_coroutine(loop))
    finally:
        loop.close()


class ScriptedClient:
    """
    Stands in for ``OffcloudAsyncHook``: history and status answers come from functions of virtual time.

    :param history_record: Builds the raw history record of an item (``None``: not in history).
    :param status_record: Builds the raw status record of an item.
    """

    def __init__(
        self,
        history_record: Callable[[str, float], Mapping[str, Any] | None],
        status_record: Callable[[str, float], Mapping[str, Any]],
    ) -> None:
        self.history_record = history_record
        self.status_record = status_record
        self.history_reads: list[float] = []
        self.status_reads: list[tuple[float, str]] = []
        self.history_gate: asyncio.Event | None = None
        self.closed = False

    async def cloud_history(
        self, request_ids: Any = None, reuse: dict[str, Any] | None = None
    ) -> list[OffcloudItem]:
        """Answer like the real client: raw records normalised through the same function and cache."""
        now = asyncio.get_running_loop().time()
        self.history_reads.append(now)
        wanted = set(request_ids or ())
        if self.history_gate is not None:
            await self.history_gate.wait()
        records = [self.history_record(request_id, now) for request_id in sorted(wanted)]
        return normalize_items([record for record in records if record], wanted, reuse)

    async def item_status(self, kind: str, request_id: str) -> OffcloudItem:
        """Answer an item's own status at the current virtual time."""
        now = asyncio.get_running_loop().time()
        self.status_reads.append((now, request_id))
        return normalize_item({"status": dict(self.status_record(request_id, now))})

    async def aclose(self) -> None:
        """Remember that the poller closed the client."""
        self.closed = True


def factory_for(client: ScriptedClient) -> Callable[[str], OffcloudAsyncHook]:
    """
    Return a client factory that hands out the scripted client.

    :param client: The client every new poller gets.
    """
    return lambda conn_id: cast("OffcloudAsyncHook", client)
