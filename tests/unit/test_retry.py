"""The shared retry policy: which errors it retries, how long it waits, and both of its bounds."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import tenacity

from airflow_provider_offcloud.exceptions import OffcloudRequestRejectedError, OffcloudTransientError
from airflow_provider_offcloud.retry import MAX_SINGLE_WAIT_SECONDS, retry_policy


class FakeClock:
    """Stands in for the ``time`` module inside tenacity: sleeping moves the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(tenacity, "time", fake)
    return fake


def run(
    policy: dict[str, Any], clock: FakeClock, outcomes: list[BaseException | str]
) -> tuple[str, list[float]]:
    """Run a call that fails or succeeds as ``outcomes`` says; return its result and the tries' starts."""
    starts: list[float] = []
    remaining = list(outcomes)

    def call() -> str:
        starts.append(clock.now)
        outcome = remaining.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    result = tenacity.Retrying(sleep=clock.sleep, **policy)(call)
    return result, starts


def policy(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "max_attempts": 5,
        "max_retry_seconds": 120.0,
        "backoff_seconds": 1.0,
        "should_retry": lambda error: isinstance(error, OffcloudTransientError),
        "describe": "Offcloud test call",
    }
    arguments.update(overrides)
    return retry_policy(**arguments)


def fault(retry_after: float | None = None) -> OffcloudTransientError:
    return OffcloudTransientError(
        "Offcloud had a server fault (HTTP 503)", http_status=503, retry_after=retry_after
    )


def test_success_after_transient_faults(clock):
    result, starts = run(policy(), clock, [fault(), fault(), "done"])

    assert result == "done"
    assert len(starts) == 3
    assert len(clock.sleeps) == 2


def test_attempts_are_bounded(clock):
    with pytest.raises(OffcloudTransientError):
        run(policy(max_attempts=3), clock, [fault()] * 10)

    assert len(clock.sleeps) == 2


def test_other_errors_are_raised_at_once(clock):
    with pytest.raises(OffcloudRequestRejectedError):
        run(policy(), clock, [OffcloudRequestRejectedError("refused"), "done"])

    assert clock.sleeps == []


def test_retry_after_is_the_wait(clock):
    run(policy(), clock, [fault(retry_after=7), "done"])

    assert clock.sleeps == [7]


def test_retry_after_is_capped(clock):
    run(policy(max_retry_seconds=600), clock, [fault(retry_after=3600), "done"])

    assert clock.sleeps == [MAX_SINGLE_WAIT_SECONDS]


def test_backoff_doubles_with_bounded_jitter(clock):
    with pytest.raises(OffcloudTransientError):
        run(policy(max_attempts=5, backoff_seconds=2.0), clock, [fault()] * 5)

    for number, pause in enumerate(clock.sleeps):
        assert 2.0 * 2**number <= pause <= 2.0 * 2**number + 2.0


def test_single_waits_never_exceed_the_ceiling(clock):
    with pytest.raises(OffcloudTransientError):
        run(policy(max_attempts=12, max_retry_seconds=10_000, backoff_seconds=5.0), clock, [fault()] * 12)

    assert max(clock.sleeps) == MAX_SINGLE_WAIT_SECONDS


def test_no_try_starts_after_the_time_budget(clock):
    with pytest.raises(OffcloudTransientError):
        run(policy(max_attempts=100, max_retry_seconds=10), clock, [fault(retry_after=4)] * 100)

    first_start = 1000.0
    assert clock.now - first_start <= 10
    assert len(clock.sleeps) == 2


def test_pauses_are_logged_with_the_call_and_the_error(clock, caplog):
    with caplog.at_level(logging.WARNING, logger="airflow_provider_offcloud.retry"):
        run(policy(describe="Offcloud cloud_status"), clock, [fault(retry_after=3), "done"])

    [record] = [record for record in caplog.records if record.name == "airflow_provider_offcloud.retry"]
    assert "Offcloud cloud_status failed (try 1 of 5)" in record.getMessage()
    assert "HTTP 503" in record.getMessage()
    assert "3.0 s" in record.getMessage()
