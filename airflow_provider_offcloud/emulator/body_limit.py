"""A cap on request body size, so a huge body is refused with HTTP 413 instead of being read into memory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator.replies import error_reply

if TYPE_CHECKING:
    from starlette.responses import JSONResponse
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Largest request body read by default: far above any real API call, small enough to hold in memory.
DEFAULT_MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024


class RequestBodyTooLargeError(Exception):
    """
    The body being received has grown past the cap; raised while a route reads it.

    :param max_bytes: The cap.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        super().__init__(f"request body larger than {max_bytes} bytes")


def body_too_large_reply(max_bytes: int) -> JSONResponse:
    """
    Return HTTP 413 with the service's error envelope.

    :param max_bytes: The cap, named in the message so a client knows what to send instead.
    """
    return error_reply(f"Request body too large: at most {max_bytes} bytes are accepted.", status_code=413)


class BodyLimitMiddleware:
    """
    ASGI middleware refusing request bodies larger than a cap.

    A ``Content-Length`` above the cap is answered 413 at once, without reading the body. A body
    without a declared length (chunked) is counted as it arrives: past the cap, reading it raises
    :class:`RequestBodyTooLargeError`, which the routes turn into the same 413 answer.

    :param app: The wrapped application.
    :param max_bytes: Largest body accepted.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await body_too_large_reply(self.max_bytes)(scope, receive, send)
            return

        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestBodyTooLargeError(self.max_bytes)
            return message

        await self.app(scope, counting_receive, send)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None
