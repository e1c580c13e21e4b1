"""
One poller per event loop and connection, shared by every Offcloud wait running in that loop.

A triggerer may run thousands of waits on one connection. Each wait here is a :class:`Waiter` registered
with the :class:`SharedPoller` of its (event loop, connection id). The poller owns one asynchronous client
(one login, one bounded connection pool) and one loop that wakes when the earliest waiter is due. At each
wake it reads the account's cloud history once, which reports on every pending cloud item at the same
time, and asks an item's own status only when its history entry changed status, looks finished or failed
(for the sizes and Offcloud's error message), or is missing. Remote items, and cloud items when the
service has no history route, are read one by one, a bounded number at a time. So N waits cost about one
request per interval plus one per item that changes.

The registry is keyed by the running event loop (weakly, so a closed loop takes its pollers with it):
waits in different loops, as in the trigger test harness, never share a client bound to another loop.
The last waiter to leave a poller stops its loop and closes its client.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from airflow_provider_offcloud.exceptions import (
    OffcloudAuthError,
    OffcloudError,
    OffcloudRouteMissingError,
    OffcloudTransientError,
)
from airflow_provider_offcloud.status import OffcloudStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from airflow_provider_offcloud.hooks.offcloud_async import OffcloudAsyncHook
    from airflow_provider_offcloud.normalize import OffcloudItem

log = logging.getLogger(__name__)

_IDLE_PAUSE_SECONDS = 1.0

#: Seconds before a poller whose service had no history route tries that route again.
HISTORY_RETRY_SECONDS = 600.0

#: Per-item status requests one poller has in flight at once.
STATUS_CONCURRENCY = 8


@dataclass(frozen=True)
class Observation:
    """
    What one poll learned about an item: the item, or the error that kept the poller from reading it.

    :param item: The normalised item, when it was read.
    :param error: The error, when it was not.
    :param source: ``history`` or ``status``: which request the item came from.
    """

    item: OffcloudItem | None = None
    error: BaseException | None = None
    source: str = "status"


@dataclass(eq=False)
class Waiter:
    """
    One wait registered with a poller; the poller pushes an :class:`Observation` each time it is due.

    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item waited for.
    :param interval: Seconds between two observations; the waiter changes it as the item moves.
    """

    kind: str
    request_id: str
    interval: float
    next_due: float = 0.0
    last_served: float | None = None
    delivered: bool = False
    status_wanted: bool = False
    poller: SharedPoller | None = None
    _unread: deque[Observation] = field(default_factory=deque)
    _reader: asyncio.Future[Observation | None] | None = None

    key: tuple[str, str] = field(init=False)

    def __post_init__(self) -> None:
        # What the waiter waits for; read for every waiter at every round, so built once.
        self.key = (self.kind, self.request_id)

    async def next_observation(self, timeout: float | None = None) -> Observation | None:
        """
        Wait for the poller's next observation of the item; ``None`` when ``timeout`` passes first.

        :param timeout: Seconds to wait at most; ``None`` waits as long as it takes.
        """
        if self.delivered and self.last_served is not None:
            # Due again only once the last observation was taken: a round that ran long must not poll an
            # item twice before its waiter has even looked at the first answer.
            self.delivered = False
            self.next_due = self.last_served + self.interval
            if self.poller is not None:
                self.poller.due_at(self.next_due)
        if self._unread:
            return self._unread.popleft()

        # One future and one timer per observation: with thousands of waits, the queue-and-wait machinery
        # this replaces (a task, a waiter future and callbacks per observation) cost more than the polling.
        loop = asyncio.get_running_loop()
        reader: asyncio.Future[Observation | None] = loop.create_future()
        self._reader = reader
        timer = None if timeout is None else loop.call_later(max(timeout, 0.0), _answer_none, reader)
        try:
            return await reader
        finally:
            self._reader = None
            if timer is not None:
                timer.cancel()

    def deliver(self, observation: Observation) -> None:
        """
        Hand the waiter an observation: at once if it is waiting for one, else for its next request.

        :param observation: What the poller learned.
        """
        if self._reader is not None and not self._reader.done():
            self._reader.set_result(observation)
        else:
            self._unread.append(observation)

    def want_status(self) -> None:
        """Ask that the next observation come from the item's own status, with its progress figures."""
        self.status_wanted = True

    def set_interval(self, seconds: float) -> None:
        """
        Change the pause before the next observation, counted from the last one.

        :param seconds: The new pause.
        """
        self.interval = seconds
        if self.last_served is not None and self.next_due != math.inf:
            self.next_due = self.last_served + seconds
        if self.poller is not None:
            self.poller.due_at(self.next_due)


class SharedPoller:
    """
    Poll Offcloud for every waiter of one connection in one event loop.

    :param conn_id: The Airflow connection.
    :param client: The asynchronous client all waiters share.
    """

    def __init__(self, conn_id: str, client: OffcloudAsyncHook) -> None:
        self.conn_id = conn_id
        self.client = client
        self._waiters: set[Waiter] = set()
        self._waiters_per_item: Counter[str] = Counter()
        self._wake = asyncio.Event()
        # When the loop will look at its waiters next on its own; -inf while a round runs (it looks after).
        self._planned_look = math.inf
        self._task: asyncio.Task[None] | None = None
        self._history_supported = True
        self._status_seen: dict[str, str] = {}
        self._latest: dict[str, OffcloudItem] = {}
        self._history_entries: dict[str, OffcloudItem] = {}
        self._normalized_history: dict[str, tuple[Mapping[str, Any], OffcloudItem]] = {}
        self._history_retry_at = -math.inf
        self._status_slots = asyncio.Semaphore(STATUS_CONCURRENCY)
        self.history_reads = 0
        self.status_reads = 0

    @property
    def waiter_count(self) -> int:
        """How many waits share this poller."""
        return len(self._waiters)

    def add(self, waiter: Waiter) -> None:
        """
        Register a waiter; it is due at once.

        :param waiter: The new waiter.
        """
        loop = asyncio.get_running_loop()
        waiter.poller = self
        waiter.next_due = loop.time()
        if waiter not in self._waiters:
            self._waiters.add(waiter)
            self._waiters_per_item[waiter.request_id] += 1
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._run(), name=f"offcloud-poller-{self.conn_id}")
            self._task.add_done_callback(self._report_crash)
        self.wake()

    def discard(self, waiter: Waiter) -> None:
        """
        Unregister a waiter, forgetting what was remembered about its item when nobody else waits for it.

        :param waiter: The leaving waiter.
        """
        waiter.poller = None
        if waiter not in self._waiters:
            return
        self._waiters.discard(waiter)
        # Counted rather than searched: with thousands of waits, a search per leave adds up to N squared.
        self._waiters_per_item[waiter.request_id] -= 1
        if self._waiters_per_item[waiter.request_id] <= 0:
            del self._waiters_per_item[waiter.request_id]
            self._status_seen.pop(waiter.request_id, None)
            self._latest.pop(waiter.request_id, None)
            self._normalized_history.pop(waiter.request_id, None)

    def wake(self) -> None:
        """Make the poll loop look again at when the next waiter is due."""
        self._wake.set()

    def due_at(self, when: float) -> None:
        """
        Tell the loop a waiter is due at ``when``; it is woken only if it would otherwise look later.

        With thousands of waiters rescheduling themselves after each round, waking the loop for each one
        would make it scan every waiter thousands of times per round.

        :param when: Event-loop time at which the waiter is due.
        """
        if when < self._planned_look:
            self._wake.set()

    async def close(self) -> None:
        """Stop the poll loop and close the shared client."""
        try:
            if self._task is not None and not self._task.done():
                self._task.cancel()
                # ``wait`` returns once the loop has stopped without re-raising its cancellation here.
                await asyncio.wait({self._task})
        finally:
            # Closed even if whoever closes is cancelled meanwhile: a client left open keeps its sockets.
            self._task = None
            await self.client.aclose()

    # -- the poll loop -------------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            now = loop.time()
            earliest = min((waiter.next_due for waiter in self._waiters), default=math.inf)
            if earliest > now:
                timeout = None if earliest == math.inf else earliest - now
                self._planned_look = earliest
                woken = asyncio.ensure_future(self._wake.wait())
                try:
                    await _wait_at_most(woken, timeout)
                finally:
                    woken.cancel()
                    self._planned_look = -math.inf
                continue

            due = self._due_waiters(now)
            if not due:
                # Only a due time that compares with nothing (not a number) gets here: never spin.
                await asyncio.sleep(_IDLE_PAUSE_SECONDS)
                continue
            for waiter in due:
                # Not due again until served: a slow poll must not be started twice for the same waiter.
                waiter.next_due = math.inf
            await self._serve_round(due, round_started=now)

    def _due_waiters(self, now: float) -> list[Waiter]:
        """
        Return the waiters to serve in a round starting now.

        Cloud waiters due within half their interval are served now too, while the history read that
        answers them costs nothing more: waits deferred at different moments then fall into step, and
        share one history read per interval instead of one each.
        """
        grouped = self._history_supported

        def due(waiter: Waiter) -> bool:
            if grouped and waiter.kind == "cloud":
                return waiter.next_due <= now + waiter.interval / 2
            return waiter.next_due <= now

        return [waiter for waiter in self._waiters if due(waiter)]

    async def _serve_round(self, due: list[Waiter], round_started: float) -> None:
        """Read every item the due waiters wait for, handing each answer over as soon as it is known."""
        waiting_for: dict[tuple[str, str], list[Waiter]] = {}
        for waiter in due:
            waiting_for.setdefault(waiter.key, []).append(waiter)

        def hand_over(key: tuple[str, str], observation: Observation) -> None:
            for waiter in waiting_for.get(key, ()):
                if waiter not in self._waiters:
                    continue
                # Counted from the start of the round, so a slow round does not stretch every interval;
                # the waiter is scheduled again when it asks for its next observation.
                waiter.last_served = round_started
                waiter.delivered = True
                if observation.source == "status":
                    waiter.status_wanted = False
                waiter.deliver(observation)

        status_wanted = {waiter.request_id for waiter in due if waiter.status_wanted}
        await self._observe(set(waiting_for), status_wanted, hand_over)

    def _report_crash(self, task: asyncio.Task[None]) -> None:
        """Hand an unexpected crash of the poll loop to every waiter, so none waits for nothing."""
        if task.cancelled() or task.exception() is None:
            return
        error = task.exception()
        log.error("The Offcloud poller of %s stopped: %r", self.conn_id, error)
        for waiter in self._waiters:
            waiter.deliver(Observation(error=error))

    async def _observe(
        self,
        keys: set[tuple[str, str]],
        status_wanted: set[str],
        hand_over: Callable[[tuple[str, str], Observation], None],
    ) -> None:
        """
        Read every item due now: cloud items through one history read, the rest one by one.

        Answers are handed over as they come: what the history tells goes out at once (waits that end
        first, so their tasks resume ahead of thousands of others), and each status read as it completes,
        so one slow read holds back nobody else.
        """
        cloud_ids = sorted(request_id for kind, request_id in keys if kind == "cloud")
        individual: list[tuple[str, str]] = [key for key in keys if key[0] != "cloud"]
        if cloud_ids:
            answered, unanswered = await self._observe_through_history(cloud_ids, status_wanted)
            for request_id, observation in sorted(
                answered.items(), key=lambda pair: not _ends_a_wait(pair[1])
            ):
                hand_over(("cloud", request_id), observation)
            individual.extend(("cloud", request_id) for request_id in unanswered)

        async def read_and_hand_over(key: tuple[str, str]) -> None:
            hand_over(key, await self._read_status(*key))

        await asyncio.gather(*(read_and_hand_over(key) for key in individual))

    async def _observe_through_history(
        self, cloud_ids: list[str], status_wanted: set[str]
    ) -> tuple[dict[str, Observation], list[str]]:
        """
        Read the cloud history once; return what it answers and the ids that need their own status read.

        An unchanged, unfinished entry is answered from history. A changed status, a failed entry, a
        finished one whose entry lacks the sizes, a missing one, or one a waiter asked to see in full needs
        the item's own status (sizes, progress, Offcloud's error message).
        """
        if not self._history_supported:
            if asyncio.get_running_loop().time() < self._history_retry_at:
                return {}, cloud_ids
            self._history_supported = True
        try:
            self.history_reads += 1
            history = await self.client.cloud_history(set(cloud_ids), self._normalized_history)
        except OffcloudRouteMissingError:
            log.info("Offcloud at %s has no cloud history; reading each item's status.", self.conn_id)
            # A service that moved or dropped the route may bring it back: look again now and then.
            self._history_supported = False
            self._history_retry_at = asyncio.get_running_loop().time() + HISTORY_RETRY_SECONDS
            return {}, cloud_ids
        except (OffcloudAuthError, OffcloudTransientError) as fault:
            # Every item would meet the same fault: report it once to each waiter, who waits on or fails.
            return {request_id: Observation(error=fault, source="history") for request_id in cloud_ids}, []
        except OffcloudError as fault:
            # A history answer we cannot use (refused, unreadable): this round, ask each item instead.
            log.warning("Could not read the Offcloud cloud history of %s: %s", self.conn_id, fault)
            return {}, cloud_ids
        except Exception as fault:
            return {request_id: Observation(error=fault, source="history") for request_id in cloud_ids}, []

        # Waits may have left while the read was in flight: remember nothing of items nobody waits for.
        cloud_ids = [request_id for request_id in cloud_ids if self._waiters_per_item.get(request_id)]
        for request_id in [
            known for known in self._normalized_history if not self._waiters_per_item.get(known)
        ]:
            del self._normalized_history[request_id]
        entries = {entry["requestId"]: entry for entry in history}
        self._history_entries = {
            request_id: entries[request_id] for request_id in cloud_ids if request_id in entries
        }
        answered: dict[str, Observation] = {}
        unanswered: list[str] = []
        for request_id in cloud_ids:
            entry = entries.get(request_id)
            if entry is None or request_id in status_wanted or not self._unchanged(request_id, entry):
                unanswered.append(request_id)
                continue
            self._status_seen[request_id] = entry["status"]
            answered[request_id] = Observation(
                item=self._with_known_details(request_id, entry), source="history"
            )
        return answered, unanswered

    def _unchanged(self, request_id: str, entry: OffcloudItem) -> bool:
        """
        Whether a history entry can stand for the item without reading the item's own status.

        A downloaded entry can when it carries the item's size (the older history did): it ends the wait
        with everything a sensor returns. Without it (the 2026 history), the item's own status is read once,
        so that the result holds the sizes. A failed entry cannot, since only the item's status carries
        Offcloud's error message; nor can an entry whose status changed, whose status read brings the
        progress figures.
        """
        status = OffcloudStatus.parse(entry["status"])
        if status.is_success:
            return entry["fileSize"] is not None
        if status.is_failure:
            return False
        seen = self._status_seen.get(request_id)
        return seen is None or seen == entry["status"]

    def _with_known_details(self, request_id: str, entry: OffcloudItem) -> OffcloudItem:
        """Fill what a history entry leaves out from the item's last full status."""
        return _fill_gaps(entry, self._latest.get(request_id))

    async def _read_status(self, kind: str, request_id: str) -> Observation:
        async with self._status_slots:
            self.status_reads += 1
            try:
                item = await self.client.item_status(kind, request_id)
            except Exception as error:
                return Observation(error=error)
        if kind == "cloud" and self._waiters_per_item.get(request_id):
            # Remembered only while someone still waits: a wait may have left during the read.
            # A status answer leaves out what history tells (link, creation time): take it from there.
            item = _fill_gaps(item, self._history_entries.get(request_id))
            self._status_seen[request_id] = item["status"]
            self._latest[request_id] = item
        return Observation(item=item)


async def _wait_at_most(future: asyncio.Future[Any], timeout: float | None) -> None:
    """
    Wait until a future is done or ``timeout`` passes, whichever comes first.

    ``asyncio.wait`` rather than ``asyncio.wait_for``: on Python before 3.12, ``wait_for`` can swallow the
    cancellation of the waiting task when the awaited future completes at the same moment, and a poll
    loop or wait that misses its cancellation runs on forever.
    """
    await asyncio.wait({future}, timeout=timeout)


def _ends_a_wait(observation: Observation) -> bool:
    """Whether an observation is likely to end its wait: an error, or an item that finished."""
    item = observation.item
    return item is None or OffcloudStatus.parse(item["status"]).is_terminal


def _answer_none(reader: asyncio.Future[Observation | None]) -> None:
    """End a wait for an observation with ``None``: its time is up."""
    if not reader.done():
        reader.set_result(None)


_IN_FLIGHT_FIELDS = frozenset({"amount", "progress", "downloadingSpeed"})


def _fill_gaps(item: OffcloudItem, other: OffcloudItem | None) -> OffcloudItem:
    """
    Return the item with its empty fields taken from another answer about the same item.

    A finished item takes no progress figures from an earlier answer: they described it mid-way.
    """
    if other is None:
        return item
    finished = OffcloudStatus.parse(item["status"]).is_terminal
    merged: dict[str, Any] = dict(item)
    for name, value in other.items():
        if merged.get(name) is None and not (finished and name in _IN_FLIGHT_FIELDS):
            merged[name] = value
    return merged  # type: ignore[return-value]


# -- the registry ----------------------------------------------------------------------------------------

_POLLERS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, SharedPoller]] = WeakKeyDictionary()


def default_client_factory(conn_id: str) -> OffcloudAsyncHook:
    """
    Build the asynchronous client a new poller shares.

    :param conn_id: The Airflow connection.
    """
    from airflow_provider_offcloud.hooks.offcloud_async import OffcloudAsyncHook

    return OffcloudAsyncHook(conn_id)


def join(
    conn_id: str,
    kind: str,
    request_id: str,
    interval: float,
    client_factory: Callable[[str], OffcloudAsyncHook] | None = None,
) -> Waiter:
    """
    Register a wait with the poller of this event loop and connection, creating the poller if needed.

    :param conn_id: The Airflow connection.
    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item to wait for.
    :param interval: First pause between observations.
    :param client_factory: Builds the shared client of a new poller (tests pass their own).
    """
    loop = asyncio.get_running_loop()
    pollers = _POLLERS.setdefault(loop, {})
    poller = pollers.get(conn_id)
    if poller is None:
        poller = SharedPoller(conn_id, (client_factory or default_client_factory)(conn_id))
        pollers[conn_id] = poller
    waiter = Waiter(kind=kind, request_id=request_id, interval=interval)
    poller.add(waiter)
    return waiter


async def leave(waiter: Waiter) -> None:
    """
    Unregister a wait; the last one to leave a poller stops it and closes its client. Safe to call twice.

    :param waiter: The waiter returned by :func:`join`.
    """
    poller = waiter.poller
    if poller is None:
        return
    poller.discard(waiter)
    if poller.waiter_count:
        return

    # Forget the poller before awaiting its close, so a wait that starts meanwhile builds a fresh one.
    for pollers in _POLLERS.values():
        if pollers.get(poller.conn_id) is poller:
            del pollers[poller.conn_id]
    await poller.close()


def active_poller(conn_id: str) -> SharedPoller | None:
    """
    Return the poller of this event loop for a connection, if a wait is using one.

    :param conn_id: The Airflow connection.
    """
    return _POLLERS.get(asyncio.get_running_loop(), {}).get(conn_id)


__all__ = ["Observation", "SharedPoller", "Waiter", "active_poller", "join", "leave"]
