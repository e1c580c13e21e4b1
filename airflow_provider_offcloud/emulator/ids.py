"""Deterministic 24-hex identifiers for the emulator's transfers."""

from __future__ import annotations

import random
import threading


class IdGenerator:
    """
    Hands out 24-hex ids in the style of the service's request ids, reproducibly under a seed.

    :param seed: Seed of the generator; the same seed and the same sequence of calls give the same
        ids. ``None`` seeds from the operating system.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def next_id(self) -> str:
        """Return a fresh 24-hex id."""
        with self._lock:
            return f"{self._random.getrandbits(96):024x}"
