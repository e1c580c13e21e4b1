"""Helpers of the adversarial tests: a scripted HTTP server on 127.0.0.1 and connections aimed at it."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

API_KEY = "ADVERSARIALKEY00000000000000000000"


@dataclass
class Reply:
    """
    One scripted answer.

    :param status: HTTP status.
    :param body: Body bytes (text is encoded as UTF-8).
    :param headers: Extra headers.
    """

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SeenRequest:
    """A request the scripted server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    """
    An HTTP server on 127.0.0.1 whose answers come from a function of the request.

    :param answer: Builds the reply of each request.
    """

    def __init__(self, answer: Callable[[SeenRequest], Reply]) -> None:
        self.answer = answer
        self.seen: list[SeenRequest] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = SeenRequest(self.command, self.path, dict(self.headers.items()), body)
                server.seen.append(request)
                reply = server.answer(request)
                payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                headers = {"Content-Length": str(len(payload)), **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = _handle

            def log_message(self, *args: Any) -> None:
                """Keep the test output quiet."""

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> ScriptedServer:
        """Start serving in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()


def connection_json(base_url: str, **extra: Any) -> str:
    """
    Return an ``AIRFLOW_CONN_*`` value aimed at a local server, with the test API key.

    :param base_url: ``http://127.0.0.1:<port>``.
    :param extra: More extras (``api_key_location``, ``max_attempts``...).
    """
    return json.dumps({"conn_type": "offcloud", "host": base_url, "extra": {"api_key": API_KEY, **extra}})
