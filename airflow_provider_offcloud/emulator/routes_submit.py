"""Routes submitting links: instant, cloud and remote downloads, on old long and new short paths."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from airflow_provider_offcloud.emulator import route_names
from airflow_provider_offcloud.emulator.accounts import Addon
from airflow_provider_offcloud.emulator.endpoint import offcloud_route
from airflow_provider_offcloud.emulator.faults import FaultKind
from airflow_provider_offcloud.emulator.payloads import add_reply
from airflow_provider_offcloud.emulator.replies import (
    error_reply,
    json_reply,
    missing_parameter_reply,
    not_available_reply,
)
from airflow_provider_offcloud.emulator.store import TransferKind
from airflow_provider_offcloud.emulator.submissions import is_supported_link, submit_transfer

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.routing import Route

    from airflow_provider_offcloud.emulator.accounts import EmulatorAccount
    from airflow_provider_offcloud.emulator.endpoint import RouteContext
    from airflow_provider_offcloud.emulator.state import EmulatorState

# Links to these sites need the video add-on, whichever service they are sent to.
_VIDEO_HOSTS = ("youtube.com", "youtu.be", "vimeo.com", "dailymotion.com", "twitch.tv")


def _needs_video_addon(link: str) -> bool:
    host = (urlsplit(link).hostname or "").lower()
    return any(host == video_host or host.endswith("." + video_host) for video_host in _VIDEO_HOSTS)


#: Text of the 2026 service's HTTP 402 refusal of accounts without premium.
PREMIUM_REQUIRED = "premium required"


def _premium_required_refusal(context: RouteContext) -> Response | None:
    """Refuse a free account with HTTP 402 when the ``premium_required_402`` option is on."""
    if context.state.options.premium_required_402 and not context.owner.has_addon(Addon.PREMIUM):
        return error_reply(PREMIUM_REQUIRED, status_code=402)
    return None


def _missing_addon(account: EmulatorAccount, required: list[Addon]) -> Addon | None:
    for addon in required:
        if not account.has_addon(addon):
            return addon
    return None


async def _accepted_link(
    context: RouteContext, required: list[Addon], video_counts: bool = True
) -> tuple[str | None, Response | None]:
    """
    Read the submitted link and check the plan allows it: the link, or the refusal to answer with.

    :param context: The request context.
    :param required: Add-ons the operation needs.
    :param video_counts: Whether a video site's link needs the video add-on too.
    """
    link, refusal = await _read_link(context)
    if link is None:
        return None, refusal
    premium_refusal = _premium_required_refusal(context)
    if premium_refusal is not None:
        return None, premium_refusal

    if video_counts and _needs_video_addon(link):
        required = [*required, Addon.VIDEO]
    missing = _missing_addon(context.owner, required)
    if missing is not None:
        return None, not_available_reply(missing)
    return link, None


async def _read_link(context: RouteContext) -> tuple[str | None, Response | None]:
    link = context.params.text("url")
    if link is None:
        return None, missing_parameter_reply("url")
    link = link.strip()
    if not is_supported_link(link):
        return None, error_reply("Incorrect url", status_code=400)

    # A torrent URL is read when submitted, so a dead one fails at once with a bare JSON string.
    if urlsplit(link).path.lower().endswith(".torrent"):
        status_code = await context.state.runner.probe(link)
        if status_code is not None and status_code >= 400:
            return None, json_reply(f"Error parsing url - HTTP code: {status_code} ", status_code=500)
    return link, None


async def instant_add(context: RouteContext) -> Response:
    """
    Submit a link for instant download (needs ``links``; ``proxy`` too when ``proxyId`` is given).

    :param context: The request context.
    """
    uses_proxy = context.params.text("proxyId") is not None
    link, refusal = await _accepted_link(context, [Addon.LINKS, *([Addon.PROXY] if uses_proxy else [])])
    if link is None:
        return refusal or missing_parameter_reply("url")
    return _submit(context, TransferKind.INSTANT, link)


async def cloud_add(context: RouteContext) -> Response:
    """
    Submit a link or magnet for cloud download (needs ``cloud``).

    :param context: The request context.
    """
    link, refusal = await _accepted_link(context, [Addon.CLOUD])
    if link is None:
        return refusal or missing_parameter_reply("url")
    return _submit(context, TransferKind.CLOUD, link)


async def remote_add(context: RouteContext) -> Response:
    """
    Submit a link for delivery to a remote account (needs ``premium`` and a ``remoteOptionId``).

    :param context: The request context.
    """
    link, refusal = await _accepted_link(context, [Addon.PREMIUM], video_counts=False)
    if link is None:
        return refusal or missing_parameter_reply("url")

    remote_option_id = context.params.text("remoteOptionId")
    if remote_option_id is None:
        return missing_parameter_reply("remoteOptionId")
    remote = context.owner.remote_account(remote_option_id)
    if remote is None:
        return error_reply("The remote account was not found.")

    return _submit(context, TransferKind.REMOTE, link, remote_option_id)


def _submit(
    context: RouteContext, kind: TransferKind, link: str, remote_option_id: str | None = None
) -> Response:
    account = context.owner
    remote = account.remote_account(remote_option_id) if remote_option_id else None
    stuck = context.fault is not None and context.fault.kind is FaultKind.STUCK_CREATED
    item = submit_transfer(context.state, account, kind, link, remote=remote, never_finishes=stuck)
    return json_reply(add_reply(item, context.state.base_url))


def submit_routes(state: EmulatorState) -> list[Route]:
    """
    Build the submission routes.

    :param state: The emulator's shared state.
    """
    return [
        offcloud_route(state, "/api/instant", ["POST"], route_names.INSTANT_ADD, instant_add),
        offcloud_route(state, "/api/instant/download", ["POST"], route_names.INSTANT_ADD, instant_add),
        offcloud_route(state, "/api/cloud", ["POST"], route_names.CLOUD_ADD, cloud_add),
        offcloud_route(state, "/api/cloud/download", ["POST"], route_names.CLOUD_ADD, cloud_add),
        offcloud_route(state, "/api/remote", ["POST"], route_names.REMOTE_ADD, remote_add),
        offcloud_route(state, "/api/remote/download", ["POST"], route_names.REMOTE_ADD, remote_add),
    ]
