"""Fixtures of the adversarial tests: scripted HTTP servers on 127.0.0.1, stopped after each test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from adversarial_support import ScriptedServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from adversarial_support import Reply, SeenRequest


@pytest.fixture
def scripted_server() -> Iterator[Callable[[Callable[[SeenRequest], Reply]], ScriptedServer]]:
    """Start scripted servers on 127.0.0.1; each is stopped when the test ends."""
    started: list[ScriptedServer] = []

    def start(answer: Callable[[SeenRequest], Reply]) -> ScriptedServer:
        server = ScriptedServer(answer).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
