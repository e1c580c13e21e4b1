"""Routes describing the account: account info and stats, proxies and remote accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator import route_names
from airflow_provider_offcloud.emulator.accounts import Addon
from airflow_provider_offcloud.emulator.endpoint import offcloud_route
from airflow_provider_offcloud.emulator.replies import json_reply

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.routing import Route

    from airflow_provider_offcloud.emulator.endpoint import RouteContext
    from airflow_provider_offcloud.emulator.state import EmulatorState

PROXIES = (
    {"id": "5461b5b3b79aa2a42d6e1e00", "name": "Main (US, New York)", "region": "North America"},
    {"id": "5461b5b3b79aa2a42d6e1e01", "name": "Europe (NL, Amsterdam)", "region": "Europe"},
)

_GIB = 1024**3


async def account_info(context: RouteContext) -> Response:
    """
    Describe the account in the new snake_case form.

    :param context: The request context.
    """
    account = context.owner
    is_premium = account.has_addon(Addon.PREMIUM)
    return json_reply(
        {
            "user_id": str(account.numeric_user_id),
            "email": account.email,
            "is_premium": is_premium,
            "expiration_date": account.expiration_date.isoformat(),
            "can_download": is_premium,
        }
    )


async def account_stats(context: RouteContext) -> Response:
    """
    Describe the account in the old camelCase form with per-add-on limits.

    :param context: The request context.
    """
    account = context.owner
    limits = {
        "links": 1000 if account.has_addon(Addon.LINKS) else 0,
        "premium": 100 * _GIB if account.has_addon(Addon.PREMIUM) else 0,
        "torrent": 1000 if account.has_addon(Addon.CLOUD) else 0,
        "streaming": 1000 if account.has_addon(Addon.VIDEO) else 0,
        "cloud": 1024 * _GIB if account.has_addon(Addon.CLOUD) else 0,
        "proxy": 1 if account.has_addon(Addon.PROXY) else 0,
    }
    return json_reply(
        {
            "userId": account.user_id,
            "email": account.email,
            "isPremium": account.has_addon(Addon.PREMIUM),
            "expirationDate": account.expiration_date.strftime("%d-%m-%Y"),
            "limits": limits,
        }
    )


async def proxy_list(context: RouteContext) -> Response:
    """
    List the proxies instant downloads can use: a bare array, or ``{"list": [...]}`` when the
    ``proxy_list_envelope`` option is on.

    :param context: The request context.
    """
    if context.state.options.proxy_list_envelope:
        return json_reply({"list": list(PROXIES)})
    return json_reply(list(PROXIES))


async def remote_accounts(context: RouteContext) -> Response:
    """
    List the account's remote storage accounts under ``data``.

    :param context: The request context.
    """
    data = [
        {
            "remoteOptionId": remote.remote_option_id,
            "accountId": remote.remote_option_id,
            "type": remote.type,
            "username": remote.username,
            "status": remote.status,
            "host": remote.host,
            "port": remote.port,
        }
        for remote in context.owner.remote_accounts
    ]
    return json_reply({"data": data})


def account_routes(state: EmulatorState) -> list[Route]:
    """
    Build the account routes.

    :param state: The emulator's shared state.
    """
    return [
        offcloud_route(state, "/api/account/info", ["GET"], route_names.ACCOUNT_INFO, account_info),
        offcloud_route(state, "/api/account/stats", ["GET"], route_names.ACCOUNT_STATS, account_stats),
        offcloud_route(state, "/api/proxy", ["POST"], route_names.PROXY_LIST, proxy_list),
        offcloud_route(state, "/api/proxy/list", ["POST"], route_names.PROXY_LIST, proxy_list),
        offcloud_route(state, "/api/remote/accounts", ["POST"], route_names.REMOTE_ACCOUNTS, remote_accounts),
        offcloud_route(
            state, "/api/remote-account/list", ["POST"], route_names.REMOTE_ACCOUNTS, remote_accounts
        ),
    ]
