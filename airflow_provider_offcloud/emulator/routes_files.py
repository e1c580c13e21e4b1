"""Routes serving finished and cached files from disk, with HEAD, Range/206 and 416 support."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import FileResponse

from airflow_provider_offcloud.emulator import route_names
from airflow_provider_offcloud.emulator.endpoint import offcloud_route
from airflow_provider_offcloud.emulator.replies import error_reply
from airflow_provider_offcloud.emulator.store import TransferKind
from airflow_provider_offcloud.emulator.submissions import is_finished

if TYPE_CHECKING:
    from pathlib import Path

    from starlette.responses import Response
    from starlette.routing import Route

    from airflow_provider_offcloud.emulator.endpoint import RouteContext
    from airflow_provider_offcloud.emulator.state import EmulatorState
    from airflow_provider_offcloud.emulator.store import ItemFile

FILE_NOT_AVAILABLE = "The file is not available on the server."


def _locate_file(context: RouteContext) -> ItemFile | None:
    path_params = context.request.path_params
    item = context.state.store.get(path_params["request_id"])
    if item is None or item.kind is TransferKind.REMOTE or not is_finished(item):
        return None

    # The name in the link must match, so clients that forget to URL-encode it notice.
    if "index" in path_params:
        index = path_params["index"]
        if not item.is_directory or not 1 <= index <= len(item.files):
            return None
        item_file = item.files[index - 1]
        return item_file if path_params["name"] == item_file.name else None

    if item.is_directory or not item.files:
        return None
    item_file = item.files[0]
    return item_file if path_params["name"] == item_file.name else None


async def download_file(context: RouteContext) -> Response:
    """
    Stream a finished file from disk; ranges are honoured (206) or refused (416).

    Links need no credentials, like the service's download links.

    :param context: The request context.
    """
    item_file = _locate_file(context)
    if item_file is None or not item_file.disk_path.is_file():
        return error_reply(FILE_NOT_AVAILABLE, status_code=404)
    return FileResponse(item_file.disk_path, filename=item_file.name, media_type="application/octet-stream")


def _locate_cached_file(context: RouteContext) -> Path | None:
    path_params = context.request.path_params
    index = path_params["index"]
    for account in context.state.registry.accounts:
        torrent = account.seeded_torrent(path_params["info_hash"])
        if torrent is None or not torrent.cached or not 1 <= index <= len(torrent.files):
            continue
        seeded_file = torrent.files[index - 1]
        if torrent.full_path(seeded_file).rsplit("/", 1)[-1] == path_params["name"]:
            return context.state.seeds.disk_path(torrent, seeded_file)
    return None


async def download_cached_file(context: RouteContext) -> Response:
    """
    Stream a file of a cached torrent, as handed out by ``/api/cache/download``; ranges are honoured.

    :param context: The request context.
    """
    disk_path = _locate_cached_file(context)
    if disk_path is None or not disk_path.is_file():
        return error_reply(FILE_NOT_AVAILABLE, status_code=404)
    return FileResponse(disk_path, filename=disk_path.name, media_type="application/octet-stream")


def file_routes(state: EmulatorState) -> list[Route]:
    """
    Build the download routes for single-file and folder items and for cached files.

    Cached-file links count as ``file_download`` in the request log and for injected faults.

    :param state: The emulator's shared state.
    """
    return [
        offcloud_route(
            state,
            "/cloud/download/{request_id}/{index:int}/{name:path}",
            ["GET", "HEAD"],
            route_names.FILE_DOWNLOAD,
            download_file,
            needs_auth=False,
        ),
        offcloud_route(
            state,
            "/cloud/download/{request_id}/{name}",
            ["GET", "HEAD"],
            route_names.FILE_DOWNLOAD,
            download_file,
            needs_auth=False,
        ),
        offcloud_route(
            state,
            "/cache/download/{info_hash}/{index:int}/{name}",
            ["GET", "HEAD"],
            route_names.FILE_DOWNLOAD,
            download_cached_file,
            needs_auth=False,
        ),
    ]
