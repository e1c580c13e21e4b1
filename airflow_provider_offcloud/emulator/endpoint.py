"""The wrapper every emulator route goes through: injected faults, parameters and authentication."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.routing import Route

from airflow_provider_offcloud.emulator.body_limit import RequestBodyTooLargeError, body_too_large_reply
from airflow_provider_offcloud.emulator.faults import DEFAULT_BARE_STRING, Fault, FaultKind
from airflow_provider_offcloud.emulator.params import RequestParams, read_params
from airflow_provider_offcloud.emulator.replies import html_page, json_reply, noauth_reply

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from starlette.requests import Request
    from starlette.types import Message, Receive, Scope, Send

    from airflow_provider_offcloud.emulator.accounts import AccountRegistry, EmulatorAccount
    from airflow_provider_offcloud.emulator.state import EmulatorState

SESSION_COOKIE = "connect.sid"
API_KEY_PARAMETERS = ("key", "apiKey", "apikey")


@dataclass
class RouteContext:
    """
    What a route handler receives.

    :param request: The Starlette request.
    :param params: Query and body parameters.
    :param account: The authenticated account; ``None`` only on routes that need no credentials.
    :param state: The emulator's shared state.
    :param fault: A fault the handler itself must play out (``stuck_created``), else ``None``.
    """

    request: Request
    params: RequestParams
    account: EmulatorAccount | None
    state: EmulatorState
    fault: Fault | None

    @property
    def owner(self) -> EmulatorAccount:
        """The authenticated account, for routes that require one."""
        if self.account is None:
            raise RuntimeError("This route was declared without authentication.")
        return self.account


if TYPE_CHECKING:
    Handler = Callable[[RouteContext], Awaitable[Response]]


def authenticate(
    request: Request, params: RequestParams, registry: AccountRegistry
) -> EmulatorAccount | None:
    """
    Find the account behind a request, or ``None``.

    A Bearer header wins over a key parameter, which wins over the session cookie. Credentials that
    are present but wrong fail even when another kind would succeed, as on the service.

    :param request: The request.
    :param params: Its parameters, searched for ``key``, ``apiKey`` and ``apikey``.
    :param registry: The accounts.
    """
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return registry.by_api_key(token.strip())

    for name in API_KEY_PARAMETERS:
        api_key = params.text(name)
        if api_key is not None:
            return registry.by_api_key(api_key)

    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        return registry.by_session(session_id)
    return None


def offcloud_route(
    state: EmulatorState,
    path: str,
    methods: Sequence[str],
    name: str,
    handler: Handler,
    *,
    needs_auth: bool = True,
) -> Route:
    """
    Build a Starlette route running a handler behind fault injection and authentication.

    :param state: The emulator's shared state.
    :param path: URL path pattern.
    :param methods: Accepted HTTP verbs; others get the HTML 405 page.
    :param name: Route name for the request log and fault injection.
    :param handler: Coroutine producing the reply.
    :param needs_auth: Whether the route answers 401 ``NOAUTH`` without valid credentials.
    """

    async def endpoint(request: Request) -> Response:
        fault = state.faults.take(name)
        if fault is not None and not fault.after_handler:
            early_reply = await _play_fault(fault)
            if early_reply is not None:
                return early_reply

        try:
            params = await read_params(request)
        except RequestBodyTooLargeError as error:
            return body_too_large_reply(error.max_bytes)
        except ClientDisconnect:
            # The client gave up (e.g. timed out during a delay fault); nobody reads this answer.
            return Response(status_code=499)
        account = None
        if needs_auth:
            account = authenticate(request, params, state.registry)
            if account is None:
                return noauth_reply()

        reply = await handler(RouteContext(request, params, account, state, fault))
        if fault is not None and fault.after_handler:
            late_reply = await _play_fault(fault)
            if late_reply is not None:
                return late_reply
        if fault is not None and fault.kind is FaultKind.DROP_CONNECTION:
            return DroppedConnectionResponse(reply, fault.after_bytes)
        return reply

    return Route(path, endpoint, methods=list(methods), name=name)


async def _play_fault(fault: Fault) -> Response | None:
    if fault.kind is FaultKind.DELAY:
        await asyncio.sleep(fault.delay)
        return None
    if fault.kind is FaultKind.RATE_LIMIT:
        retry_after = fault.retry_after
        header = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
        return json_reply({"error": "rate limit exceeded"}, status_code=429, headers={"Retry-After": header})
    if fault.kind is FaultKind.SERVER_ERROR:
        return html_page(fault.status_code, "Service Unavailable", "The server is temporarily unavailable.")
    if fault.kind is FaultKind.HTML_PAGE:
        return html_page(200, "Offcloud", fault.message or "We are performing maintenance, back soon.")
    if fault.kind is FaultKind.BARE_STRING:
        return json_reply(fault.message or DEFAULT_BARE_STRING, status_code=500)
    if fault.kind is FaultKind.NOAUTH:
        return noauth_reply()
    return None


class _ConnectionDropped(Exception):
    """Raised inside :class:`DroppedConnectionResponse` once the byte budget is spent."""


class DroppedConnectionResponse(Response):
    """
    Sends a reply's headers and only part of its body, then abandons the connection.

    Returning from the ASGI call without the final body message makes uvicorn close the socket, so
    the client sees a body shorter than its ``Content-Length``.

    :param inner: The reply that would have been sent.
    :param after_bytes: Body bytes to send before dropping; half the declared length when ``None``.
    """

    def __init__(self, inner: Response, after_bytes: int | None) -> None:
        super().__init__()
        self.inner = inner
        self.after_bytes = after_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        budget = self.after_bytes

        async def send_part(message: Message) -> None:
            nonlocal budget
            if message["type"] == "http.response.start":
                if budget is None:
                    declared = dict(message.get("headers", [])).get(b"content-length", b"0")
                    budget = int(declared) // 2
                await send(message)
                return

            body = message.get("body", b"")
            remaining = budget or 0
            if len(body) < remaining or (len(body) == remaining and message.get("more_body", False)):
                budget = remaining - len(body)
                await send(message)
                return
            await send({"type": "http.response.body", "body": body[:remaining], "more_body": True})
            raise _ConnectionDropped

        try:
            await self.inner(scope, receive, send_part)
        except _ConnectionDropped:
            return
