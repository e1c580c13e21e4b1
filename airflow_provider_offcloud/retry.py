"""The retry policy for transient Offcloud faults, shared by the sync hook and the async client."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from tenacity import (
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)
from tenacity.wait import wait_base

from airflow_provider_offcloud.exceptions import OffcloudTransientError

if TYPE_CHECKING:
    from collections.abc import Callable

log = logging.getLogger(__name__)

#: Longest single pause between two tries, whatever the back-off has grown to.
MAX_SINGLE_WAIT_SECONDS = 60.0


class WaitRetryAfterOrBackoff(wait_base):
    """
    Wait as long as the service asked (``Retry-After``), or else back off exponentially with jitter.

    :param backoff: The fall-back wait strategy.
    :param ceiling: Upper bound of any single wait, so a huge ``Retry-After`` cannot stall a task.
    """

    def __init__(self, backoff: wait_base, ceiling: float) -> None:
        self.backoff = backoff
        self.ceiling = ceiling

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, OffcloudTransientError) and error.retry_after is not None:
            return min(error.retry_after, self.ceiling)
        return min(self.backoff(retry_state), self.ceiling)


def retry_policy(
    *,
    max_attempts: int,
    max_retry_seconds: float,
    backoff_seconds: float,
    should_retry: Callable[[BaseException], bool],
    describe: str,
) -> dict[str, Any]:
    """
    Build keyword arguments for ``tenacity.Retrying`` or ``tenacity.AsyncRetrying``.

    Bounded twice: by the number of attempts and by the total time spent, so a call never retries forever.

    :param max_attempts: Tries in all, the first one included.
    :param max_retry_seconds: Time after which no new try starts.
    :param backoff_seconds: First back-off pause; it doubles at each try, with jitter.
    :param should_retry: Decides, from the error, whether another try is safe and useful.
    :param describe: Names the call in the log line written before each pause.
    """

    def log_pause(retry_state: RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        pause = retry_state.next_action.sleep if retry_state.next_action else 0.0
        log.warning(
            "%s failed (try %d of %d): %s. Trying again in %.1f s.",
            describe,
            retry_state.attempt_number,
            max_attempts,
            error,
            pause,
        )

    ceiling = min(MAX_SINGLE_WAIT_SECONDS, max_retry_seconds)
    return {
        "stop": stop_after_attempt(max_attempts) | stop_after_delay(max_retry_seconds),
        "wait": WaitRetryAfterOrBackoff(
            wait_exponential_jitter(initial=backoff_seconds, max=ceiling, jitter=backoff_seconds), ceiling
        ),
        "retry": retry_if_exception(should_retry),
        "before_sleep": log_pause,
        "reraise": True,
    }
