"""Test doubles for transfer tests: a download server with Range support and bodies that break."""

from __future__ import annotations

import io
from typing import Any

import urllib3

API = "http://127.0.0.1:9"
CDN = "http://127.0.0.1:10"
API_KEY = "K" * 32
CONN_ID = "offcloud_transfer_test"
REQUEST_ID = "687c464c70af281d65927375"


class RecordingBody(io.RawIOBase):
    """
    A response body that remembers how much was asked of it at once, and can break after some bytes.

    :param content: The bytes to serve.
    :param break_after: Serve this many bytes, then fail as a dropped connection does.
    """

    def __init__(self, content: bytes, break_after: int | None = None) -> None:
        self._content = content
        self._position = 0
        self._break_after = break_after
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        wanted = len(self._content) - self._position if size is None or size < 0 else size
        self.largest_read = max(self.largest_read, wanted)
        if self._break_after is not None and self._position >= self._break_after:
            raise urllib3.exceptions.ProtocolError("Connection broken: peer closed the connection")
        end = self._position + wanted
        if self._break_after is not None:
            end = min(end, self._break_after)
        chunk = self._content[self._position : end]
        self._position += len(chunk)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def file_entry(path: str, content: bytes | None, url: str, size: int | None = None) -> dict[str, Any]:
    """One entry of a detailed explore answer."""
    return {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "size": size if size is not None else (len(content) if content is not None else None),
        "url": url,
    }


def mock_item(requests_mock: Any, files: list[dict[str, Any]], status: str = "downloaded") -> None:
    """Answer the status and detailed explore calls of the test item."""
    requests_mock.post(
        f"{API}/api/cloud/status",
        json={"status": {"requestId": REQUEST_ID, "status": status, "fileName": "item"}},
    )
    requests_mock.get(f"{API}/api/cloud/explore/{REQUEST_ID}", json={"files": files})


class FakeFileServer:
    """
    A requests-mock matcher serving one file the way a download server does, with ``Range`` support.

    :param url: The link it answers.
    :param content: The file.
    :param breaks: For the first requests, in order: serve this many body bytes then drop (``None``: no drop).
    :param ignore_range: Answer 200 with the whole file even when a range is asked.
    :param statuses: For the first requests, in order: answer this status (with a short body) instead.
    """

    def __init__(
        self,
        url: str,
        content: bytes,
        *,
        breaks: list[int | None] | None = None,
        ignore_range: bool = False,
        statuses: list[int] | None = None,
    ) -> None:
        self.url = url
        self.content = content
        self.breaks = list(breaks or [])
        self.ignore_range = ignore_range
        self.statuses = list(statuses or [])
        self.requests: list[Any] = []
        self.bodies: list[RecordingBody] = []

    def __call__(self, request: Any) -> Any:
        import requests_mock

        if request.url.split("?")[0] != self.url:
            return None
        self.requests.append(request)
        if self.statuses:
            status = self.statuses.pop(0)
            return requests_mock.create_response(
                request, status_code=status, json={"error": "busy"}, headers={"Retry-After": "0"}
            )

        start = 0
        status = 200
        headers = {"Content-Type": "application/octet-stream"}
        wanted = request.headers.get("Range")
        if wanted and not self.ignore_range:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(self.content):
                return requests_mock.create_response(
                    request, status_code=416, headers={"Content-Range": f"bytes */{len(self.content)}"}
                )
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(self.content) - 1}/{len(self.content)}"
        body_bytes = self.content[start:]
        headers["Content-Length"] = str(len(body_bytes))
        break_after = self.breaks.pop(0) if self.breaks else None
        body = RecordingBody(body_bytes, break_after=break_after)
        self.bodies.append(body)
        return requests_mock.create_response(
            request, status_code=status, headers=headers, raw=None, body=body
        )

    @property
    def ranges(self) -> list[str | None]:
        """The ``Range`` header of every request received, in order."""
        return [request.headers.get("Range") for request in self.requests]
