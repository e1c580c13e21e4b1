"""Routes listing a finished item's files: explore (plain and detailed) and the text list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import PlainTextResponse

from airflow_provider_offcloud.emulator import route_names
from airflow_provider_offcloud.emulator.endpoint import offcloud_route
from airflow_provider_offcloud.emulator.links import control_file_link, item_file_links
from airflow_provider_offcloud.emulator.replies import (
    error_reply,
    json_reply,
    missing_parameter_reply,
    transfer_not_found_reply,
)
from airflow_provider_offcloud.emulator.store import TransferKind
from airflow_provider_offcloud.emulator.submissions import is_finished

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.routing import Route

    from airflow_provider_offcloud.emulator.endpoint import RouteContext
    from airflow_provider_offcloud.emulator.state import EmulatorState
    from airflow_provider_offcloud.emulator.store import TransferItem

NOT_DOWNLOADED_YET = "The file has not been downloaded yet."


def _find_item(context: RouteContext) -> tuple[TransferItem | None, Response | None]:
    request_id = context.request.path_params.get("request_id") or context.params.text("requestId")
    if request_id is None:
        return None, missing_parameter_reply("requestId")

    item = context.state.store.get_owned(request_id, context.owner.email, TransferKind.CLOUD)
    if item is None:
        return None, transfer_not_found_reply()
    if not is_finished(item):
        return None, error_reply(NOT_DOWNLOADED_YET)
    return item, None


async def explore(context: RouteContext) -> Response:
    """
    List a folder item's download links; ``format=detailed`` gives ``{"files": [...]}`` for any item.

    Without ``format=detailed`` a single-file item answers ``{"error": "Bad archive"}``, as the old
    service did. The ``detailed_explore`` option off makes ``format=detailed`` ignored, and
    ``aria2_control_files`` adds a control file to the plain listing of folder items.

    :param context: The request context.
    """
    item, refusal = _find_item(context)
    if item is None:
        return refusal or transfer_not_found_reply()

    links = item_file_links(context.state.base_url, item)
    options = context.state.options
    if options.detailed_explore and context.params.text("format") == "detailed":
        files = [
            {"id": index, "name": item_file.name, "size": item_file.size, "path": item_file.path, "url": link}
            for index, (item_file, link) in enumerate(zip(item.files, links, strict=True), start=1)
        ]
        return json_reply({"files": files})

    if not item.is_directory:
        return error_reply("Bad archive")
    return json_reply(_with_control_file(context, item, links))


async def list_links(context: RouteContext) -> Response:
    """
    List an item's download links as plain text, one per line.

    :param context: The request context.
    """
    item, refusal = _find_item(context)
    if item is None:
        return refusal or transfer_not_found_reply()
    links = _with_control_file(context, item, item_file_links(context.state.base_url, item))
    return PlainTextResponse("".join(f"{link}\n" for link in links))


def _with_control_file(context: RouteContext, item: TransferItem, links: list[str]) -> list[str]:
    """Append the ``.aria2`` control file old listings showed for folder items, when that option is on."""
    if not (context.state.options.aria2_control_files and item.is_directory):
        return links
    return [*links, control_file_link(context.state.base_url, item)]


def explore_routes(state: EmulatorState) -> list[Route]:
    """
    Build the explore and list routes.

    :param state: The emulator's shared state.
    """
    return [
        offcloud_route(state, "/api/cloud/explore/{request_id}", ["GET"], route_names.CLOUD_EXPLORE, explore),
        offcloud_route(state, "/api/cloud/explore", ["GET", "POST"], route_names.CLOUD_EXPLORE, explore),
        offcloud_route(state, "/api/cloud/list/{request_id}", ["GET"], route_names.CLOUD_LIST, list_links),
    ]
