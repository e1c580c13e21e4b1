"""Progress lines for a long copy: percent, bytes, rate and ETA, written at a steady time-based cadence."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


class LineLogger(Protocol):
    """What the transfer needs of a logger: the task's logger, or any ``logging.Logger``."""

    def info(self, msg: str, /, *args: Any, **kwargs: Any) -> Any: ...

    def warning(self, msg: str, /, *args: Any, **kwargs: Any) -> Any: ...


def human_bytes(count: float) -> str:
    """
    Write a byte count the way people read it (``1.5 MiB``).

    :param count: Bytes.
    """
    value = float(count)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} {_UNITS[-1]}"  # pragma: no cover - the loop always returns


def human_duration(seconds: float) -> str:
    """
    Write a duration as ``1h02m``, ``3m05s`` or ``42s``.

    :param seconds: The duration.
    """
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class ProgressReporter:
    """
    Log how far a copy has come, at most once per ``interval_seconds``, whatever the chunk size.

    The cadence is based on time, not on bytes, so a slow link and a fast one both give a readable log:
    one line every interval, plus one when the copy ends.

    :param label: What is being copied, named in every line (a file path, never a link).
    :param total_bytes: The full size when known; without it, lines give bytes and rate only.
    :param interval_seconds: Time between two lines.
    :param logger: Where lines go (the task's logger).
    :param clock: Monotonic clock in seconds; replaceable in tests.
    """

    def __init__(
        self,
        label: str,
        total_bytes: int | None,
        *,
        interval_seconds: float,
        logger: LineLogger,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total_bytes = total_bytes
        self.interval_seconds = interval_seconds
        self.logger = logger
        self.clock = clock
        self.done_bytes = 0
        self._started = clock()
        self._session_start_bytes = 0
        self._last_line = self._started
        self.lines_written = 0

    def start(self, done_bytes: int, total_bytes: int | None) -> None:
        """
        Begin (or begin again, after a restart or a resume) counting from ``done_bytes``.

        The rate counts only bytes received since this call, so bytes reused from an earlier try do not
        inflate it.

        :param done_bytes: Bytes already in place.
        :param total_bytes: The full size, when now known.
        """
        self.done_bytes = done_bytes
        self._session_start_bytes = done_bytes
        if total_bytes is not None:
            self.total_bytes = total_bytes
        self._started = self.clock()
        self._last_line = self._started

    def advance(self, received: int) -> None:
        """
        Count bytes just written; log a line when the interval has passed.

        :param received: Bytes written since the last call.
        """
        self.done_bytes += received
        now = self.clock()
        if now - self._last_line >= self.interval_seconds:
            self._last_line = now
            self._log_line(now, finished=False)

    def finish(self) -> None:
        """Log the closing line of the copy."""
        self._log_line(self.clock(), finished=True)

    def _log_line(self, now: float, *, finished: bool) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = (self.done_bytes - self._session_start_bytes) / elapsed
        done = human_bytes(self.done_bytes)
        self.lines_written += 1

        if finished:
            self.logger.info("%s: done, %s at %s/s.", self.label, done, human_bytes(rate))
            return
        if not self.total_bytes:
            self.logger.info("%s: %s so far at %s/s.", self.label, done, human_bytes(rate))
            return

        percent = 100.0 * self.done_bytes / self.total_bytes
        remaining = max(self.total_bytes - self.done_bytes, 0)
        eta = human_duration(remaining / rate) if rate > 0 else "unknown"
        self.logger.info(
            "%s: %.1f%% (%s of %s) at %s/s, about %s left.",
            self.label,
            percent,
            done,
            human_bytes(self.total_bytes),
            human_bytes(rate),
            eta,
        )
