"""Running an ASGI application with uvicorn in a background thread on a loopback port."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, TypeVar

import uvicorn

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from starlette.types import ASGIApp

T = TypeVar("T")

_STARTUP_TIMEOUT_SECONDS = 15.0
_EXIT_POLL_SECONDS = 0.01
_TICKS_BEFORE_WRAP = 864_000

# httptools parses requests several times faster than h11; it ships with uvicorn[standard].
HTTP_IMPLEMENTATION = "httptools" if importlib.util.find_spec("httptools") else "h11"


class _IntentionalDropFilter(logging.Filter):
    """Hides uvicorn's complaint about responses the emulator cuts short on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing response."


_drop_filter = _IntentionalDropFilter()


def quiet_uvicorn_logging() -> None:
    """Keep uvicorn to warnings and hide the message the dropped-connection fault causes."""
    error_logger = logging.getLogger("uvicorn.error")
    if _drop_filter not in error_logger.filters:
        error_logger.addFilter(_drop_filter)


class _LoopRecordingServer(uvicorn.Server):
    """A uvicorn server that remembers its event loop so other threads can schedule work on it."""

    loop: asyncio.AbstractEventLoop | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)

    async def main_loop(self) -> None:
        # uvicorn looks at should_exit every 0.1 s; test suites start and stop many servers, so
        # looking more often shortens every teardown. on_tick refreshes the Date header every
        # tenth tick, which stays cheap at this rate.
        tick = 0
        while not await self.on_tick(tick):
            await asyncio.sleep(_EXIT_POLL_SECONDS)
            tick = (tick + 1) % _TICKS_BEFORE_WRAP


def uvicorn_config(app: ASGIApp, host: str, port: int) -> uvicorn.Config:
    """
    Return the uvicorn configuration shared by the emulator and the origin server.

    :param app: The application.
    :param host: Interface to bind.
    :param port: Port to bind.
    """
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        http=HTTP_IMPLEMENTATION,
        # None keeps uvicorn from replacing the process's logging configuration.
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )


def bind_socket(host: str, port: int) -> socket.socket:
    """
    Return a TCP socket bound to an interface and port, ready for uvicorn to listen on.

    :param host: Interface address (IPv4 or IPv6).
    :param port: Port number; 0 picks a free one.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening_socket = socket.socket(family, socket.SOCK_STREAM)
    listening_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening_socket.bind((host, port))
    return listening_socket


class BackgroundServer:
    """
    Serves an ASGI application from a daemon thread on a loopback socket.

    The socket is bound before the thread starts (port 0 picks a free port), so the port is known
    and there is no race with other processes choosing ports.

    :param app: The application.
    :param host: Interface to bind; loopback by default.
    :param port: Port to bind; 0 picks a free one.
    :param thread_name: Name of the serving thread, shown in thread dumps.
    """

    def __init__(
        self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, thread_name: str = "asgi-server"
    ) -> None:
        self._app = app
        self._host = host
        self._port = port
        self._thread_name = thread_name
        self._server: _LoopRecordingServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running server."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Bind the socket, start serving and wait until the server accepts connections."""
        quiet_uvicorn_logging()
        listening_socket = bind_socket(self._host, self._port)
        self.port = listening_socket.getsockname()[1]

        self._server = _LoopRecordingServer(uvicorn_config(self._app, self._host, self.port))
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [listening_socket]},
            name=self._thread_name,
            daemon=True,
        )
        self._thread.start()

        deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The server on {self.base_url} did not start; see the log above.")
            time.sleep(0.01)

    def run_on_loop(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """
        Run a coroutine on the server's event loop from another thread and return its result.

        :param coroutine: The coroutine.
        :param timeout: Seconds to wait for it.
        """
        if self._server is None or self._server.loop is None:
            coroutine.close()
            raise RuntimeError("The server is not running.")
        return asyncio.run_coroutine_threadsafe(coroutine, self._server.loop).result(timeout)

    def stop(self) -> None:
        """Ask the server to exit and wait for its thread."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = None
        self._thread = None
