"""A tiny local file server standing in for the websites cloud downloads fetch from."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route

from airflow_provider_offcloud.emulator.background_server import BackgroundServer
from airflow_provider_offcloud.emulator.endpoint import DroppedConnectionResponse

if TYPE_CHECKING:
    from types import TracebackType

    from starlette.requests import Request
    from starlette.responses import Response


class OriginServer:
    """
    Serves the files of a folder over HTTP on ``127.0.0.1``, plus failure routes.

    Routes: ``/files/{path}`` serves a file (HEAD and Range included), ``/status/{code}/{name}`` answers
    that HTTP status, ``/drop/{path}`` sends half of a file and drops the connection,
    ``/redirect/{name}?to=<url>`` answers HTTP 302 to ``url``, and ``/loop/{name}`` redirects to itself.

    :param root: Folder whose files are served.
    :param host: Interface to bind; loopback by default.
    :param port: Port to bind; 0 picks a free one.
    """

    def __init__(self, root: Path | str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.hits: collections.Counter[str] = collections.Counter()
        app = Starlette(
            routes=[
                Route("/files/{path:path}", self._serve_file, methods=["GET", "HEAD"]),
                Route("/drop/{path:path}", self._serve_then_drop, methods=["GET"]),
                Route("/status/{code:int}/{name}", self._answer_status, methods=["GET", "HEAD"]),
                Route("/redirect/{name}", self._redirect, methods=["GET", "HEAD"]),
                Route("/loop/{name}", self._redirect_to_itself, methods=["GET", "HEAD"]),
            ]
        )
        self._server = BackgroundServer(app, host=host, port=port, thread_name="origin-server")

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        return self._server.base_url

    def url_for(self, relative_path: str) -> str:
        """
        Return the URL serving a file of the root folder.

        :param relative_path: Path inside the root folder, ``/``-separated.
        """
        return f"{self.base_url}/files/{quote(relative_path)}"

    def drop_url_for(self, relative_path: str) -> str:
        """
        Return a URL that sends half of a file and then drops the connection.

        :param relative_path: Path inside the root folder.
        """
        return f"{self.base_url}/drop/{quote(relative_path)}"

    def status_url(self, status_code: int, file_name: str = "missing.bin") -> str:
        """
        Return a URL answering a given HTTP status.

        :param status_code: The status to answer.
        :param file_name: Last path segment, which becomes the submitted item's name.
        """
        return f"{self.base_url}/status/{status_code}/{quote(file_name)}"

    def redirect_url(self, target: str, file_name: str = "redirected.bin") -> str:
        """
        Return a URL answering HTTP 302 with ``Location: target``.

        :param target: Where the redirect points; any URL, so tests can point it at a refused host.
        :param file_name: Last path segment, which becomes the submitted item's name.
        """
        return f"{self.base_url}/redirect/{quote(file_name)}?to={quote(target, safe='')}"

    def loop_url(self, file_name: str = "loop.bin") -> str:
        """
        Return a URL that redirects to itself forever.

        :param file_name: Last path segment, which becomes the submitted item's name.
        """
        return f"{self.base_url}/loop/{quote(file_name)}"

    def _resolve(self, relative_path: str) -> Path | None:
        candidate = (self.root / relative_path).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        return candidate

    async def _serve_file(self, request: Request) -> Response:
        relative_path = request.path_params["path"]
        self.hits[relative_path] += 1
        file_path = self._resolve(relative_path)
        if file_path is None:
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(file_path, media_type="application/octet-stream")

    async def _serve_then_drop(self, request: Request) -> Response:
        relative_path = request.path_params["path"]
        self.hits[relative_path] += 1
        file_path = self._resolve(relative_path)
        if file_path is None:
            return PlainTextResponse("Not Found", status_code=404)
        return DroppedConnectionResponse(FileResponse(file_path), after_bytes=None)

    async def _answer_status(self, request: Request) -> Response:
        status_code = request.path_params["code"]
        return PlainTextResponse(f"Status {status_code}", status_code=status_code)

    async def _redirect(self, request: Request) -> Response:
        self.hits[f"redirect/{request.path_params['name']}"] += 1
        return RedirectResponse(request.query_params.get("to", "/"), status_code=302)

    async def _redirect_to_itself(self, request: Request) -> Response:
        self.hits[f"loop/{request.path_params['name']}"] += 1
        return RedirectResponse(request.url.path, status_code=302)

    def start(self) -> OriginServer:
        """Start serving; returns the server for chaining."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> OriginServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
