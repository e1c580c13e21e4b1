"""The synchronous hook: every Offcloud operation, with login, route fall-back and retries handled."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from airflow.providers.common.compat.sdk import BaseHook, mask_secret
from tenacity import Retrying

from airflow_provider_offcloud import exchange
from airflow_provider_offcloud.connection_form import CONNECTION_FIELD_BEHAVIOUR, connection_form_widgets
from airflow_provider_offcloud.exceptions import (
    OffcloudApiError,
    OffcloudBadInputError,
    OffcloudError,
    OffcloudRequestRejectedError,
    OffcloudRouteMissingError,
    OffcloudSessionExpiredError,
    OffcloudTransientError,
    OffcloudUnreachableError,
)
from airflow_provider_offcloud.exchange import CUT_OFF, NO_ANSWER, NO_CONNECTION, TLS_FAILED, UNREADABLE
from airflow_provider_offcloud.normalize import (
    OffcloudAccount,
    OffcloudFile,
    OffcloudItem,
    OffcloudProxy,
    OffcloudRemoteAccount,
    info_hash,
    lower_hashes,
    normalize_account,
    normalize_files,
    normalize_item,
    normalize_items,
    normalize_proxies,
    normalize_remote_accounts,
    same_source,
)
from airflow_provider_offcloud.protocol import (
    IDEMPOTENT_OPERATIONS,
    SESSION_COOKIE,
    Route,
    decode_answer,
    validate_link,
    validate_request_id,
)
from airflow_provider_offcloud.retry import retry_policy
from airflow_provider_offcloud.settings import OffcloudSettings
from airflow_provider_offcloud.status import OffcloudStatus

#: Hashes per cache request; the service answers 5,000 at once but clients keep requests small.
CACHE_CHUNK_SIZE = 100

Params = Mapping[str, Any] | Callable[[Route], Mapping[str, Any]] | None


class OffcloudHook(BaseHook):
    """
    Talk to Offcloud.com (or the local emulator) for one Airflow Connection of type ``offcloud``.

    The hook logs in lazily on its first call and keeps one ``requests.Session``: N calls cost one login.
    With an API key in the connection's extras no login is needed at all; the key travels as
    ``Authorization: Bearer`` (or ``?key=`` when ``api_key_location`` is ``query``). When the service says
    the session is gone, the hook logs in again once and replays the call.

    Every answer is normalised (see :mod:`airflow_provider_offcloud.normalize`), whichever generation of
    the API gave it, so results can go to XCom as they are.

    Transient faults (connection errors, time-outs, HTTP 429 and 5xx) are retried with exponential
    back-off and jitter, honouring ``Retry-After``, bounded in attempts and in total time. Reads are
    replayed freely. A submission is replayed only when it surely did not reach the service, or, for
    cloud downloads, after the account's history shows that it did not create an item (Offcloud also
    returns the same ``requestId`` when the same link is submitted again while the item exists).

    Known limitation: with ``api_key_location`` set to ``query`` the key is part of every URL, so the
    DEBUG log lines of ``urllib3`` carry it. Airflow's secrets masker (the key is registered with it) hides it
    in task logs, but log handlers outside Airflow's do not; the default ``header`` location avoids this.

    .. seealso::
        The connection guide :doc:`/connection`, for every connection field.

    :param offcloud_conn_id: The Airflow connection to use.
    :param max_attempts: Tries per call for transient faults; defaults to the connection's extra
        ``max_attempts`` (5).
    :param max_retry_seconds: Total time budget of those tries; defaults to the extra (120 s).
    :param backoff_seconds: First pause between tries; it doubles at each try.
    """

    conn_name_attr = "offcloud_conn_id"
    default_conn_name = "offcloud_default"
    conn_type = "offcloud"
    hook_name = "Offcloud"

    def __init__(
        self,
        offcloud_conn_id: str = default_conn_name,
        *,
        max_attempts: int | None = None,
        max_retry_seconds: float | None = None,
        backoff_seconds: float = 1.0,
    ) -> None:
        super().__init__()
        self.offcloud_conn_id = offcloud_conn_id
        self._max_attempts = max_attempts
        self._max_retry_seconds = max_retry_seconds
        self.backoff_seconds = backoff_seconds
        self._session: requests.Session | None = None
        self._logged_in = False
        self._working_routes: dict[str, Route] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(offcloud_conn_id={self.offcloud_conn_id!r})"

    # -- connection form (read by Airflow 3.0 and 3.1; 3.2+ reads provider info) ------------------

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Return the extra fields of the connection form."""
        return connection_form_widgets()

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Return how the standard fields of the connection form are labelled and which are hidden."""
        return dict(CONNECTION_FIELD_BEHAVIOUR)

    # -- settings and session ----------------------------------------------------------------------

    @cached_property
    def settings(self) -> OffcloudSettings:
        """The connection's settings; its secrets are registered with Airflow's secrets masker."""
        connection = self.get_connection(self.offcloud_conn_id)
        settings = OffcloudSettings.from_connection(connection)
        for secret in settings.secrets:
            mask_secret(secret)
        settings.require_credentials(self.offcloud_conn_id)
        return settings.with_retry_budget(self._max_attempts, self._max_retry_seconds)

    def get_conn(self) -> requests.Session:
        """Return the hook's HTTP session, logged in when the connection uses a password."""
        self._ensure_logged_in()
        return self._http

    @property
    def _http(self) -> requests.Session:
        if self._session is None:
            session = requests.Session()
            session.headers.update({"Accept": "application/json", "User-Agent": "airflow-provider-offcloud"})
            if self.settings.api_key and self.settings.api_key_location == "header":
                session.headers["Authorization"] = f"Bearer {self.settings.api_key}"
            session.verify = self.settings.verify
            session.hooks["response"].append(self._keep_session_cookie)
            self._session = session
        return self._session

    def _keep_session_cookie(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """
        Store the session cookie of any answer in the session for the whole host, masked.

        ``requests`` also stores it, after this hook, under the path and domain the answer gave (without a
        ``Path`` that is the folder of the login route, which other routes would not get). Copies left from
        earlier answers are dropped first, so that every copy in the jar holds the newest value.
        Transports that hand cookies back on the response only (test doubles, some proxies) are covered too.
        """
        cookie = response.cookies.get(SESSION_COOKIE)
        if cookie and self._session is not None:
            mask_secret(cookie)
            for stale in [entry for entry in self._session.cookies if entry.name == SESSION_COOKIE]:
                self._session.cookies.clear(stale.domain, stale.path, stale.name)
            host = urlsplit(self.settings.base_url).hostname
            self._session.cookies.set(SESSION_COOKIE, cookie, domain=host, path="/")

    def _session_cookie(self) -> str | None:
        """The session cookie's value, whichever domain and path the service set it for."""
        if self._session is None:
            return None
        values = [
            entry.value for entry in self._session.cookies if entry.name == SESSION_COOKIE and entry.value
        ]
        return values[-1] if values else None

    def close(self) -> None:
        """Close the HTTP session; the next call opens a new one and logs in again."""
        if self._session is not None:
            self._session.close()
        self._session = None
        self._logged_in = False

    # -- authentication ------------------------------------------------------------------------------

    def login(self) -> dict[str, Any]:
        """
        Log in now and return who the service says we are (``email``, ``userId``), never a secret.

        With an API key there is no session to open: the key is checked by asking for the account.
        """
        if self.settings.uses_api_key:
            account = self.account_info()
            self._logged_in = True
            return {"email": account["email"], "userId": account["userId"]}
        return self._password_login()

    def check_login(self) -> bool:
        """Ask the service whether the session (or key) is still accepted, without logging in again."""
        self._ensure_logged_in()
        try:
            if self.settings.uses_api_key:
                self._call_once("account_info")
                return True
            payload = self._call_once("check_login")
        except OffcloudSessionExpiredError:
            return False
        return isinstance(payload, Mapping) and str(payload.get("loggedIn", 0)) in ("1", "True", "true")

    def _ensure_logged_in(self) -> None:
        if not self._logged_in and not self.settings.uses_api_key:
            self._password_login()

    def _password_login(self) -> dict[str, Any]:
        conn_id = self.offcloud_conn_id
        self._http.cookies.clear()
        credentials = {"username": self.settings.email, "password": self.settings.password}
        try:
            payload = self._call_routes("login", params=credentials)
        except OffcloudRouteMissingError:
            raise exchange.password_login_gone(conn_id, self.settings.base_url) from None
        except (OffcloudRequestRejectedError, OffcloudSessionExpiredError) as refusal:
            service_text = exchange.scrub(exchange.refusal_text(refusal), self._secrets())
            raise exchange.password_refused(conn_id, service_text) from None

        cookie = self._session_cookie()
        if not cookie:
            raise exchange.no_session_cookie(conn_id)
        mask_secret(cookie)
        self._logged_in = True
        self.log.info("Logged in to Offcloud at %s as %s.", self.settings.base_url, self.settings.email)
        # The classic service answers {"email", "userId"}; anything else still means the login worked.
        who = payload if isinstance(payload, Mapping) else {}
        return {"email": who.get("email"), "userId": who.get("userId")}

    # -- operations of the original API --------------------------------------------------------------

    def instant_download(self, url: str, proxy_id: str | None = None) -> OffcloudItem:
        """
        Ask for a direct download link for a file host link, without storing it in the cloud.

        :param url: The link to fetch.
        :param proxy_id: A proxy from :meth:`list_proxies` to fetch through.
        :return: The item; its ``url`` is the direct link.
        """
        params = {"url": validate_link(url)}
        if proxy_id is not None:
            params["proxyId"] = str(proxy_id)
        return normalize_item(self._call("instant_download", params=params))

    def cloud_download(self, url: str) -> OffcloudItem:
        """
        Submit a link, torrent or magnet to be downloaded into the account's cloud.

        Submitting a link the cloud already holds returns the existing item, not a second download.

        :param url: An http(s) URL or a magnet link.
        :return: The new (or existing) item; ``status`` is ``downloaded`` at once when Offcloud had it cached.
        """
        link = validate_link(url)
        return normalize_item(self._call("cloud_download", params={"url": link}, submitted_link=link))

    def remote_download(self, url: str, remote_option_id: str, folder_id: str | None = None) -> OffcloudItem:
        """
        Submit a link to be downloaded straight into a remote account (FTP, Google Drive, ...).

        :param url: An http(s) URL or a magnet link.
        :param remote_option_id: The remote account, as listed by :meth:`list_remote_accounts`.
        :param folder_id: The Google Drive folder to download into, if any.
        """
        params = {
            "url": validate_link(url),
            "remoteOptionId": _required_text(remote_option_id, "remote_option_id"),
        }
        if folder_id is not None:
            params["folderId"] = str(folder_id)
        return normalize_item(self._call("remote_download", params=params))

    def list_proxies(self) -> list[OffcloudProxy]:
        """Return the proxies instant downloads can go through."""
        return normalize_proxies(self._call("list_proxies"))

    def list_remote_accounts(self) -> list[OffcloudRemoteAccount]:
        """Return the remote accounts remote downloads can be delivered to."""
        return normalize_remote_accounts(self._call("list_remote_accounts"))

    def cloud_status(self, request_id: str) -> OffcloudItem:
        """
        Return the status of a cloud item, with progress while it downloads.

        :param request_id: The item's ``requestId``.
        """
        request_id = validate_request_id(request_id)
        return normalize_item(self._call("cloud_status", params={"requestId": request_id}))

    def remote_status(self, request_id: str) -> OffcloudItem:
        """
        Return the status of a remote item.

        :param request_id: The item's ``requestId``.
        """
        request_id = validate_request_id(request_id)
        return normalize_item(self._call("remote_status", params={"requestId": request_id}))

    # -- operations of the current API ---------------------------------------------------------------

    def cloud_history(self) -> list[OffcloudItem]:
        """Return the account's cloud items, newest first."""
        return normalize_items(self._call("cloud_history"))

    def cloud_explore(self, request_id: str) -> list[OffcloudFile]:
        """
        Return the files of a finished cloud item, with their paths inside the item and their links.

        A single-file item has no listing on the old service (``Bad archive``); its one file is then built
        from the item's status, the way the service builds its own links.

        :param request_id: The item's ``requestId``.
        """
        request_id = validate_request_id(request_id)
        try:
            payload = self._call("cloud_explore", request_id=request_id, query={"format": "detailed"})
        except OffcloudRequestRejectedError as refusal:
            if "bad archive" not in str(refusal.service_message).lower():
                raise
            return [self._single_file(request_id)]
        return normalize_files(payload)

    def remove_cloud_download(self, request_id: str) -> bool:
        """
        Remove an item and its files from the cloud. Offcloud deletes at once; there is no undo.

        :param request_id: The item's ``requestId``.
        :return: Whether the service confirmed the removal.
        """
        request_id = validate_request_id(request_id)
        payload = self._call(
            "remove_cloud_download",
            request_id=request_id,
            params=lambda route: {"requests": [request_id]} if route.body == "json" else {},
        )
        return bool(isinstance(payload, Mapping) and payload.get("success", True))

    def retry_cloud_download(self, request_id: str) -> bool:
        """
        Ask Offcloud to try a failed cloud item again.

        :param request_id: The item's ``requestId``.
        :return: Whether the service accepted.
        """
        request_id = validate_request_id(request_id)
        payload = self._call("retry_cloud_download", request_id=request_id)
        return not (isinstance(payload, Mapping) and payload.get("success") is False)

    def check_cache(self, hashes_or_magnets: Iterable[str]) -> dict[str, bool]:
        """
        Tell which torrents Offcloud already holds, so that adding them finishes at once.

        :param hashes_or_magnets: Info hashes (40 hex or 32 base32 characters) or magnet links.
        :return: For each value given, as given, whether it is cached.
        """
        if isinstance(hashes_or_magnets, str):
            wanted: list[Any] = [hashes_or_magnets]
        elif isinstance(hashes_or_magnets, Iterable):
            wanted = list(hashes_or_magnets)
        else:
            raise OffcloudBadInputError(
                f"check_cache needs a list of info hashes or magnet links, not {hashes_or_magnets!r}."
            )
        hashes = {value: info_hash(value) for value in wanted}
        bad = [value for value, found in hashes.items() if found is None]
        if bad:
            raise OffcloudBadInputError(
                f"Not an info hash or magnet link: {bad[:5]!r}. Give 40-character hex info hashes or "
                "magnet:?xt=urn:btih:... links."
            )

        cached: set[str] = set()
        unique = sorted({found for found in hashes.values() if found})
        for start in range(0, len(unique), CACHE_CHUNK_SIZE):
            cached |= self._cached_hashes(unique[start : start + CACHE_CHUNK_SIZE])
        return {value: hashes[value] in cached for value in wanted}

    def account_info(self) -> OffcloudAccount:
        """Return the account's e-mail, plan, expiry date and limits."""
        return normalize_account(self._call("account_info"))

    # -- the UI's "Test" button ----------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Check the connection end to end and say what to fix; never raises."""
        try:
            account = self.login() if not self.settings.uses_api_key else self.account_info()
            if self.settings.uses_api_key:
                plan = "premium" if account.get("isPremium") else "not premium"
                return True, f"Connected to {self.settings.base_url} as {account.get('email')} ({plan})."
            return True, f"Logged in to {self.settings.base_url} as {account.get('email')}."
        except OffcloudError as error:
            return False, str(error)
        except Exception as error:
            detail = exchange.scrub(str(error), self._secrets())
            if type(error).__name__ == "AirflowNotFoundException":
                # Outside a task, Airflow 3 finds connections in environment variables and secrets
                # backends only; one saved in the metadata database is not visible from here.
                return False, (
                    f"Connection {self.offcloud_conn_id!r} is not defined where this code runs ({detail}). "
                    f"Outside a task, define it as the environment variable "
                    f"AIRFLOW_CONN_{self.offcloud_conn_id.upper()} or in a secrets backend."
                )
            return False, f"Could not test the Offcloud connection: {type(error).__name__}: {detail}"

    # -- plumbing ----------------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        *,
        request_id: str | None = None,
        params: Params = None,
        query: Mapping[str, str] | None = None,
        submitted_link: str | None = None,
    ) -> Any:
        """Run one operation: log in if needed, and log in once more if the service dropped the session."""
        self._ensure_logged_in()
        try:
            return self._call_routes(operation, request_id, params, query, submitted_link)
        except OffcloudSessionExpiredError:
            if self.settings.uses_api_key:
                raise exchange.api_key_refused(self.offcloud_conn_id, self.settings.base_url) from None
            self.log.info("The Offcloud session has expired; logging in again.")
            self._logged_in = False
            self._password_login()

        try:
            return self._call_routes(operation, request_id, params, query, submitted_link)
        except OffcloudSessionExpiredError:
            raise exchange.refused_after_fresh_login(self.offcloud_conn_id) from None

    def _call_once(self, operation: str) -> Any:
        return self._call_routes(operation, None, None, None, None)

    def _call_routes(
        self,
        operation: str,
        request_id: str | None = None,
        params: Params = None,
        query: Mapping[str, str] | None = None,
        submitted_link: str | None = None,
    ) -> Any:
        """Try the routes of an operation in order, falling back only when a route does not exist."""
        missing: list[Route] = []
        for route in exchange.routes_in_order(operation, self._working_routes.get(operation)):
            route_params = params(route) if callable(params) else params
            try:
                payload = self._send_with_retries(
                    operation, route, request_id, route_params, query, submitted_link
                )
            except OffcloudRouteMissingError:
                missing.append(route)
                continue
            self._working_routes[operation] = route
            return payload

        raise exchange.no_route_error(self.settings.base_url, operation, missing)

    def _send_with_retries(
        self,
        operation: str,
        route: Route,
        request_id: str | None,
        params: Mapping[str, Any] | None,
        query: Mapping[str, str] | None,
        submitted_link: str | None,
    ) -> Any:
        """
        Send one request, retrying transient faults where a replay cannot duplicate anything.

        Reads are replayed on any transient fault. A submission is replayed when the fault proves the
        service did nothing: the connection was never made, or HTTP 429 turned the request away. After an
        ambiguous fault (a time-out or a 5xx once the request was sent), a cloud submission first looks
        for the link in the account's history and returns the item it finds; only if the history surely
        lacks it is the link sent again (when the history cannot be read, nothing is replayed). Other
        submissions are not replayed after an ambiguous fault: the error reaches the task, whose retry
        starts from a clean state.
        """
        replay_unsafe = False

        def sent_once() -> Any:
            nonlocal replay_unsafe
            try:
                return self._send(route, request_id, params, query)
            except OffcloudTransientError as fault:
                if submitted_link is None or _never_reached_service(fault):
                    raise
                try:
                    existing = self._find_in_history(submitted_link)
                except OffcloudError:
                    # Cannot tell whether the first try created an item; a replay could add it twice.
                    replay_unsafe = True
                    raise fault from None
                if existing is None:
                    raise
                self.log.info("The submission had reached Offcloud: item %s.", existing["requestId"])
                return existing

        def should_retry(error: BaseException) -> bool:
            if not isinstance(error, OffcloudTransientError):
                return False
            if operation in IDEMPOTENT_OPERATIONS or operation == "login":
                return True
            if _never_reached_service(error):
                return True
            return submitted_link is not None and not replay_unsafe

        policy = retry_policy(
            max_attempts=self.settings.max_attempts,
            max_retry_seconds=self.settings.max_retry_seconds,
            backoff_seconds=self.backoff_seconds,
            should_retry=should_retry,
            describe=f"Offcloud {operation}",
        )
        for attempt in Retrying(sleep=_sleep, **policy):
            with attempt:
                return sent_once()
        raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover

    def _send(
        self,
        route: Route,
        request_id: str | None,
        params: Mapping[str, Any] | None,
        query: Mapping[str, str] | None,
    ) -> Any:
        """Send one request and decode its answer; raise the error it stands for."""
        url = f"{self.settings.base_url}{route.render(request_id)}"
        query_params, body = exchange.request_parts(route, params, self.settings)
        query_params.update(query or {})

        failure: OffcloudError | None = None
        try:
            response = self._http.request(
                route.method,
                url,
                params=query_params or None,
                timeout=self.settings.timeout,
                allow_redirects=False,
                **body,
            )
        except requests.RequestException as error:
            failure = self._failure_for(route, error)
        if failure is not None:
            # Raised outside the handler, so the library's exception (whose text may hold a ``?key=`` URL)
            # is neither the cause nor the context of ours.
            raise failure

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

    def _failure_for(self, route: Route, error: requests.RequestException) -> OffcloudError:
        """Translate a failure without an answer into the provider's error, saying what happened."""
        if isinstance(error, requests.exceptions.SSLError):
            return OffcloudUnreachableError(self._describe_failure(route, error, TLS_FAILED))
        if isinstance(error, requests.ConnectTimeout) or (
            isinstance(error, requests.ConnectionError) and _never_connected(error)
        ):
            return OffcloudUnreachableError(self._describe_failure(route, error, NO_CONNECTION))
        if isinstance(error, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
            return OffcloudTransientError(self._describe_failure(route, error, CUT_OFF))
        if isinstance(error, requests.Timeout):
            # The request may have taken effect: callers treat this as an ambiguous fault.
            return OffcloudTransientError(self._describe_failure(route, error, NO_ANSWER))
        return OffcloudApiError(self._describe_failure(route, error, UNREADABLE))

    def _describe_failure(self, route: Route, error: Exception, what: str) -> str:
        return exchange.scrub(exchange.describe_failure(route, self.settings, error, what), self._secrets())

    def _secrets(self) -> list[str]:
        """The connection's password and key (once read) and the session cookie (once set)."""
        secrets = list(self.settings.secrets) if "settings" in self.__dict__ else []
        if cookie := self._session_cookie():
            secrets.append(cookie)
        return secrets

    def _find_in_history(self, link: str) -> OffcloudItem | None:
        """
        Look for a live item created from ``link``; one that ended in failure does not count.

        An old failed item of the same link says nothing about the submission that just faulted, and
        returning it would fail the task for a download that may never have been tried again.

        :raises OffcloudError: when the history cannot be read, so the caller knows it cannot tell.
        """
        history = normalize_items(self._call_routes("cloud_history"))
        live = [item for item in history if not OffcloudStatus.parse(item["status"]).is_failure]
        return next((item for item in live if same_source(link, item["originalLink"])), None)

    def _cached_hashes(self, hashes: list[str]) -> set[str]:
        payload = self._call(
            "check_cache",
            params=lambda route: (
                {"hashes": hashes}
                if route.path == "/api/cache"
                else {"urls": [f"magnet:?xt=urn:btih:{value}" for value in hashes], "includeFiles": False}
            ),
        )
        if isinstance(payload, Mapping):
            return lower_hashes(payload.get("cachedItems") or [])
        if isinstance(payload, list):
            return {
                value
                for value, answer in zip(hashes, payload, strict=False)
                if isinstance(answer, Mapping) and answer.get("cached")
            }
        raise OffcloudApiError(f"Offcloud answered {payload!r:.200} to a cache check.")

    def _download_origin(self, server: str | None) -> str:
        """
        Return where the service serves an item's files.

        Offcloud itself serves them from a per-server subdomain (``https://{server}.offcloud.com``); any
        other address (the emulator, a proxy) serves them from the API's own origin.
        """
        if server and exchange.is_offcloud(self.settings.base_url):
            return f"https://{server}.offcloud.com"
        return self.settings.base_url

    def _single_file(self, request_id: str) -> OffcloudFile:
        status = self.cloud_status(request_id)
        name = status["fileName"] or request_id
        url = status["url"]
        if not url:
            url = f"{self._download_origin(status['server'])}/cloud/download/{request_id}/{quote(name)}"
        return OffcloudFile(name=name, path=name, size=status["fileSize"], url=url)


def _sleep(seconds: float) -> None:
    """Pause between retries; a module function so tests can replace it."""
    time.sleep(seconds)


def _never_reached_service(fault: OffcloudTransientError) -> bool:
    """Whether a fault proves the service did nothing: no connection was made, or HTTP 429 turned it away."""
    return isinstance(fault, OffcloudUnreachableError) or fault.http_status == 429


def _never_connected(error: requests.ConnectionError) -> bool:
    """Whether a connection error happened before the request was sent (refused, DNS, unreachable)."""
    text = repr(error.args[0] if error.args else error)
    return any(sign in text for sign in ("NewConnectionError", "NameResolutionError", "ConnectTimeoutError"))


def _required_text(value: Any, name: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not text:
        raise OffcloudBadInputError(
            f"{name}={value!r} is empty: give the id of a remote account from list_remote_accounts()."
        )
    return text
