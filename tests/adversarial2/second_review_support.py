"""Helpers of the second adversarial review: a scripted HTTP server, a virtual-clock loop, a fake client."""

from __future__ import annotations

import asyncio
import json
import selectors
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, cast

from airflow_provider_offcloud.normalize import normalize_item

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from airflow_provider_offcloud.hooks.offcloud_async import OffcloudAsyncHook
    from airflow_provider_offcloud.normalize import OffcloudItem

API_KEY = "SECONDREVIEWKEY00000000000000000"
JSON_HEADERS = {"Content-Type": "application/json"}


# -- a scripted HTTP server on 127.0.0.1 ----------------------------------------------------------------


@dataclass
class Answer:
    """
    One scripted HTTP answer.

    :param status: HTTP status.
    :param body: Body bytes, or text encoded as UTF-8.
    :param headers: Headers to send besides ``Content-Length``.
    """

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_answer(payload: Any, status: int = 200) -> Answer:
    """
    Build a JSON answer.

    :param payload: What to encode.
    :param status: HTTP status.
    """
    return Answer(status, json.dumps(payload), dict(JSON_HEADERS))


@dataclass
class Received:
    """A request the scripted server received: method, raw path with query, headers."""

    method: str
    path: str
    headers: dict[str, str]


class LocalScriptedServer:
    """
    An HTTP/1.1 server on 127.0.0.1 whose answers come from a function of the request.

    :param script: Builds the answer of each request.
    """

    def __init__(self, script: Callable[[Received], Answer]) -> None:
        self.script = script
        self.received: list[Received] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                request = Received(self.command, self.path, dict(self.headers.items()))
                owner.received.append(request)
                answer = owner.script(request)
                body = answer.body.encode() if isinstance(answer.body, str) else answer.body
                self.send_response(answer.status)
                for name, value in {"Content-Length": str(len(body)), **answer.headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                """Keep test output quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


def connection_value(base_url: str, **extra: Any) -> str:
    """
    Return an ``AIRFLOW_CONN_*`` JSON value aimed at a local server.

    :param base_url: ``http://127.0.0.1:<port>``.
    :param extra: Extras besides the API key.
    """
    return json.dumps(
        {"conn_type": "offcloud", "host": base_url, "extra": {"api_key": API_KEY, "max_attempts": 1, **extra}}
    )


# -- an event loop whose clock only moves when nothing is left to do ----------------------------------


class _FastForwardSelector:
    """A selector that, instead of sleeping until the next timer, moves the loop's clock to it."""

    def __init__(self) -> None:
        self._real = selectors.DefaultSelector()
        self.loop: VirtualClockLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = self._real.select(0)
        if ready or self.loop is None:
            return ready
        if timeout is None:
            # Nothing ready and no timer: every task waits for something that can never happen.
            raise LoopWouldHangError("every task is waiting and no timer is set: the wait would hang")
        self.loop.now += timeout
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class LoopWouldHangError(RuntimeError):
    """Raised when a virtual-clock loop has nothing ready and no timer: a real loop would block forever."""


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """
    An event loop on virtual time: sleeps and time-outs pass at once, in order, with no real waiting.

    Only code that does no real I/O can run on it (fake clients, not sockets).
    """

    def __init__(self) -> None:
        selector = _FastForwardSelector()
        super().__init__(selector=selector)  # type: ignore[arg-type]
        selector.loop = self
        self.now = 10_000.0

    def time(self) -> float:
        """Virtual seconds."""
        return self.now


def run_on_virtual_clock(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """
    Run a coroutine to its end on a fresh :class:`VirtualClockLoop`.

    :param coroutine: The test body.
    """
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


# -- a fake asynchronous client for the shared poller --------------------------------------------------


class FakeOffcloudClient:
    """
    Stands in for ``OffcloudAsyncHook``: answers from a table of statuses and counts what it is asked.

    :param statuses: The status of each item, read by both history and status reads.
    """

    def __init__(self, statuses: dict[str, str]) -> None:
        self.statuses = statuses
        self.history_reads: list[tuple[float, list[str]]] = []
        self.status_reads: list[str] = []
        self.status_gates: dict[str, asyncio.Event] = {}
        self.closed = False

    async def cloud_history(self, request_ids: Any = None, *more: Any) -> list[OffcloudItem]:
        """Answer with one entry per wanted item, as the history route does."""
        wanted = sorted(request_ids or self.statuses)
        self.history_reads.append((asyncio.get_running_loop().time(), wanted))
        return [
            normalize_item({"requestId": request_id, "status": self.statuses[request_id]})
            for request_id in wanted
            if request_id in self.statuses
        ]

    async def item_status(self, kind: str, request_id: str) -> OffcloudItem:
        """Answer an item's own status; waits on its gate first when a test set one."""
        self.status_reads.append(request_id)
        gate = self.status_gates.get(request_id)
        if gate is not None:
            await gate.wait()
        return normalize_item({"requestId": request_id, "status": self.statuses[request_id]})

    async def aclose(self) -> None:
        """Remember that the poller closed the client."""
        self.closed = True


def factory_for(client: FakeOffcloudClient) -> Callable[[str], OffcloudAsyncHook]:
    """
    Return a client factory for ``shared_poller.join`` that hands out the fake client.

    :param client: The fake client every new poller gets.
    """
    return lambda conn_id: cast("OffcloudAsyncHook", client)
