"""Fixtures of the second adversarial review: scripted servers on 127.0.0.1, closed after each test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from second_review_support import LocalScriptedServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from second_review_support import Answer, Received


@pytest.fixture
def local_server() -> Iterator[Callable[[Callable[[Received], Answer]], LocalScriptedServer]]:
    """Start scripted servers on 127.0.0.1; each is closed when the test ends."""
    started: list[LocalScriptedServer] = []

    def start(script: Callable[[Received], Answer]) -> LocalScriptedServer:
        server = LocalScriptedServer(script)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()
