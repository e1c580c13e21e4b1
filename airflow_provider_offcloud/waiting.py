"""How a wait for an Offcloud item decides: progress lines, stuck items, poll intervals, the sync loop."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from airflow_provider_offcloud.exceptions import (
    OffcloudBadInputError,
    OffcloudDownloadFailedError,
    OffcloudError,
    OffcloudPermanentError,
    OffcloudRouteMissingError,
    OffcloudStuckError,
)
from airflow_provider_offcloud.status import OffcloudStatus

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Mapping

    from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
    from airflow_provider_offcloud.normalize import OffcloudItem

ItemKind = Literal["cloud", "remote"]
ITEM_KINDS: tuple[str, ...] = ("cloud", "remote")

#: Statuses in which an item waits for Offcloud to pick it up; only there can it be "stuck".
WAITING_STATUSES = frozenset({OffcloudStatus.CREATED, OffcloudStatus.QUEUED})

DEFAULT_POLL_INTERVAL = 30.0

#: Longest pause or limit accepted, ten years: beyond it a wait cannot be scheduled (timedelta, sleep).
MAX_SECONDS = 10 * 365 * 24 * 3600.0
DEFAULT_MAX_POLL_INTERVAL = 300.0


def positive_seconds(value: Any, name: str) -> float:
    """
    Read a pause that must be a positive, finite number of seconds (a number or a timedelta).

    Zero, negative and non-finite pauses would make a wait spin without pause or never wake up.

    :param value: The duration given.
    :param name: The parameter's name, for the message.
    :raises OffcloudBadInputError: naming the parameter and the value.
    """
    seconds = _seconds(value)
    if not 0 < seconds <= MAX_SECONDS:
        raise OffcloudBadInputError(
            f"{name}={value!r} is not a pause: give a positive number of seconds, at most {MAX_SECONDS:.0f}."
        )
    return seconds


def optional_seconds(value: Any, name: str) -> float | None:
    """
    Read an optional limit in seconds: ``None`` means "no limit", zero means "at once".

    :param value: The duration given, or ``None``.
    :param name: The parameter's name, for the message.
    :raises OffcloudBadInputError: for a negative, infinite or unreadable value.
    """
    if value is None:
        return None
    seconds = _seconds(value)
    if not 0 <= seconds <= MAX_SECONDS:
        raise OffcloudBadInputError(
            f"{name}={value!r} is not a duration: give seconds (0 to {MAX_SECONDS:.0f}) or None (no limit)."
        )
    return seconds


def _seconds(value: Any) -> float:
    """A number of seconds or a timedelta as float seconds; ``nan`` for anything unreadable or infinite."""
    try:
        seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    except (TypeError, ValueError):
        return math.nan
    return seconds if math.isfinite(seconds) else math.nan


def check_kind(kind: Any) -> ItemKind:
    """
    Check that a wait is about a cloud or a remote item.

    :param kind: ``cloud`` or ``remote``.
    """
    if kind == "cloud":
        return "cloud"
    if kind == "remote":
        return "remote"
    raise ValueError(f"kind must be 'cloud' or 'remote', not {kind!r}.")


def describe_progress(item: OffcloudItem | Mapping[str, Any]) -> str:
    """
    Say in one line how far an item has got: status, percent, bytes and speed when known.

    :param item: A normalised item (fields it lacks are left out of the line).
    """
    progress, amount = item.get("progress"), item.get("amount")
    size, speed = item.get("fileSize"), item.get("downloadingSpeed")
    parts = [str(item.get("status"))]
    if progress is not None:
        parts.append(f"{progress * 100:.1f}%")
    if amount is not None and size:
        parts.append(f"{human_bytes(amount)} of {human_bytes(size)}")
    elif amount is not None:
        parts.append(human_bytes(amount))
    elif size:
        parts.append(f"size {human_bytes(size)}")
    if speed:
        parts.append(f"at {human_bytes(speed)}/s")
    return ", ".join(parts)


def human_bytes(count: float) -> str:
    """
    Write a byte count with a binary unit (``1.5 MiB``).

    :param count: Number of bytes.
    """
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover - the loop always returns


def next_poll_interval(status: OffcloudStatus, current: float, minimum: float, maximum: float) -> float:
    """
    Choose the pause before the next look at an item.

    Queued and created items can wait for hours, so the pause doubles up to ``maximum``; a downloading
    item may finish any moment, so the pause halves down to ``minimum``.

    :param status: The item's status now.
    :param current: The pause used last.
    :param minimum: Shortest pause.
    :param maximum: Longest pause.
    """
    if status == OffcloudStatus.DOWNLOADING:
        return max(minimum, current / 2)
    return min(maximum, max(minimum, current * 2))


def backoff_interval(current: float, minimum: float, maximum: float) -> float:
    """
    Lengthen the pause after a fault that retrying inside the client did not cure.

    :param current: The pause used last.
    :param minimum: Shortest pause.
    :param maximum: Longest pause.
    """
    return min(maximum, max(minimum, current * 2))


@dataclass
class ProgressTracker:
    """
    Follow an item across polls and tell when it is stuck.

    An item is stuck when it stays ``created`` or ``queued`` without any change in status, bytes or
    progress for ``stuck_after`` seconds. The clock starts at ``waiting_since`` (when the wait began, kept
    across a triggerer restart), or earlier at the item's own ``createdOn`` when the item has never shown
    any progress: such an item has been waiting since it was created, whoever watched it.

    :param stuck_after: Seconds without progress after which a waiting item is stuck; ``None`` never.
    :param waiting_since: Epoch seconds at which the wait began.
    """

    stuck_after: float | None
    waiting_since: float
    last_progress_at: float = field(init=False)
    _signature: tuple[Any, ...] | None = field(init=False, default=None)
    _created_at: float | None = field(init=False, default=None)
    _showed_progress: bool = field(init=False, default=False)
    _moved_once: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self.last_progress_at = self.waiting_since

    def observe(self, item: OffcloudItem, now: float) -> bool:
        """
        Record one look at the item and return whether it is stuck.

        :param item: The item as just read.
        :param now: Epoch seconds of the read.
        """
        signature = (item["status"], item["amount"], item["progress"], item["fileSize"])
        shows_figures = bool(item["amount"] or item["progress"])
        if self._signature is None:
            self._created_at = parse_timestamp(item["createdOn"])
        elif _moved(self._signature, signature) or (shows_figures and not self._showed_progress):
            # Figures seen for the first time count as progress: earlier answers (history entries) may
            # simply not have carried them.
            self.last_progress_at = now
            self._moved_once = True
        if shows_figures:
            self._showed_progress = True
        # A figure one answer leaves out (history has no byte counts) keeps its last known value.
        self._signature = tuple(
            known if new is None else new
            for known, new in zip(self._signature or signature, signature, strict=True)
        )

        if self.stuck_after is None or OffcloudStatus.parse(item["status"]) not in WAITING_STATUSES:
            return False
        return now - self.quiet_since() >= self.stuck_after

    def quiet_since(self) -> float:
        """
        Epoch seconds since which the item has shown no progress.

        An item that has neither moved nor shown any figure of progress, in any answer, has been waiting
        since it was created; answers without figures (history entries) do not count as "no progress" on
        their own.
        """
        if not (self._showed_progress or self._moved_once) and self._created_at is not None:
            return min(self.last_progress_at, self._created_at)
        return self.last_progress_at

    def stuck_message(self, kind: str, item: OffcloudItem, now: float) -> str:
        """
        Explain a stuck item and what to do about it.

        :param kind: ``cloud`` or ``remote``.
        :param item: The item as last read.
        :param now: Epoch seconds of the read.
        """
        return (
            f"Offcloud {kind} item {item['requestId']} has stayed {item['status']!r} with no progress for "
            f"{now - self.quiet_since():.0f} s (stuck_after={self.stuck_after:g} s). Offcloud may never "
            "pick it up: retry the task to keep waiting, or remove the item and submit the link again."
        )


def _moved(before: tuple[Any, ...], after: tuple[Any, ...]) -> bool:
    """Whether an item moved: its status changed, or a figure both answers give changed."""
    return before[0] != after[0] or any(
        old is not None and new is not None and old != new
        for old, new in zip(before[1:], after[1:], strict=True)
    )


def parse_timestamp(value: str | None) -> float | None:
    """
    Read an ISO timestamp into epoch seconds; a naive one counts as UTC, junk gives ``None``.

    :param value: An ISO 8601 text, as normalised items carry in ``createdOn``.
    """
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def raise_for_failed_item(item: OffcloudItem) -> None:
    """
    Fail with Offcloud's own message when an item ended in ``error`` or ``canceled``.

    :param item: A normalised item.
    """
    status = OffcloudStatus.parse(item["status"])
    if status.is_failure:
        raise OffcloudDownloadFailedError(item["requestId"], status.value, item["errorMessage"])


def read_item(hook: OffcloudHook, kind: ItemKind, request_id: str) -> OffcloudItem:
    """
    Read an item's status with the sync hook.

    :param hook: The hook of the connection.
    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item's ``requestId``.
    """
    if kind == "remote":
        return hook.remote_status(request_id)
    return hook.cloud_status(request_id)


def wait_for_item(
    hook: OffcloudHook,
    kind: ItemKind,
    request_id: str,
    *,
    poll_interval: float,
    max_poll_interval: float,
    timeout: float | None,
    stuck_after: float | None,
    log: logging.Logger | Any,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> OffcloudItem:
    """
    Poll an item on the worker until it is downloaded, logging progress at every poll.

    Faults the hook could not cure by retrying (it retries transient ones itself) are logged and waited
    out with a growing pause, up to the deadline; refusals that cannot change fail at once.

    :param hook: The hook of the connection.
    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item's ``requestId``.
    :param poll_interval: First and shortest pause between polls, in seconds.
    :param max_poll_interval: Longest pause between polls, in seconds.
    :param timeout: Seconds after which waiting stops with an error; ``None`` waits as long as it takes.
    :param stuck_after: Seconds without progress in ``created``/``queued`` after which the item is stuck.
    :param log: Where progress lines go.
    :param sleep: How to pause; defaults to the module's ``_sleep`` (tests replace it).
    :param clock: Epoch-seconds clock.
    :return: The downloaded item.
    :raises OffcloudDownloadFailedError: the item ended in ``error`` or ``canceled``.
    :raises OffcloudStuckError: the item made no progress for ``stuck_after`` seconds.
    :raises OffcloudError: the timeout passed first; the item keeps going on Offcloud.
    """
    pause = sleep or _sleep
    started_at = clock()
    deadline = None if timeout is None else started_at + timeout
    tracker = ProgressTracker(stuck_after=stuck_after, waiting_since=started_at)
    interval = poll_interval

    while True:
        try:
            item = read_item(hook, kind, request_id)
        except (OffcloudPermanentError, OffcloudRouteMissingError):
            raise
        except OffcloudError as fault:
            log.warning("Could not read Offcloud %s item %s (%s); still waiting.", kind, request_id, fault)
            interval = backoff_interval(interval, poll_interval, max_poll_interval)
        else:
            now = clock()
            log.info("Offcloud %s item %s: %s", kind, request_id, describe_progress(item))
            status = OffcloudStatus.parse(item["status"])
            if status.is_success:
                return item
            raise_for_failed_item(item)
            if tracker.observe(item, now):
                raise OffcloudStuckError(tracker.stuck_message(kind, item, now))
            interval = next_poll_interval(status, interval, poll_interval, max_poll_interval)

        if deadline is not None and clock() + interval > deadline:
            remaining = deadline - clock()
            if remaining <= 0:
                raise OffcloudError(
                    f"Offcloud {kind} item {request_id} did not finish within {timeout:g} s; it keeps "
                    "going on Offcloud. Retry the task to wait again (it does not submit the link again), "
                    "or raise the timeout."
                )
            interval = remaining
        pause(interval)


def _sleep(seconds: float) -> None:
    """Pause between polls on the worker; a module function so tests can replace it."""
    time.sleep(seconds)
