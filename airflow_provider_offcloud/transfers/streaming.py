"""Copy one download link to storage: chunked, resumed with HTTP Range, retried, size-checked, atomic."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type

from airflow_provider_offcloud.exceptions import OffcloudTransientError
from airflow_provider_offcloud.retry import MAX_SINGLE_WAIT_SECONDS
from airflow_provider_offcloud.transfers.answers import (
    ERROR_BODY_LIMIT,
    declared_length,
    error_for_status,
    needs_inspection,
    parse_content_range,
    refusal_in_body,
)
from airflow_provider_offcloud.transfers.errors import OffcloudSizeMismatchError, OffcloudTransferError
from airflow_provider_offcloud.transfers.links import link_host
from airflow_provider_offcloud.transfers.partial import PartialFile, can_append
from airflow_provider_offcloud.transfers.progress import LineLogger, ProgressReporter
from airflow_provider_offcloud.transfers.settings import DEFAULT_BACKOFF_SECONDS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from airflow.providers.common.compat.sdk import ObjectStoragePath

    from airflow_provider_offcloud.transfers.links import DownloadLinkOpener
    from airflow_provider_offcloud.transfers.settings import StreamSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CopyResult:
    """
    What one copied file amounts to.

    :param size: Bytes in the final file.
    :param sha256: Hex SHA-256 of the final file, computed while streaming.
    :param reused_bytes: Bytes kept from a partial file of an earlier try (resumed, not downloaded again).
    """

    size: int
    sha256: str
    reused_bytes: int


#: Network faults after which asking again, from the last byte received, can succeed.
_BROKEN_CONNECTION = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class _RestartFromZero(Exception):
    """The server could not continue where we were; the partial file was emptied, ask again without Range."""


#: Doublings of the back-off past which the pause is at its ceiling anyway; keeps ``2 ** n`` a small number.
_MAX_DOUBLINGS = 32


def _finite_pause(seconds: float, fallback: float) -> float:
    """
    Return ``seconds`` capped at :data:`MAX_SINGLE_WAIT_SECONDS`, or ``fallback`` when it is not a pause.

    ``time.sleep`` refuses ``nan`` and never returns from ``inf``, so neither may reach it.
    """
    if not isinstance(seconds, int | float) or not math.isfinite(seconds) or seconds < 0:
        return min(fallback, MAX_SINGLE_WAIT_SECONDS)
    return min(float(seconds), MAX_SINGLE_WAIT_SECONDS)


def _sleep(seconds: float) -> None:
    """Pause between tries; a module function so tests can replace it."""
    time.sleep(seconds)


class _StallBudget:
    """
    Decides, for tenacity, when to stop retrying and how long to wait: counting only tries without progress.

    :param partial: The file being written; its byte count tells whether a try made progress.
    :param settings: Attempt, time and back-off bounds.
    :param logger: Where each pause is reported.
    :param clock: Monotonic clock.
    """

    def __init__(
        self,
        partial: PartialFile,
        settings: StreamSettings,
        logger: LineLogger,
        clock: Callable[[], float],
    ) -> None:
        self.partial = partial
        self.settings = settings
        self.logger = logger
        self.clock = clock
        self.failures_without_progress = 0
        self._bytes_at_last_progress = partial.written
        self._last_progress = clock()
        self._counted_attempt = 0

    def _count_failure(self, retry_state: RetryCallState) -> None:
        """
        Account for the failed try once, whichever of ``wait`` and ``stop`` tenacity asks first.

        Tenacity computes the pause before it asks whether to stop; counting here keeps the first pause
        at ``backoff_seconds`` and a try that made progress resetting the count before its pause.
        """
        if retry_state.attempt_number == self._counted_attempt:
            return
        self._counted_attempt = retry_state.attempt_number
        if self.partial.written > self._bytes_at_last_progress:
            self._bytes_at_last_progress = self.partial.written
            self._last_progress = self.clock()
            self.failures_without_progress = 0
        self.failures_without_progress += 1

    def stop(self, retry_state: RetryCallState) -> bool:
        self._count_failure(retry_state)
        stalled_for = self.clock() - self._last_progress
        return (
            self.failures_without_progress >= self.settings.max_attempts
            or stalled_for >= self.settings.max_retry_seconds
        )

    def wait(self, retry_state: RetryCallState) -> float:
        self._count_failure(retry_state)
        error = retry_state.outcome.exception() if retry_state.outcome else None
        ceiling = _finite_pause(self.settings.max_retry_seconds, MAX_SINGLE_WAIT_SECONDS)
        asked = error.retry_after if isinstance(error, OffcloudTransientError) else None
        if asked is not None and math.isfinite(asked) and asked >= 0:
            return min(asked, ceiling)

        # An unreadable Retry-After (nan, inf, negative) falls back to the back-off, as no header would.
        doublings = min(max(self.failures_without_progress - 1, 0), _MAX_DOUBLINGS)
        backoff = _finite_pause(self.settings.backoff_seconds, DEFAULT_BACKOFF_SECONDS) * 2**doublings
        return min(backoff, ceiling)

    def before_sleep(self, retry_state: RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        pause = retry_state.next_action.sleep if retry_state.next_action else 0.0
        self.logger.warning(
            "%s (try %d without progress of %d); resuming from byte %d in %.1f s.",
            error,
            self.failures_without_progress,
            self.settings.max_attempts,
            self.partial.written,
            pause,
        )


class RangedCopier:
    """
    Copies download links into storage, one file at a time, in constant memory.

    For each file: the bytes go to a temporary path in the destination folder, in chunks, hashed on the
    way. A dropped connection or a transient answer (HTTP 429, 5xx, an HTML maintenance page) is retried
    with back-off, asking with ``Range`` for the bytes still missing; a server that ignores the range
    (HTTP 200) or cannot serve it (416) makes the file start again from zero. The final size is checked
    against ``Content-Length``/``Content-Range`` and against the size in the item's listing; only a file
    that passes is renamed to its final name, so a half-written or wrong file never appears there.

    :param opener: Opens links with the right credentials.
    :param settings: Chunk size, progress cadence and retry bounds.
    :param logger: The task's logger, for progress lines.
    :param sleep: Pause function between tries; defaults to this module's ``_sleep``.
    :param clock: Monotonic clock for the progress cadence and the retry time budget.
    """

    def __init__(
        self,
        opener: DownloadLinkOpener,
        settings: StreamSettings,
        *,
        logger: LineLogger | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.opener = opener
        self.settings = settings
        self.logger: LineLogger = logger or log
        self._sleep = sleep or (lambda seconds: _sleep(seconds))
        self.clock = clock

    def copy(
        self,
        url: str,
        *,
        partial_path: ObjectStoragePath,
        target: ObjectStoragePath,
        expected_size: int | None,
        label: str,
    ) -> CopyResult:
        """
        Copy one link to ``target`` through ``partial_path``.

        :param url: The download link. This copier names it by its host only in its log lines and error
            messages, and keeps it out of its result, because paths of CDN links carry account tokens.
        :param partial_path: Temporary path in the target's folder.
        :param target: Final path; replaced if it exists.
        :param expected_size: The size in the item's listing, when known.
        :param label: Names the file in logs and errors (its path inside the item).
        :raises OffcloudSizeMismatchError: when the bytes do not add up; the partial file is deleted.
        :raises OffcloudLinkRefusedError: when the link answers a refusal (IP-bound link, removed file).
        :raises OffcloudTransientError: when tries without progress run out; on local storage the partial
            file is kept so that the next try of the task resumes it.
        """
        partial = PartialFile(partial_path, chunk_size=self.settings.chunk_size, logger=self.logger)
        reporter = ProgressReporter(
            label,
            expected_size,
            interval_seconds=self.settings.progress_interval,
            logger=self.logger,
            clock=self.clock,
        )
        partial.open()
        budget = _StallBudget(partial, self.settings, self.logger, self.clock)
        try:
            for attempt in Retrying(
                stop=budget.stop,
                wait=budget.wait,
                retry=retry_if_exception_type(OffcloudTransientError),
                before_sleep=budget.before_sleep,
                sleep=self._sleep,
                reraise=True,
            ):
                with attempt:
                    self._fetch(url, partial, expected_size, reporter, label)
            self._check_size(partial, expected_size, label)
            partial.close()
        except OffcloudTransientError:
            self._keep_for_next_try(partial)
            raise
        except Exception:
            partial.discard()
            raise
        except BaseException:
            # The task is being stopped (SIGTERM, timeout): keep the bytes for the next try when we can.
            self._keep_for_next_try(partial)
            raise

        reporter.finish()
        _replace(partial_path, target)
        return CopyResult(size=partial.written, sha256=partial.sha256, reused_bytes=partial.reused_bytes)

    def _keep_for_next_try(self, partial: PartialFile) -> None:
        if partial.appendable:
            partial.close()
            self.logger.warning(
                "Kept %d bytes in %s; the next try of the task resumes from there.",
                partial.written,
                partial.path,
            )
        else:
            partial.discard()

    def _fetch(
        self,
        url: str,
        partial: PartialFile,
        expected_size: int | None,
        reporter: ProgressReporter,
        label: str,
    ) -> None:
        """Run one try; a single restart from zero is allowed within it."""
        for _ in range(2):
            try:
                self._fetch_once(url, partial, expected_size, reporter, label)
                return
            except _RestartFromZero:
                continue
            except _BROKEN_CONNECTION as error:
                raise OffcloudTransientError(
                    f"The connection to {link_host(url)} broke after {partial.written} bytes of {label!r} "
                    f"({type(error).__name__})"
                ) from None
            except requests.RequestException as error:
                raise OffcloudTransferError(
                    f"Could not download {label!r} from {link_host(url)} ({type(error).__name__}); "
                    "check the worker's network and proxy settings."
                ) from None
        raise OffcloudTransientError(f"{link_host(url)} kept refusing to resume {label!r}; starting over")

    def _fetch_once(
        self,
        url: str,
        partial: PartialFile,
        expected_size: int | None,
        reporter: ProgressReporter,
        label: str,
    ) -> None:
        offset = partial.written
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        with self.opener.open(url, headers) as response:
            status = response.status_code
            if status == 416:
                self._range_not_satisfiable(response, partial, label)
                return
            if status not in (200, 206):
                raise error_for_status(status, response.headers, _read_limited(response), label)

            chunks = response.iter_content(self.settings.chunk_size)
            first_bytes = b""
            if needs_inspection(response.headers.get("Content-Type"), label.rsplit("/", 1)[-1]):
                first_bytes, chunks = _peek(chunks, ERROR_BODY_LIMIT)
                refusal = refusal_in_body(status, response.headers.get("Content-Type"), first_bytes, label)
                if refusal is not None:
                    raise refusal

            total = self._total_size(response, partial, offset, label)
            if expected_size is not None and total is not None and total != expected_size:
                raise OffcloudSizeMismatchError(label, expected_size, total, "the item's listing")
            reporter.start(partial.written, total if total is not None else expected_size)

            if first_bytes:
                partial.write(first_bytes)
                reporter.advance(len(first_bytes))
            for chunk in chunks:
                partial.write(chunk)
                reporter.advance(len(chunk))

        if total is not None and partial.written < total:
            raise OffcloudTransientError(
                f"{link_host(url)} ended the body of {label!r} at {partial.written} of {total} bytes"
            )
        if total is not None and partial.written > total:
            raise OffcloudSizeMismatchError(label, total, partial.written, "Content-Length")

    def _total_size(
        self, response: requests.Response, partial: PartialFile, offset: int, label: str
    ) -> int | None:
        """Return the full file size the answer announces, restarting the partial file when needed."""
        if response.status_code == 200:
            if offset:
                self.logger.warning(
                    "%s: the server ignored the Range request (HTTP 200); starting again from zero.", label
                )
                partial.restart()
            return declared_length(response.headers)

        content_range = parse_content_range(response.headers.get("Content-Range"))
        if content_range is None or content_range[0] != offset:
            self.logger.warning(
                "%s: the server answered a different range (%s) than asked (from byte %d); starting again "
                "from zero.",
                label,
                response.headers.get("Content-Range"),
                offset,
            )
            partial.restart()
            raise _RestartFromZero
        return content_range[2]

    def _range_not_satisfiable(self, response: requests.Response, partial: PartialFile, label: str) -> None:
        """HTTP 416: either the partial file is already complete, or it is longer than the file: restart."""
        content_range = parse_content_range(response.headers.get("Content-Range"))
        total = content_range[2] if content_range else None
        if total is not None and total == partial.written:
            self.logger.info("%s: the %d bytes from an earlier try are already the whole file.", label, total)
            return
        self.logger.warning(
            "%s: the server cannot serve bytes from %d on (HTTP 416, size %s); starting again from zero.",
            label,
            partial.written,
            total if total is not None else "unknown",
        )
        partial.restart()
        raise _RestartFromZero

    @staticmethod
    def _check_size(partial: PartialFile, expected_size: int | None, label: str) -> None:
        if expected_size is not None and partial.written != expected_size:
            raise OffcloudSizeMismatchError(label, expected_size, partial.written, "the item's listing")


def _peek(chunks: Iterator[bytes], limit: int) -> tuple[bytes, Iterator[bytes]]:
    """Read the first ``limit`` bytes (a little more: whole chunks) and hand back the rest unread."""
    collected: list[bytes] = []
    size = 0
    for chunk in chunks:
        collected.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(collected), chunks


def _read_limited(response: requests.Response) -> bytes:
    """Read at most :data:`ERROR_BODY_LIMIT` bytes of an error answer; errors are short."""
    try:
        body, _rest = _peek(response.iter_content(8192), ERROR_BODY_LIMIT)
    except requests.RequestException:
        return b""
    return body[:ERROR_BODY_LIMIT]


def _replace(partial_path: ObjectStoragePath, target: ObjectStoragePath) -> None:
    """
    Give the finished file its final name.

    On local storage a rename replaces the target in one step. Object stores have no rename that replaces:
    there the old target is deleted first, and the copy under the final name is complete when it appears.
    """
    if not can_append(partial_path) and target.exists():
        target.unlink()
    partial_path.rename(target)
