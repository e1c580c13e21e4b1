"""Routes of the old cookie login: password login, login check and API key retrieval."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator import route_names
from airflow_provider_offcloud.emulator.endpoint import SESSION_COOKIE, authenticate, offcloud_route
from airflow_provider_offcloud.emulator.replies import error_reply, json_reply, noauth_reply, not_found_page

if TYPE_CHECKING:
    from starlette.responses import Response
    from starlette.routing import Route

    from airflow_provider_offcloud.emulator.endpoint import RouteContext
    from airflow_provider_offcloud.emulator.state import EmulatorState


async def login(context: RouteContext) -> Response:
    """
    Check ``username`` and ``password`` and open a session carried by the ``connect.sid`` cookie.

    :param context: The request context.
    """
    if not context.state.options.password_login:
        return not_found_page(context.request.url.path)

    username = context.params.text("username")
    if username is None or "@" not in username:
        return error_reply("Please enter a valid email address.")
    account = context.state.registry.check_password(username, context.params.text("password") or "")
    if account is None:
        return error_reply("The credentials entered are wrong.")

    reply = json_reply({"email": account.email, "userId": account.user_id})
    session_id = context.state.registry.open_session(account)
    reply.set_cookie(SESSION_COOKIE, session_id, path="/", httponly=True)
    return reply


async def login_check(context: RouteContext) -> Response:
    """
    Answer ``{"loggedIn": 1}`` for a live session or valid key, ``{"loggedIn": 0}`` otherwise.

    :param context: The request context.
    """
    account = authenticate(context.request, context.params, context.state.registry)
    return json_reply({"loggedIn": 1 if account is not None else 0})


async def api_key(context: RouteContext) -> Response:
    """
    Return the account's e-mail and API key to a logged-in client.

    :param context: The request context.
    """
    if not context.state.options.password_login:
        return not_found_page(context.request.url.path)

    account = authenticate(context.request, context.params, context.state.registry)
    if account is None:
        return noauth_reply()
    return json_reply({"email": account.email, "apiKey": account.api_key})


def session_routes(state: EmulatorState) -> list[Route]:
    """
    Build the login routes.

    :param state: The emulator's shared state.
    """
    return [
        offcloud_route(state, "/api/login", ["POST"], route_names.LOGIN, login, needs_auth=False),
        offcloud_route(state, "/api/login/classic", ["POST"], route_names.LOGIN, login, needs_auth=False),
        offcloud_route(
            state, "/api/login/check", ["GET", "POST"], route_names.LOGIN_CHECK, login_check, needs_auth=False
        ),
        offcloud_route(state, "/api/check", ["GET"], route_names.LOGIN_CHECK, login_check, needs_auth=False),
        offcloud_route(state, "/api/key", ["POST"], route_names.API_KEY, api_key, needs_auth=False),
    ]
