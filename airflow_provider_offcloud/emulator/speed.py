"""The download speed the emulator reports: bytes over time taken, never over a near-zero interval."""

from __future__ import annotations

#: Shortest time a speed is averaged over. The first chunk often arrives within microseconds of the
#: request (the origin had it buffered), and dividing by such an interval reports absurd speeds.
MIN_SPEED_WINDOW_SECONDS = 1.0


def average_speed(received_bytes: int, elapsed_seconds: float) -> float:
    """
    Return the bytes per second since a download started, rounded to one decimal.

    During the first :data:`MIN_SPEED_WINDOW_SECONDS` the bytes are divided by that window instead of
    the time elapsed, so an early speed is too low rather than wildly too high.

    :param received_bytes: Bytes received since the download started.
    :param elapsed_seconds: Seconds since the download started.
    """
    return round(received_bytes / max(elapsed_seconds, MIN_SPEED_WINDOW_SECONDS), 1)
