"""Record of the requests the emulator served: method, path, route name and status, never secrets."""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator.route_names import NOT_FOUND

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class RequestLogEntry:
    """
    One served request.

    The query string, headers and body are left out on purpose: they carry API keys, passwords and
    session cookies.

    :param method: HTTP method.
    :param path: URL path without the query string.
    :param route: Name of the matched route, ``not_found`` when none matched.
    :param status_code: HTTP status sent, or 0 when the connection dropped before a status.
    """

    method: str
    path: str
    route: str
    status_code: int


class RequestLog:
    """
    Keeps the most recent requests, oldest first.

    :param max_entries: How many entries to keep; older ones are dropped so a long benchmark does
        not grow memory without bound.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: collections.deque[RequestLogEntry] = collections.deque(maxlen=max_entries)

    def record(self, entry: RequestLogEntry) -> None:
        """
        Append an entry.

        :param entry: The served request.
        """
        self._entries.append(entry)

    def entries(self, route: str | None = None) -> list[RequestLogEntry]:
        """
        Return a snapshot of the log.

        :param route: Only entries of this route name when given.
        """
        snapshot = list(self._entries)
        if route is None:
            return snapshot
        return [entry for entry in snapshot if entry.route == route]

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()


class RequestLogMiddleware:
    """
    ASGI middleware writing one :class:`RequestLogEntry` per HTTP request.

    Written as plain ASGI rather than a Starlette ``BaseHTTPMiddleware`` because the status route
    must stay fast; it only watches the response start message.

    :param app: The wrapped application.
    :param request_log: Where entries go.
    """

    def __init__(self, app: ASGIApp, request_log: RequestLog) -> None:
        self.app = app
        self.request_log = request_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        status_code = 0

        async def send_and_watch(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_watch)
        finally:
            route = scope.get("route")
            route_name = getattr(route, "name", None) or NOT_FOUND
            self.request_log.record(
                RequestLogEntry(
                    method=scope["method"], path=scope["path"], route=route_name, status_code=status_code
                )
            )
