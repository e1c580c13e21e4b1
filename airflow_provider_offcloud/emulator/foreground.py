"""Serving the emulator in a terminal: telling when it is ready, closing its transfers when it stops."""

from __future__ import annotations

from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    import socket
    from collections.abc import Awaitable, Callable


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
