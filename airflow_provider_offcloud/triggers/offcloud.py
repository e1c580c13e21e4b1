"""The trigger that waits in the triggerer for an Offcloud cloud or remote item to finish."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_offcloud.exceptions import (
    OffcloudBadInputError,
    OffcloudError,
    OffcloudPermanentError,
    OffcloudRouteMissingError,
)
from airflow_provider_offcloud.status import OffcloudStatus
from airflow_provider_offcloud.triggers import events, shared_poller
from airflow_provider_offcloud.waiting import (
    DEFAULT_MAX_POLL_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    ProgressTracker,
    backoff_interval,
    check_kind,
    describe_progress,
    next_poll_interval,
    optional_seconds,
    positive_seconds,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from airflow_provider_offcloud.normalize import OffcloudItem


class OffcloudDownloadTrigger(BaseTrigger):
    """
    Wait, without holding a worker, until an Offcloud item is downloaded, fails, gets stuck or runs late.

    The trigger only reads: the link was submitted on the worker before deferring, so a triggerer restart,
    which runs :meth:`run` again from the start, repeats nothing. Its kwargs hold no secret (the connection
    is resolved inside :meth:`run`) and everything needed to carry on after a restart: the deadline and
    the start of the wait are absolute epoch seconds.

    All waits of one connection in one triggerer event loop share one client and one poll loop (see
    :mod:`airflow_provider_offcloud.triggers.shared_poller`): one login, a bounded connection pool, and
    for cloud items one history read per interval for all of them. The pause between looks at an item
    doubles while it is created or queued (up to ``max_poll_interval``) and halves while it downloads
    (down to ``poll_interval``). Transient faults (time-outs, HTTP 429, 5xx) are retried by the client and
    then waited out here with a growing pause; they never end the wait before the deadline.

    It yields exactly one event, a small JSON object:

    * ``{"status": "success", "kind", "request_id", "item": <normalised item>}``
    * ``{"status": "error", "reason", "message", "kind", "request_id", ...}``: ``reason`` is
      ``download_failed`` (with ``item_status``, ``service_message`` and ``item``), ``not_available``
      (with ``not_available``), ``auth``, ``rejected``, ``api``, ``connection`` or ``unexpected``
    * ``{"status": "timeout", "kind", "request_id", "message", "item": <last item or null>}``
    * ``{"status": "stuck", "kind", "request_id", "message", "item": <last item>}``

    Airflow 3.3 offers shared streams for asset-watcher triggers only; this trigger serves deferred tasks
    on every Airflow 3 release, so it shares its polling through its own per-loop registry instead.

    :param offcloud_conn_id: The Airflow connection.
    :param request_id: The Offcloud ``requestId`` of the item.
    :param kind: ``cloud`` or ``remote``.
    :param deadline: Epoch seconds after which the wait ends with a ``timeout`` event; ``None`` never.
    :param poll_interval: First and shortest pause between looks at the item, in seconds.
    :param max_poll_interval: Longest pause between looks at the item, in seconds.
    :param stuck_after: Seconds an item may stay ``created``/``queued`` without progress before the wait
        ends with a ``stuck`` event; ``None`` never.
    :param waiting_since: Epoch seconds at which the wait began (the stuck clock starts there); defaults
        to now, and is kept in the kwargs so that a restarted trigger keeps the same clock.
    """

    def __init__(
        self,
        *,
        offcloud_conn_id: str,
        request_id: str,
        kind: str = "cloud",
        deadline: float | None = None,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL,
        stuck_after: float | None = None,
        waiting_since: float | None = None,
    ) -> None:
        super().__init__()
        self.offcloud_conn_id = offcloud_conn_id
        self.request_id = request_id
        self.kind = check_kind(kind)
        self.deadline = None if deadline is None else _epoch_seconds(deadline, "deadline")
        self.poll_interval = positive_seconds(poll_interval, "poll_interval")
        self.max_poll_interval = max(
            positive_seconds(max_poll_interval, "max_poll_interval"), self.poll_interval
        )
        self.stuck_after = optional_seconds(stuck_after, "stuck_after")
        started = time.time() if waiting_since is None else waiting_since
        self.waiting_since = _epoch_seconds(started, "waiting_since")
        self._waiter: shared_poller.Waiter | None = None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the classpath and the kwargs that rebuild this trigger; never a secret."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "offcloud_conn_id": self.offcloud_conn_id,
                "request_id": self.request_id,
                "kind": self.kind,
                "deadline": self.deadline,
                "poll_interval": self.poll_interval,
                "max_poll_interval": self.max_poll_interval,
                "stuck_after": self.stuck_after,
                "waiting_since": self.waiting_since,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Wait for the item through the shared poller and yield the one event that ends the wait."""
        try:
            self._waiter = shared_poller.join(
                self.offcloud_conn_id, self.kind, self.request_id, self.poll_interval
            )
            event = await self._wait(self._waiter)
        finally:
            await self._leave()
        yield TriggerEvent(event)

    async def cleanup(self) -> None:
        """Leave the shared poller if :meth:`run` did not get to; the last waiter closes the client."""
        await self._leave()

    async def _leave(self) -> None:
        if self._waiter is not None:
            waiter, self._waiter = self._waiter, None
            try:
                await shared_poller.leave(waiter)
            except Exception:
                # Closing the shared client failed: the wait's outcome is known and must still be told.
                self.log.warning("Could not close the Offcloud client of %s cleanly.", self.offcloud_conn_id)

    async def _wait(self, waiter: shared_poller.Waiter) -> dict[str, Any]:
        tracker = ProgressTracker(stuck_after=self.stuck_after, waiting_since=self.waiting_since)
        interval = self.poll_interval
        last_item: OffcloudItem | None = None
        last_fault: BaseException | None = None
        progress_log = _ProgressLog()

        while True:
            remaining = None if self.deadline is None else self.deadline - time.time()
            if remaining is not None and remaining <= 0:
                return self._timeout_event(last_item, last_fault)
            observation = await waiter.next_observation(remaining)
            if observation is None:
                return self._timeout_event(last_item, last_fault)

            if observation.error is not None:
                if _ends_the_wait(observation.error):
                    return events.error_event(self.kind, self.request_id, observation.error)
                last_fault = observation.error
                self.log.warning(
                    "Could not read Offcloud %s item %s (%s); still waiting.",
                    self.kind,
                    self.request_id,
                    observation.error,
                )
                interval = backoff_interval(interval, self.poll_interval, self.max_poll_interval)
                waiter.set_interval(interval)
                continue

            item = observation.item
            if item is None:  # pragma: no cover - an observation holds an item or an error
                continue
            last_item, last_fault = item, None
            if progress_log.worth_logging(describe_progress(item), time.monotonic()):
                self.log.info("Offcloud %s item %s: %s", self.kind, self.request_id, progress_log.last_line)

            status = OffcloudStatus.parse(item["status"])
            if status.is_success:
                return events.success_event(self.kind, self.request_id, item)
            if status.is_failure:
                return events.failed_item_event(self.kind, self.request_id, item)
            now = time.time()
            if tracker.observe(item, now):
                if observation.source != "status":
                    # History carries no progress figures: see the item's own status before calling it
                    # stuck, so an item that moves while still "created" is not given up on.
                    waiter.want_status()
                else:
                    return events.stuck_event(
                        self.kind, self.request_id, item, tracker.stuck_message(self.kind, item, now)
                    )

            interval = next_poll_interval(status, interval, self.poll_interval, self.max_poll_interval)
            waiter.set_interval(interval)

    def _timeout_event(self, item: OffcloudItem | None, fault: BaseException | None) -> dict[str, Any]:
        event = events.timeout_event(self.kind, self.request_id, item, time.time() - self.waiting_since)
        if fault is not None:
            event["message"] += f" The last read failed: {fault}"
        return event


def _epoch_seconds(value: Any, name: str) -> float:
    """Read a point in time given as epoch seconds; refuse what is not a finite number."""
    seconds = float(value)
    if not math.isfinite(seconds):
        raise OffcloudBadInputError(f"{name}={value!r} is not a time: give epoch seconds.")
    return seconds


def _ends_the_wait(error: BaseException) -> bool:
    """
    Whether an error ends the wait at once rather than being waited out.

    Refusals that cannot change (credentials, plan, unknown item), a route the service does not have, and
    anything that is not an Offcloud fault at all (a missing connection) end it; other Offcloud faults are
    transient or garbled answers, worth another look after a pause.
    """
    if isinstance(error, OffcloudPermanentError | OffcloudRouteMissingError):
        return True
    return not isinstance(error, OffcloudError)


class _ProgressLog:
    """
    Decide which progress lines a wait writes: every change, and an unchanged line every few minutes.

    A triggerer may hold thousands of waits; a line from each at every poll would cost more than the polls.
    """

    REPEAT_AFTER_SECONDS = 60.0

    def __init__(self) -> None:
        self.last_line: str | None = None
        self._logged_at = -math.inf

    def worth_logging(self, line: str, now: float) -> bool:
        """
        Whether to log ``line`` now; remembers it when so.

        :param line: The progress line.
        :param now: A monotonic clock reading.
        """
        if line == self.last_line and now - self._logged_at < self.REPEAT_AFTER_SECONDS:
            return False
        self.last_line, self._logged_at = line, now
        return True
