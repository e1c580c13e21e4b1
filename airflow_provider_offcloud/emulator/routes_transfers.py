"""Routes following submitted transfers: status, history, retry and removal."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator import route_names
from airflow_provider_offcloud.emulator.endpoint import offcloud_route
from airflow_provider_offcloud.emulator.faults import FaultKind
from airflow_provider_offcloud.emulator.payloads import history_entry, status_entry
from airflow_provider_offcloud.emulator.replies import (
    error_reply,
    json_reply,
    missing_parameter_reply,
    transfer_not_found_reply,
)
from airflow_provider_offcloud.emulator.store import TransferKind, TransferStatus
from airflow_provider_offcloud.emulator.submissions import restart_transfer

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.routing import Route

    from airflow_provider_offcloud.emulator.endpoint import Handler, RouteContext
    from airflow_provider_offcloud.emulator.state import EmulatorState
    from airflow_provider_offcloud.emulator.store import TransferItem


def _status_handler(kind: TransferKind) -> Handler:
    async def status(context: RouteContext) -> Response:
        # One id per call: the plural batch form is refused like on the service.
        request_id = context.params.text("requestId")
        if request_id is None:
            return missing_parameter_reply("requestId")

        item = context.state.store.get_owned(request_id, context.owner.email, kind)
        if item is None:
            return transfer_not_found_reply()

        stuck = context.fault is not None and context.fault.kind is FaultKind.STUCK_CREATED
        return json_reply({"status": status_entry(item, context.state.options.server_name, stuck)})

    return status


def _history_handler(kind: TransferKind) -> Handler:
    async def history(context: RouteContext) -> Response:
        server_name = context.state.options.server_name
        items = context.state.store.history(context.owner.email, kind)
        return json_reply([history_entry(item, server_name) for item in items])

    return history


def _retry_handler(kind: TransferKind) -> Handler:
    async def retry(context: RouteContext) -> Response:
        request_id = context.request.path_params["request_id"]
        item = context.state.store.get_owned(request_id, context.owner.email, kind)
        if item is None:
            return transfer_not_found_reply()
        if item.status is not TransferStatus.ERROR:
            return error_reply("Only failed transfers can be retried.")

        restart_transfer(context.state, context.owner, item)
        return json_reply({"success": True})

    return retry


def _remove_item(context: RouteContext, item: TransferItem) -> None:
    state = context.state
    state.store.remove(item.request_id)
    state.runner.cancel(item)
    # Seeded content lives elsewhere and is shared, so only the item's own folder is deleted.
    if item.kind is not TransferKind.REMOTE:
        shutil.rmtree(state.cloud_directory(item.request_id), ignore_errors=True)


def _owned_item(context: RouteContext, request_id: str) -> TransferItem | None:
    item = context.state.store.get(request_id)
    if item is None or item.owner_email != context.owner.email:
        return None
    return item


async def remove_one(context: RouteContext) -> Response:
    """
    Delete one item at once, by GET (``/api/cloud/remove/{id}`` or ``/cloud/remove/{id}``).

    :param context: The request context.
    """
    item = _owned_item(context, context.request.path_params["request_id"])
    if item is None:
        return transfer_not_found_reply()
    _remove_item(context, item)
    return json_reply({"success": True})


async def remove_many(context: RouteContext) -> Response:
    """
    Delete the items listed in ``{"requests": [...]}``; unknown ids are skipped.

    :param context: The request context.
    """
    request_ids = context.params.text_list("requests")
    if not request_ids:
        return missing_parameter_reply("requests")
    for request_id in request_ids:
        item = _owned_item(context, request_id)
        if item is not None:
            _remove_item(context, item)
    return json_reply({"success": True})


def transfer_routes(state: EmulatorState) -> list[Route]:
    """
    Build the status, history, retry and removal routes.

    :param state: The emulator's shared state.
    """
    status_paths = (
        ("/api/cloud/status", route_names.CLOUD_STATUS, TransferKind.CLOUD),
        ("/api/remote/status", route_names.REMOTE_STATUS, TransferKind.REMOTE),
        ("/api/instant/status", route_names.INSTANT_STATUS, TransferKind.INSTANT),
    )
    history_paths = (
        ("/api/cloud/history", route_names.CLOUD_HISTORY, TransferKind.CLOUD),
        ("/api/instant/history", route_names.INSTANT_HISTORY, TransferKind.INSTANT),
    )
    retry_paths = (
        ("/api/cloud/retry/{request_id}", route_names.CLOUD_RETRY, TransferKind.CLOUD),
        ("/api/remote/retry/{request_id}", route_names.REMOTE_RETRY, TransferKind.REMOTE),
    )
    remove_paths = ("/api/cloud/remove/{request_id}", "/cloud/remove/{request_id}")
    return [
        *(
            offcloud_route(state, path, ["POST"], name, _status_handler(kind))
            for path, name, kind in status_paths
        ),
        *(
            offcloud_route(state, path, ["GET"], name, _history_handler(kind))
            for path, name, kind in history_paths
        ),
        *(
            offcloud_route(state, path, ["GET"], name, _retry_handler(kind))
            for path, name, kind in retry_paths
        ),
        *(
            offcloud_route(state, path, ["GET"], route_names.CLOUD_REMOVE, remove_one)
            for path in remove_paths
        ),
        offcloud_route(state, "/api/cloud/remove", ["POST"], route_names.CLOUD_REMOVE, remove_many),
    ]
