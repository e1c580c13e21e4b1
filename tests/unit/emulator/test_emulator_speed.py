"""Reported download speeds: averaged since the start, never divided by a near-zero interval."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.emulator.speed import MIN_SPEED_WINDOW_SECONDS, average_speed


@pytest.mark.parametrize("elapsed_seconds", [0.0, 1e-9, 0.001, -0.5])
def test_an_early_chunk_is_averaged_over_the_minimum_window(elapsed_seconds):
    assert average_speed(65_536, elapsed_seconds) == round(65_536 / MIN_SPEED_WINDOW_SECONDS, 1)


def test_later_speeds_are_bytes_over_time_since_the_start():
    assert average_speed(1_310_720, 10.0) == 131_072.0


def test_nothing_received_is_no_speed():
    assert average_speed(0, 3.0) == 0.0
