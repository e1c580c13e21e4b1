"""The retry policy for transient Offcloud faults, shared by the sync hook and the async client."""

from __future__ import annotations

import inspect
import logging
import math
from typing import TYPE_CHECKING, Any

from tenacity import (
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)
from tenacity.stop import stop_base
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
        asked = error.retry_after if isinstance(error, OffcloudTransientError) else None
        if asked is not None and math.isfinite(asked):
            return min(max(asked, 0.0), self.ceiling)
        return min(self.backoff(retry_state), self.ceiling)


class StopBeforeDeadline(stop_base):
    """
    Stop when the next try would start after the time budget, counting the pause before it.

    Tenacity's own ``stop_after_delay`` checks only the time already spent, so one more pause (up to a
    minute) could run past the budget. Tenacity before 8.3 does not tell the coming pause; there this
    falls back to the time already spent.

    :param max_seconds: Time from the first try at or after which no new try starts.
    """

    def __init__(self, max_seconds: float) -> None:
        self.max_seconds = max_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        upcoming_pause = getattr(retry_state, "upcoming_sleep", 0.0) or 0.0
        return (retry_state.seconds_since_start or 0.0) + upcoming_pause >= self.max_seconds


def _exponential_backoff(first_pause: float, ceiling: float) -> wait_base:
    """
    Back off from ``first_pause``, doubling at each try, with up to ``first_pause`` of jitter.

    Recent tenacity releases call the first pause ``multiplier`` and warn about ``initial``; older ones
    know only ``initial``.
    """
    if "multiplier" in inspect.signature(wait_exponential_jitter).parameters:
        return wait_exponential_jitter(multiplier=first_pause, max=ceiling, jitter=first_pause)
    return wait_exponential_jitter(initial=first_pause, max=ceiling, jitter=first_pause)


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
        "stop": stop_after_attempt(max_attempts) | StopBeforeDeadline(max_retry_seconds),
        "wait": WaitRetryAfterOrBackoff(_exponential_backoff(backoff_seconds, ceiling), ceiling),
        "retry": retry_if_exception(should_retry),
        "before_sleep": log_pause,
        "reraise": True,
    }
