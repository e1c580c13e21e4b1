"""Serving the emulator in a terminal: telling when it is ready, closing its transfers when it stops."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    import socket
    from collections.abc import Awaitable, Callable
    from types import FrameType


class ForegroundServer(uvicorn.Server):
    """
    A uvicorn server that calls back once it accepts connections and runs a clean-up before it stops.

    :param config: The uvicorn configuration.
    :param on_ready: Called once the socket accepts connections; prints the address, for instance.
    :param on_stop: Awaited after the last connection closed; cancels running transfers, for instance.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        on_ready: Callable[[], None],
        on_stop: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(config)
        self._on_ready = on_ready
        self._on_stop = on_stop

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().shutdown(sockets=sockets)
        finally:
            await self._on_stop()


def _interrupt(signal_number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_until_stopped(server: uvicorn.Server, sockets: list[socket.socket]) -> None:
    """
    Serve until Ctrl-C or SIGTERM, then return normally instead of raising.

    uvicorn stops gracefully on either signal and then raises it again for the program to handle: Ctrl-C
    comes back as ``KeyboardInterrupt``, with a long traceback if nothing catches it, and SIGTERM would end
    the process before its ``finally`` blocks ran. Both are turned into a normal return here, so the
    caller can remove its temporary files and say it stopped.

    :param server: The server.
    :param sockets: Bound sockets to serve on.
    """
    # Signal handlers can only be set from the main thread; tests may run the command elsewhere.
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, _interrupt) if in_main_thread else None
    try:
        server.run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
