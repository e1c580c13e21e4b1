"""The emulator as the benchmarks run it: its own process, plus ``/bench/...`` routes to set up and count."""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from airflow_provider_offcloud.emulator.app import build_app
from airflow_provider_offcloud.emulator.background_server import (
    bind_socket,
    quiet_uvicorn_logging,
    uvicorn_config,
)
from airflow_provider_offcloud.emulator.demo import demo_account
from airflow_provider_offcloud.emulator.links import single_file_link
from airflow_provider_offcloud.emulator.request_log import RequestLog, RequestLogEntry
from airflow_provider_offcloud.emulator.state import EmulatorOptions, EmulatorState
from airflow_provider_offcloud.emulator.store import ItemFile, TransferItem, TransferKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from starlette.requests import Request
    from starlette.types import ASGIApp, Receive, Scope, Send

#: Path prefix of the benchmark's own routes; everything else is the emulator.
ADMIN_PREFIX = "/bench/"

_SMALL_FILE_NAME = "bench-item.bin"
_SMALL_FILE_SIZE = 4096


class CountingRequestLog(RequestLog):
    """
    A request log that also counts every request per route and keeps when each one was served.

    The emulator's own log keeps only the last entries; a benchmark at 10,000 waits needs every request.
    """

    def __init__(self) -> None:
        super().__init__(max_entries=1)
        self.counts: collections.Counter[str] = collections.Counter()
        self.times: list[tuple[float, str]] = []

    def record(self, entry: RequestLogEntry) -> None:
        """
        Count one served request.

        :param entry: The served request.
        """
        self.counts[entry.route] += 1
        self.times.append((time.time(), entry.route))

    def clear(self) -> None:
        """Forget every count."""
        self.counts.clear()
        self.times.clear()


class ConnectionCounter:
    """
    ASGI wrapper counting the client connections requests arrive on (distinct client address and port).

    :param app: The wrapped application.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.clients: set[tuple[str, int]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] == "http" and client and not scope["path"].startswith(ADMIN_PREFIX):
            self.clients.add((str(client[0]), int(client[1])))
        await self.app(scope, receive, send)


class BenchControl:
    """
    What the ``/bench/...`` routes do: create items, finish them on a schedule, inject faults, report counts.

    :param state: The emulator's shared state.
    :param connections: The connection counter wrapping the emulator.
    """

    def __init__(self, state: EmulatorState, connections: ConnectionCounter) -> None:
        self.state = state
        self.connections = connections
        self.request_log: CountingRequestLog = state.request_log  # type: ignore[assignment]
        self.finished_at: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._small_file = state.data_dir / "bench" / _SMALL_FILE_NAME

    def routes(self) -> list[Route]:
        """The benchmark routes."""
        return [
            Route(f"{ADMIN_PREFIX}counts", self.counts, methods=["GET"]),
            Route(f"{ADMIN_PREFIX}reset", self.reset, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}items", self.create_items, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}finished", self.finished, methods=["GET"]),
            Route(f"{ADMIN_PREFIX}file", self.create_file_item, methods=["POST"]),
            Route(f"{ADMIN_PREFIX}fault", self.inject_fault, methods=["POST"]),
        ]

    async def counts(self, request: Request) -> JSONResponse:
        """Requests per route, request times, and client connections since the last reset."""
        return JSONResponse(
            {
                "routes": dict(self.request_log.counts),
                "times": self.request_log.times,
                "connections": len(self.connections.clients),
            }
        )

    async def reset(self, request: Request) -> JSONResponse:
        """Forget counts, connections, finish times and faults."""
        self.request_log.clear()
        self.connections.clients.clear()
        self.finished_at.clear()
        self.state.faults.clear()
        return JSONResponse({"ok": True})

    async def create_items(self, request: Request) -> JSONResponse:
        """
        Create cloud items in ``created`` that turn ``downloaded`` at given epoch times.

        Body: ``{"finish_at": [epoch seconds, ...]}``, one entry per item; ``null`` never finishes.
        """
        body = await request.json()
        finish_times: list[float | None] = body["finish_at"]
        account = self.state.registry.accounts[0]
        self._ensure_small_file()

        schedule: list[tuple[float, TransferItem]] = []
        request_ids: list[str] = []
        for finish_at in finish_times:
            request_id = self.state.ids.next_id()
            item = TransferItem(
                request_id=request_id,
                kind=TransferKind.CLOUD,
                owner_email=account.email,
                submitted_link=f"http://127.0.0.1/bench/{request_id}/{_SMALL_FILE_NAME}",
                original_link=f"http://127.0.0.1/bench/{request_id}/{_SMALL_FILE_NAME}",
                dedup_key=f"bench:{request_id}",
                file_name=_SMALL_FILE_NAME,
                site="127.0.0.1",
            )
            self.state.store.add(item)
            request_ids.append(request_id)
            if finish_at is not None:
                schedule.append((float(finish_at), item))

        schedule.sort(key=lambda planned: planned[0])
        task = asyncio.get_running_loop().create_task(self._finish_on_schedule(schedule))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return JSONResponse({"request_ids": request_ids})

    async def finished(self, request: Request) -> JSONResponse:
        """Epoch seconds at which each scheduled item actually turned ``downloaded``."""
        return JSONResponse(self.finished_at)

    async def create_file_item(self, request: Request) -> JSONResponse:
        """
        Create a downloaded cloud item holding one sparse file of a given size, for transfer benchmarks.

        Body: ``{"size": bytes, "name": file name}``. Answers the request id and the download link.
        """
        body = await request.json()
        size, name = int(body["size"]), str(body["name"])
        account = self.state.registry.accounts[0]
        request_id = self.state.ids.next_id()
        disk_path = self.state.data_dir / "bench" / request_id / name
        disk_path.parent.mkdir(parents=True, exist_ok=True)
        # Sparse: a gigabyte appears at once and takes no disk space; the server reads it like any file.
        with disk_path.open("wb") as handle:
            handle.truncate(size)

        item = TransferItem(
            request_id=request_id,
            kind=TransferKind.CLOUD,
            owner_email=account.email,
            submitted_link=f"http://127.0.0.1/bench/{name}",
            original_link=f"http://127.0.0.1/bench/{name}",
            dedup_key=f"bench:{request_id}",
            file_name=name,
            site="127.0.0.1",
        )
        item.mark_downloaded([ItemFile(path=name, size=size, disk_path=disk_path)], is_directory=False)
        self.state.store.add(item)
        link = single_file_link(self.state.base_url, request_id, name)
        return JSONResponse({"request_id": request_id, "url": link})

    async def inject_fault(self, request: Request) -> JSONResponse:
        """Inject a fault; the body holds the keyword arguments of ``FaultInjector.inject``."""
        body: dict[str, Any] = await request.json()
        self.state.faults.inject(body.pop("route"), body.pop("kind"), **body)
        return JSONResponse({"ok": True})

    def _ensure_small_file(self) -> None:
        if not self._small_file.exists():
            self._small_file.parent.mkdir(parents=True, exist_ok=True)
            self._small_file.write_bytes(b"\0" * _SMALL_FILE_SIZE)

    async def _finish_on_schedule(self, schedule: list[tuple[float, TransferItem]]) -> None:
        for finish_at, item in schedule:
            pause = finish_at - time.time()
            if pause > 0:
                await asyncio.sleep(pause)
            files = [ItemFile(path=item.file_name, size=_SMALL_FILE_SIZE, disk_path=self._small_file)]
            item.mark_downloaded(files, is_directory=False)
            self.finished_at[item.request_id] = time.time()


def build_bench_app(state: EmulatorState) -> tuple[ASGIApp, BenchControl]:
    """
    Build the emulator with request counting, and the benchmark routes beside it.

    :param state: The emulator's state; its request log is replaced by a counting one.
    """
    state.request_log = CountingRequestLog()
    connections = ConnectionCounter(build_app(state))
    control = BenchControl(state, connections)
    admin = Starlette(routes=control.routes())

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(ADMIN_PREFIX):
            await admin(scope, receive, send)
            return
        await connections(scope, receive, send)

    return dispatch, control


def main(argv: Sequence[str] | None = None) -> int:
    """
    Serve the benchmark emulator on 127.0.0.1 until terminated.

    :param argv: Command line arguments without the program name.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="loopback port to bind")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder for content (default: temporary)")
    parser.add_argument(
        "--uncached-step-delay",
        type=float,
        default=0.02,
        help="seconds per progress step of uncached torrents",
    )
    arguments = parser.parse_args(argv)

    listening_socket = bind_socket("127.0.0.1", arguments.port)
    data_dir = arguments.data_dir or Path(tempfile.mkdtemp(prefix="offcloud-bench-"))
    options = EmulatorOptions(uncached_step_delay=arguments.uncached_step_delay)
    state = EmulatorState([demo_account()], data_dir, seed=1, options=options)
    state.base_url = f"http://127.0.0.1:{arguments.port}"
    app, _control = build_bench_app(state)

    quiet_uvicorn_logging()
    try:
        uvicorn.Server(uvicorn_config(app, "127.0.0.1", arguments.port)).run(sockets=[listening_socket])
    finally:
        if arguments.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
