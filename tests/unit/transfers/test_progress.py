"""Progress lines come at a steady, time-based cadence and say percent, bytes, rate and time left."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_offcloud.transfers.progress import ProgressReporter, human_bytes, human_duration


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _reporter(clock: FakeClock, total: int | None) -> ProgressReporter:
    return ProgressReporter(
        "Folder/a.bin", total, interval_seconds=10, logger=logging.getLogger("test.progress"), clock=clock
    )


def test_lines_follow_the_clock_not_the_number_of_chunks(clock, caplog):
    caplog.set_level(logging.INFO, logger="test.progress")
    reporter = _reporter(clock, 1000)
    reporter.start(0, None)

    for _ in range(50):
        reporter.advance(1)
    assert reporter.lines_written == 0

    clock.now += 10
    reporter.advance(1)
    reporter.advance(1)
    assert reporter.lines_written == 1

    clock.now += 25
    reporter.advance(1)
    assert reporter.lines_written == 2


def test_a_line_gives_percent_bytes_rate_and_time_left(clock, caplog):
    caplog.set_level(logging.INFO, logger="test.progress")
    reporter = _reporter(clock, 4 * 1024 * 1024)
    reporter.start(0, None)

    clock.now += 10
    reporter.advance(1024 * 1024)

    line = caplog.records[-1].getMessage()
    assert "Folder/a.bin: 25.0% (1.0 MiB of 4.0 MiB)" in line
    assert "at 102.4 KiB/s" in line
    assert "about 30s left" in line


def test_rate_after_a_resume_counts_only_new_bytes(clock, caplog):
    caplog.set_level(logging.INFO, logger="test.progress")
    reporter = _reporter(clock, 2000)
    reporter.start(1000, None)

    clock.now += 10
    reporter.advance(100)

    assert "55.0% (1.1 KiB of 2.0 KiB) at 10 B/s" in caplog.records[-1].getMessage()


def test_unknown_size_gives_bytes_and_rate_only(clock, caplog):
    caplog.set_level(logging.INFO, logger="test.progress")
    reporter = _reporter(clock, None)
    reporter.start(0, None)

    clock.now += 10
    reporter.advance(5000)

    assert caplog.records[-1].getMessage() == "Folder/a.bin: 4.9 KiB so far at 500 B/s."


@pytest.mark.parametrize(
    ("count", "text"), [(0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (5 * 1024**3, "5.0 GiB")]
)
def test_human_bytes(count, text):
    assert human_bytes(count) == text


@pytest.mark.parametrize(("seconds", "text"), [(42, "42s"), (185, "3m05s"), (3720, "1h02m")])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text
