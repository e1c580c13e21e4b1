"""How the transfer streams a file and retries a dropped download: its settings and their defaults."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CHUNK_SIZE = 1024 * 1024
DEFAULT_PROGRESS_INTERVAL_SECONDS = 30.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_MAX_RETRY_SECONDS = 300.0
DEFAULT_BACKOFF_SECONDS = 1.0


@dataclass(frozen=True)
class StreamSettings:
    """
    How a file is streamed and how hard a dropped download is retried.

    :param chunk_size: Bytes read from the network and written to storage at a time; memory use stays
        near this size whatever the file size.
    :param progress_interval: Seconds between two progress lines in the task log.
    :param max_attempts: Tries in a row that make no progress before the copy gives up; a try that
        received bytes resets the count, so a long download that drops now and then still finishes.
    :param max_retry_seconds: Longest time without progress before the copy gives up.
    :param backoff_seconds: First pause after a failed try; it doubles while tries keep failing.
    """

    chunk_size: int = DEFAULT_CHUNK_SIZE
    progress_interval: float = DEFAULT_PROGRESS_INTERVAL_SECONDS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_retry_seconds: float = DEFAULT_MAX_RETRY_SECONDS
    backoff_seconds: float = DEFAULT_BACKOFF_SECONDS
