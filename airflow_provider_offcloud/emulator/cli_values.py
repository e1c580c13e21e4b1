"""Checked value types for the switches of ``offcloud-emulator``, with messages that say what to type."""

from __future__ import annotations

import argparse
import math


def seconds(text: str) -> float:
    """
    Parse a delay in seconds: a finite number, 0 or more.

    :param text: The value typed after the switch.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds; give one such as 0.5"
        ) from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a delay; give 0 or a positive number of seconds")
    return value


def byte_count(text: str) -> int:
    """
    Parse a size in bytes: a whole number, 1 or more.

    :param text: The value typed after the switch.
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number of bytes; give one such as 16384"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is too small; give 1 byte or more")
    return value
