"""Routes about cached torrents: the old hash check, the new magnet info check and direct links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_offcloud.emulator import route_names
from airflow_provider_offcloud.emulator.endpoint import offcloud_route
from airflow_provider_offcloud.emulator.links import cached_file_link
from airflow_provider_offcloud.emulator.magnets import is_magnet, normalize_info_hash, parse_magnet
from airflow_provider_offcloud.emulator.replies import error_reply, json_reply, missing_parameter_reply

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.routing import Route

    from airflow_provider_offcloud.emulator.accounts import EmulatorAccount
    from airflow_provider_offcloud.emulator.endpoint import RouteContext
    from airflow_provider_offcloud.emulator.seeds import SeededTorrent
    from airflow_provider_offcloud.emulator.state import EmulatorState


def _cached_torrent(account: EmulatorAccount, info_hash: str | None) -> SeededTorrent | None:
    torrent = account.seeded_torrent(info_hash) if info_hash else None
    return torrent if torrent is not None and torrent.cached else None


async def cache_check(context: RouteContext) -> Response:
    """
    Answer ``{"cachedItems": [...]}`` with the cached hashes among ``hashes``, in upper case.

    Only hits are listed, in upper case as the service sometimes sends them, so clients must
    compare case-insensitively.

    :param context: The request context.
    """
    hits = []
    for raw_hash in context.params.text_list("hashes"):
        info_hash = normalize_info_hash(raw_hash)
        if _cached_torrent(context.owner, info_hash) is not None and info_hash is not None:
            hits.append(info_hash.upper())
    return json_reply({"cachedItems": hits})


async def cache_info(context: RouteContext) -> Response:
    """
    Answer one ``{"cached": bool, "files": [...]}`` entry per magnet in ``urls``, in input order.

    Bare hashes are not magnets and always answer ``cached: false``, as on the service.

    :param context: The request context.
    """
    include_files = context.params.flag("includeFiles")
    entries: list[dict[str, Any]] = []
    for link in context.params.text_list("urls"):
        torrent = None
        if is_magnet(link):
            magnet = parse_magnet(link)
            torrent = _cached_torrent(context.owner, magnet.info_hash if magnet.valid_hash else None)

        entry: dict[str, Any] = {"cached": torrent is not None}
        if include_files:
            entry["files"] = _describe_files(torrent) if torrent is not None else []
        entries.append(entry)
    return json_reply(entries)


#: The service's answer when a link has no cached content to hand out directly.
UNSUPPORTED_DIRECT_DOWNLOAD = "Unsupported link for direct download."


async def cache_download(context: RouteContext) -> Response:
    """
    Hand out direct links to a cached magnet's files without adding it to the cloud.

    Answers an array of ``{"filename", "folder", "size", "url"}`` (``folder`` as path segments, like
    ``cache/info``); a link that is not a cached magnet answers HTTP 400
    ``{"error": "Unsupported link for direct download."}``.

    :param context: The request context.
    """
    link = context.params.text("url")
    if link is None:
        return missing_parameter_reply("url")

    torrent = None
    if is_magnet(link):
        magnet = parse_magnet(link)
        torrent = _cached_torrent(context.owner, magnet.info_hash if magnet.valid_hash else None)
    if torrent is None:
        return error_reply(UNSUPPORTED_DIRECT_DOWNLOAD, status_code=400)

    base_url = context.state.base_url
    entries = _describe_files(torrent)
    for index, entry in enumerate(entries, start=1):
        entry["url"] = cached_file_link(base_url, torrent.info_hash, index, entry["filename"])
    return json_reply(entries)


def _describe_files(torrent: SeededTorrent) -> list[dict[str, Any]]:
    described = []
    for seeded_file in torrent.files:
        segments = torrent.full_path(seeded_file).split("/")
        described.append({"folder": segments[:-1], "filename": segments[-1], "size": seeded_file.byte_size})
    return described


def cache_routes(state: EmulatorState) -> list[Route]:
    """
    Build the cache routes.

    :param state: The emulator's shared state.
    """
    return [
        offcloud_route(state, "/api/cache", ["POST"], route_names.CACHE_CHECK, cache_check),
        offcloud_route(state, "/api/cache/info", ["POST"], route_names.CACHE_INFO, cache_info),
        offcloud_route(state, "/api/cache/download", ["POST"], route_names.CACHE_DOWNLOAD, cache_download),
    ]
