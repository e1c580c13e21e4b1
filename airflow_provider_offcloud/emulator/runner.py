"""Background work that moves transfers forward: fetching links, finishing seeded torrents, remote copies."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import httpx

from airflow_provider_offcloud.emulator.file_names import UnsafeFileNameError, path_inside
from airflow_provider_offcloud.emulator.speed import average_speed
from airflow_provider_offcloud.emulator.store import ItemFile, TransferItem, TransferStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Coroutine
    from pathlib import Path
    from typing import Any

    from airflow_provider_offcloud.emulator.seeds import SeededTorrent, SeedLibrary
    from airflow_provider_offcloud.emulator.state import EmulatorOptions


#: Redirect hops followed when fetching a link; each hop's host must be allowed.
MAX_REDIRECTS = 5

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_FETCHED_SCHEMES = frozenset({"http", "https"})


class DisallowedHostError(Exception):
    """
    A link, or a redirect on the way to it, points at a host the emulator may not fetch from.

    :param host: The host refused.
    """

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(f"host {host} is not reachable from this server")


class TransferRunner:
    """
    Runs each transfer as a task on the server's event loop.

    Links are fetched with a streamed ``httpx`` request written chunk by chunk to a ``.part`` file,
    so large files never sit in memory; the item's ``amount``, ``fileSize`` and speed follow the
    bytes received, the speed being averaged since the download started (see
    :func:`~airflow_provider_offcloud.emulator.speed.average_speed`). Redirects are followed by hand, at
    most :data:`MAX_REDIRECTS` hops, and every hop's host must be in ``allowed_fetch_hosts``: a redirect
    elsewhere ends the item in ``error`` without any request to that host.

    :param options: Emulator options (chunk size, delays, allowed hosts).
    :param seeds: Where seeded torrents' content lives.
    :param clock: Monotonic clock in seconds the speeds are measured with; replaceable in tests.
    """

    def __init__(
        self, options: EmulatorOptions, seeds: SeedLibrary, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._options = options
        self._seeds = seeds
        self._clock = clock
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def fetch_link(self, item: TransferItem, destination: Path) -> None:
        """
        Start downloading an item's http(s) link into a folder.

        :param item: The transfer; its ``submitted_link`` is fetched and its ``file_name`` used.
        :param destination: Folder receiving the file.
        """
        self._start(item, self._fetch(item, destination))

    def finish_seeded(self, item: TransferItem, torrent: SeededTorrent, destination: Path | None) -> None:
        """
        Bring a seeded torrent's item to ``downloaded`` after simulated progress.

        :param item: The transfer.
        :param torrent: The seeded torrent it resolves to.
        :param destination: Folder to copy the files into (remote transfers); ``None`` serves the
            seeded files in place.
        """
        self._start(item, self._simulate_seeded(item, torrent, destination))

    def seeded_files(self, torrent: SeededTorrent) -> list[ItemFile]:
        """
        Return an item's file list pointing at a seeded torrent's stored content.

        :param torrent: The seeded torrent.
        """
        return [
            ItemFile(
                path=torrent.full_path(seeded_file),
                size=seeded_file.byte_size,
                disk_path=self._seeds.disk_path(torrent, seeded_file),
            )
            for seeded_file in torrent.files
        ]

    def copy_seeded(self, torrent: SeededTorrent, destination: Path) -> list[ItemFile]:
        """
        Copy a seeded torrent's files into a folder, keeping its layout.

        :param torrent: The seeded torrent.
        :param destination: Target folder.
        """
        copied = []
        for seeded in self.seeded_files(torrent):
            target = destination.joinpath(*seeded.path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(seeded.disk_path, target)
            copied.append(ItemFile(path=seeded.path, size=seeded.size, disk_path=target))
        return copied

    async def probe(self, link: str) -> int | None:
        """
        Return the HTTP status an allowed host answers for a link, or ``None`` when unknown.

        :param link: An http(s) link.
        """
        try:
            async with self._open(link) as response:
                return response.status_code
        except (httpx.HTTPError, DisallowedHostError):
            return None

    def cancel(self, item: TransferItem) -> None:
        """
        Stop an item's running task, if any.

        :param item: The transfer.
        """
        if item.task is not None and not item.task.done():
            item.task.cancel()

    async def aclose(self) -> None:
        """Cancel every running transfer and close the HTTP client."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _start(self, item: TransferItem, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        # The loop only keeps weak references to tasks; hold them until they end.
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        item.task = task

    def _http_client(self) -> httpx.AsyncClient:
        if self._client is None:
            # trust_env=False: proxy variables of the test machine must not redirect local fetches.
            # follow_redirects=False: _open follows them itself, checking every hop's host.
            self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=30.0)
        return self._client

    def _check_fetchable(self, link: str) -> None:
        parts = urlsplit(link)
        host = parts.hostname or ""
        if parts.scheme.lower() not in _FETCHED_SCHEMES or host not in self._options.allowed_fetch_hosts:
            raise DisallowedHostError(host or parts.scheme)

    @contextlib.asynccontextmanager
    async def _open(self, link: str) -> AsyncIterator[httpx.Response]:
        """
        GET a link as a streamed response, following redirects one checked hop at a time.

        :raises DisallowedHostError: before any request to a host outside ``allowed_fetch_hosts``.
        :raises httpx.TooManyRedirects: past :data:`MAX_REDIRECTS` hops.
        """
        client = self._http_client()
        current = link
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_fetchable(current)
            response = await client.send(client.build_request("GET", current), stream=True)
            location = response.headers.get("location")
            if response.status_code in _REDIRECT_STATUSES and location:
                await response.aclose()
                current = urljoin(current, location)
                continue
            try:
                yield response
            finally:
                await response.aclose()
            return
        raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")

    async def _fetch(self, item: TransferItem, destination: Path) -> None:
        host = urlsplit(item.submitted_link).hostname or ""
        if host not in self._options.allowed_fetch_hosts:
            item.mark_error(f"Error parsing url - host {host} is not reachable from this server ")
            return

        try:
            part_path = path_inside(destination, f"{item.file_name}.part")
            final_path = path_inside(destination, item.file_name)
        except UnsafeFileNameError as error:
            item.mark_error(f"Error during downloading: {error}")
            return
        except OSError as error:
            item.mark_error(f"Error during downloading {item.file_name}: {_failure_reason(error)}")
            return

        # Every way out of a download ends the item, so a wait on it never hangs on a crashed task.
        try:
            await self._stream_to_disk(item, part_path)
            if item.status is TransferStatus.ERROR:
                _discard(part_path)
                return
            part_path.replace(final_path)
            final_size = final_path.stat().st_size
        except DisallowedHostError as error:
            _discard(part_path)
            item.mark_error(f"Error parsing url - {error} ")
            return
        except (httpx.HTTPError, OSError) as error:
            _discard(part_path)
            item.mark_error(f"Error during downloading {item.file_name}: {_failure_reason(error)}")
            return
        except asyncio.CancelledError:
            # A removed item's task is cancelled; leave no half-written file behind.
            _discard(part_path)
            raise

        item.mark_downloaded(
            [ItemFile(path=item.file_name, size=final_size, disk_path=final_path)], is_directory=False
        )

    async def _stream_to_disk(self, item: TransferItem, part_path: Path) -> None:
        # Timed from the request, not from the answer: connecting is part of a download's time.
        started = self._clock()
        async with self._open(item.submitted_link) as response:
            if response.status_code >= 400:
                item.mark_error(f"Error parsing url - HTTP code: {response.status_code} ")
                return

            declared_length = response.headers.get("content-length")
            total_size = int(declared_length) if declared_length and declared_length.isdigit() else None
            part_path.parent.mkdir(parents=True, exist_ok=True)
            received = 0
            item.mark_downloading(0, total_size, 0.0)

            with part_path.open("wb") as handle:
                async for chunk in response.aiter_bytes(self._options.download_chunk_size):
                    handle.write(chunk)
                    received += len(chunk)
                    item.mark_downloading(
                        received, total_size, average_speed(received, self._clock() - started)
                    )
                    if self._options.download_chunk_delay:
                        await asyncio.sleep(self._options.download_chunk_delay)

    async def _simulate_seeded(
        self, item: TransferItem, torrent: SeededTorrent, destination: Path | None
    ) -> None:
        total_size = torrent.total_size
        steps = max(self._options.uncached_steps, 1)
        started = self._clock()
        for step in range(steps):
            await asyncio.sleep(self._options.uncached_step_delay)
            amount = total_size * step // steps
            item.mark_downloading(amount, total_size, average_speed(amount, self._clock() - started))

        if destination is None:
            item.mark_downloaded(self.seeded_files(torrent), is_directory=torrent.is_directory)
            return
        item.mark_downloaded(self.copy_seeded(torrent, destination), is_directory=torrent.is_directory)


def _discard(part_path: Path) -> None:
    """Remove a half-written file; a failure here must not hide the error that ended the download."""
    with contextlib.suppress(OSError):
        part_path.unlink(missing_ok=True)


def _failure_reason(error: Exception) -> str:
    """Say why a download failed the way the service does: briefly, without local paths."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__
