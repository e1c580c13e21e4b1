"""Record of the requests the emulator served: method, path, route name and status, never secrets."""

from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator.route_names import NOT_FOUND

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Longest path shown by :meth:`RequestLogEntry.as_line`; longer ones are cut and end with ``...``.
MAX_SHOWN_PATH_LENGTH = 200


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

    def as_line(self) -> str:
        """
        Return the entry as one line of text: method, path, route name, status.

        Characters that could break the line or fake another one (new lines, terminal escapes) are shown
        as escapes, and very long paths are cut, because anyone who can reach the port chooses the path.
        """
        path = self.path
        if len(path) > MAX_SHOWN_PATH_LENGTH:
            path = path[:MAX_SHOWN_PATH_LENGTH] + "..."
        shown_path = "".join(char if char.isprintable() else repr(char)[1:-1] for char in path)
        shown_method = "".join(char if char.isprintable() else repr(char)[1:-1] for char in self.method)
        return f"{shown_method} {shown_path} {self.route} {self.status_code}"


class RequestLog:
    """
    Keeps the most recent requests, oldest first.

    :param max_entries: How many entries to keep; older ones are dropped so a long benchmark does
        not grow memory without bound.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: collections.deque[RequestLogEntry] = collections.deque(maxlen=max_entries)
        self._listeners: list[Callable[[RequestLogEntry], None]] = []

    def add_listener(self, listener: Callable[[RequestLogEntry], None]) -> None:
        """
        Call a function with every entry recorded from now on, such as a printer of request lines.

        Listeners run on the server's event loop: they must be quick and must not raise.

        :param listener: Function taking the new entry.
        """
        self._listeners.append(listener)

    def record(self, entry: RequestLogEntry) -> None:
        """
        Append an entry and hand it to the listeners.

        :param entry: The served request.
        """
        self._entries.append(entry)
        for listener in self._listeners:
            listener(entry)

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
