"""The asynchronous Offcloud client of the triggerer: the read operations a wait needs, never a submission."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
from airflow.providers.common.compat.sdk import BaseHook
from tenacity import AsyncRetrying

from airflow_provider_offcloud import exchange
from airflow_provider_offcloud.exceptions import (
    OffcloudApiError,
    OffcloudError,
    OffcloudRequestRejectedError,
    OffcloudRouteMissingError,
    OffcloudSessionExpiredError,
    OffcloudTransientError,
    OffcloudUnreachableError,
)
from airflow_provider_offcloud.exchange import CUT_OFF, NO_ANSWER, NO_CONNECTION, UNREADABLE
from airflow_provider_offcloud.normalize import OffcloudItem, normalize_item, normalize_items
from airflow_provider_offcloud.protocol import (
    SESSION_COOKIE,
    Route,
    decode_answer,
    validate_request_id,
)
from airflow_provider_offcloud.retry import retry_policy
from airflow_provider_offcloud.settings import OffcloudSettings

if TYPE_CHECKING:
    from collections.abc import Collection

    from airflow.providers.common.compat.sdk import Connection

#: Sockets one client may hold open at once, however many waits share it.
DEFAULT_MAX_CONNECTIONS = 10

#: The only operations this client performs: all of them read, so any of them may be replayed.
READ_OPERATIONS = frozenset({"login", "check_login", "cloud_status", "remote_status", "cloud_history"})


class OffcloudAsyncHook(BaseHook):
    """
    Ask Offcloud about items from an event loop, with ``httpx.AsyncClient``, for one Airflow Connection.

    It speaks through the same sans-IO modules as the sync
    :class:`~airflow_provider_offcloud.hooks.offcloud.OffcloudHook` (routes and their fall-backs, answer
    classification, normalised results, the shared retry policy), so a status read here means exactly what
    it means on a worker. It only reads: submissions are never made from the triggerer, whose ``run()``
    may start over after a restart.

    The connection is fetched the asynchronous way (``get_async_connection``), its secrets and the session
    cookie are registered with Airflow's secrets masker, and a password connection logs in once per client:
    concurrent calls that find the session expired share one new login. Transient faults are retried with
    ``tenacity.AsyncRetrying``, sleeping on the event loop between tries.

    Known limitation: with ``api_key_location`` set to ``query`` the key is part of every URL, and ``httpx``
    logs each request's URL at INFO. Airflow's secrets masker (the key is registered with it) hides it in
    the triggerer's and the tasks' logs, but log handlers outside Airflow's do not; the default ``header``
    location avoids this.

    :param offcloud_conn_id: The Airflow connection to use.
    :param max_attempts: Tries per call for transient faults; defaults to the connection's extra.
    :param max_retry_seconds: Total time budget of those tries; defaults to the connection's extra.
    :param backoff_seconds: First pause between tries; it doubles at each try.
    :param max_connections: Upper bound of open sockets for this client.
    """

    conn_name_attr = "offcloud_conn_id"
    default_conn_name = "offcloud_default"
    hook_name = "Offcloud (async)"

    def __init__(
        self,
        offcloud_conn_id: str = default_conn_name,
        *,
        max_attempts: int | None = None,
        max_retry_seconds: float | None = None,
        backoff_seconds: float = 1.0,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        super().__init__()
        self.offcloud_conn_id = offcloud_conn_id
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self.backoff_seconds = backoff_seconds
        self.max_connections = max_connections
        self._settings: OffcloudSettings | None = None
        self._client: httpx.AsyncClient | None = None
        self._setup_lock = asyncio.Lock()
        self._login_lock = asyncio.Lock()
        self._login_generation = 0
        self._logged_in = False
        self._working_routes: dict[str, Route] = {}
        self.login_count = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(offcloud_conn_id={self.offcloud_conn_id!r})"

    # -- settings and client -------------------------------------------------------------------------

    async def get_settings(self) -> OffcloudSettings:
        """Fetch the connection once, without blocking the event loop, and read it into settings."""
        async with self._setup_lock:
            if self._settings is None:
                connection = await _fetch_connection(self.offcloud_conn_id)
                extras = await _fetch_extras(connection)
                settings = OffcloudSettings.from_connection(connection, extras)
                for secret in settings.secrets:
                    await _mask(secret)
                settings.require_credentials(self.offcloud_conn_id)
                self._settings = settings.with_retry_budget(self._max_attempts, self._max_retry_seconds)
        return self._settings

    async def get_conn(self) -> httpx.AsyncClient:
        """Return the client's HTTP connection pool, logged in when the connection uses a password."""
        await self._ensure_logged_in()
        return await self._http()

    async def _http(self) -> httpx.AsyncClient:
        settings = await self.get_settings()
        if self._client is None:
            headers = {"Accept": "application/json", "User-Agent": "airflow-provider-offcloud"}
            if settings.api_key and settings.api_key_location == "header":
                headers["Authorization"] = f"Bearer {settings.api_key}"
            self._client = httpx.AsyncClient(
                base_url=settings.base_url,
                headers=headers,
                timeout=settings.timeout,
                verify=settings.verify,
                follow_redirects=False,
                limits=httpx.Limits(
                    max_connections=self.max_connections, max_keepalive_connections=self.max_connections
                ),
            )
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool; the next call opens a new one and logs in again."""
        if self._client is not None:
            await self._client.aclose()
        self._client = None
        self._logged_in = False

    async def __aenter__(self) -> OffcloudAsyncHook:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- authentication ------------------------------------------------------------------------------

    async def login(self) -> dict[str, Any]:
        """
        Open a password session now and return who the service says we are; never a secret.

        With an API key there is no session: the key travels with every request and nothing is sent here.
        """
        settings = await self.get_settings()
        if settings.uses_api_key:
            self._logged_in = True
            return {"email": settings.email, "userId": None}
        async with self._login_lock:
            return await self._password_login()

    async def _ensure_logged_in(self) -> None:
        settings = await self.get_settings()
        if self._logged_in or settings.uses_api_key:
            return
        async with self._login_lock:
            # Another waiter may have logged in while this one waited for the lock.
            if not self._logged_in:
                await self._password_login()

    async def _log_in_again(self, seen_generation: int) -> None:
        """Replace an expired session once, however many concurrent calls noticed it."""
        async with self._login_lock:
            if self._login_generation != seen_generation:
                return
            self.log.info("The Offcloud session of %s has expired; logging in again.", self.offcloud_conn_id)
            self._logged_in = False
            await self._password_login()

    async def _password_login(self) -> dict[str, Any]:
        settings = await self.get_settings()
        client = await self._http()
        conn_id = self.offcloud_conn_id
        client.cookies.clear()
        credentials = {"username": settings.email, "password": settings.password}
        try:
            payload = await self._call_routes("login", params=credentials)
        except OffcloudRouteMissingError:
            raise exchange.password_login_gone(conn_id, settings.base_url) from None
        except (OffcloudRequestRejectedError, OffcloudSessionExpiredError) as refusal:
            service_text = exchange.scrub(exchange.refusal_text(refusal), self._secrets())
            raise exchange.password_refused(conn_id, service_text) from None

        if not client.cookies.get(SESSION_COOKIE):
            raise exchange.no_session_cookie(conn_id)
        self._logged_in = True
        self._login_generation += 1
        self.login_count += 1
        self.log.info("Logged in to Offcloud at %s as %s.", settings.base_url, settings.email)
        payload = payload if isinstance(payload, Mapping) else {}
        return {"email": payload.get("email"), "userId": payload.get("userId")}

    # -- read operations -------------------------------------------------------------------------------

    async def cloud_status(self, request_id: str) -> OffcloudItem:
        """
        Return the status of a cloud item, with progress while it downloads.

        :param request_id: The item's ``requestId``.
        """
        request_id = validate_request_id(request_id)
        return normalize_item(await self._call("cloud_status", params={"requestId": request_id}))

    async def remote_status(self, request_id: str) -> OffcloudItem:
        """
        Return the status of a remote item.

        :param request_id: The item's ``requestId``.
        """
        request_id = validate_request_id(request_id)
        return normalize_item(await self._call("remote_status", params={"requestId": request_id}))

    async def item_status(self, kind: str, request_id: str) -> OffcloudItem:
        """
        Return the status of a cloud or remote item.

        :param kind: ``cloud`` or ``remote``.
        :param request_id: The item's ``requestId``.
        """
        if kind == "remote":
            return await self.remote_status(request_id)
        return await self.cloud_status(request_id)

    async def cloud_history(
        self,
        request_ids: Collection[str] | None = None,
        reuse: dict[str, tuple[Mapping[str, Any], OffcloudItem]] | None = None,
    ) -> list[OffcloudItem]:
        """
        Return the account's cloud items, newest first: one request reports on every item at once.

        :param request_ids: Return only these items (the others are not even normalised).
        :param reuse: Entries normalised by an earlier call, reused where the record has not changed
            (see :func:`~airflow_provider_offcloud.normalize.normalize_items`).
        """
        return normalize_items(await self._call("cloud_history"), request_ids, reuse)

    # -- plumbing ----------------------------------------------------------------------------------

    async def _call(self, operation: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """Run one operation: log in if needed, and once more if the service dropped the session."""
        await self._ensure_logged_in()
        settings = await self.get_settings()
        generation = self._login_generation
        try:
            return await self._call_routes(operation, params=params)
        except OffcloudSessionExpiredError:
            if settings.uses_api_key:
                raise exchange.api_key_refused(self.offcloud_conn_id, settings.base_url) from None
            await self._log_in_again(generation)

        try:
            return await self._call_routes(operation, params=params)
        except OffcloudSessionExpiredError:
            raise exchange.refused_after_fresh_login(self.offcloud_conn_id) from None

    async def _call_routes(self, operation: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """Try the routes of an operation in order, falling back only when a route does not exist."""
        if operation not in READ_OPERATIONS:
            raise OffcloudError(f"The asynchronous client does not perform {operation!r}; use OffcloudHook.")
        missing: list[Route] = []
        for route in exchange.routes_in_order(operation, self._working_routes.get(operation)):
            try:
                payload = await self._send_with_retries(operation, route, params)
            except OffcloudRouteMissingError:
                missing.append(route)
                continue
            self._working_routes[operation] = route
            return payload

        settings = await self.get_settings()
        raise exchange.no_route_error(settings.base_url, operation, missing)

    async def _send_with_retries(self, operation: str, route: Route, params: Mapping[str, Any] | None) -> Any:
        """Send one request, replaying it on transient faults: every operation here only reads."""
        settings = await self.get_settings()
        policy = retry_policy(
            max_attempts=settings.max_attempts,
            max_retry_seconds=settings.max_retry_seconds,
            backoff_seconds=self.backoff_seconds,
            should_retry=lambda error: isinstance(error, OffcloudTransientError),
            describe=f"Offcloud {operation}",
        )
        async for attempt in AsyncRetrying(sleep=_sleep, **policy):
            with attempt:
                return await self._send(route, params)
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    async def _send(self, route: Route, params: Mapping[str, Any] | None) -> Any:
        """Send one request and decode its answer; raise the error it stands for."""
        settings = await self.get_settings()
        client = await self._http()
        query, body = exchange.request_parts(route, params, settings)

        failure: OffcloudError | None = None
        try:
            response = await client.request(route.method, route.render(), params=query or None, **body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            failure = OffcloudUnreachableError(self._describe_failure(route, error, NO_CONNECTION))
        except httpx.TimeoutException as error:
            failure = OffcloudTransientError(self._describe_failure(route, error, NO_ANSWER))
        except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
            failure = OffcloudTransientError(self._describe_failure(route, error, CUT_OFF))
        except httpx.HTTPError as error:
            # An answer that cannot be read (a body that is not the encoding it claims, ...), as the sync
            # hook reports it: a fault worth waiting out, not the end of every wait on the connection.
            failure = OffcloudApiError(self._describe_failure(route, error, UNREADABLE))
        if failure is not None:
            # Raised outside the handler, so httpx's exception (whose text may hold a ``?key=`` URL) is
            # neither the cause nor the context of ours.
            raise failure

        await self._keep_session_cookie(response, settings)
        try:
            return decode_answer(
                response.status_code,
                response.headers.get("Content-Type"),
                response.text,
                retry_after=response.headers.get("Retry-After"),
            )
        except OffcloudError as error:
            exchange.scrub_error(error, self._secrets())
            raise

    async def _keep_session_cookie(self, response: httpx.Response, settings: OffcloudSettings) -> None:
        """Register a new session cookie with the masker, and keep it for the service's host."""
        cookie = response.cookies.get(SESSION_COOKIE)
        if cookie and self._client is not None:
            await _mask(cookie)
            host = urlsplit(settings.base_url).hostname or ""
            # One cookie of that name only: httpx refuses to read a name held twice.
            self._client.cookies.delete(SESSION_COOKIE)
            self._client.cookies.set(SESSION_COOKIE, cookie, domain=host, path="/")

    def _describe_failure(self, route: Route, error: Exception, what: str) -> str:
        settings = self._settings
        if settings is None:  # pragma: no cover - a request is only sent once settings are read
            return f"Could not complete {route.method} {route.path} ({type(error).__name__})."
        return exchange.scrub(exchange.describe_failure(route, settings, error, what), self._secrets())

    def _secrets(self) -> list[str]:
        """The connection's password and key (once read) and the session cookie (once set)."""
        secrets = list(self._settings.secrets) if self._settings is not None else []
        if self._client is not None and (cookie := self._client.cookies.get(SESSION_COOKIE)):
            secrets.append(cookie)
        return secrets


async def _sleep(seconds: float) -> None:
    """Pause between retries on the event loop; a module function so tests can replace it."""
    await asyncio.sleep(seconds)


async def _fetch_connection(conn_id: str) -> Connection:
    from airflow.providers.common.compat.connection import get_async_connection

    return await get_async_connection(conn_id)


async def _fetch_extras(connection: Connection) -> dict[str, Any]:
    """Read the extras without a synchronous call to the supervisor on the event loop."""
    try:
        from airflow.providers.common.compat.connection import get_async_extra_dejson
    except ImportError:
        return await asyncio.to_thread(lambda: dict(connection.extra_dejson or {}))
    return dict(await get_async_extra_dejson(connection) or {})


async def _mask(secret: str) -> None:
    """Register a secret with the masker; the asynchronous form avoids blocking on the supervisor."""
    try:
        from airflow.sdk.log import amask_secret
    except ImportError:
        from airflow.providers.common.compat.sdk import mask_secret

        mask_secret(secret)
        return
    await amask_secret(secret)
