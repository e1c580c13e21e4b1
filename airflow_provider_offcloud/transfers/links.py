"""Open download links with the right credentials: the account's only on the API's own origin."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import requests

if TYPE_CHECKING:
    from collections.abc import Mapping

    from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

#: Redirect hops followed before giving up; CDNs use one or two.
MAX_REDIRECTS = 5

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int | None]:
    """
    Return the scheme, host and port that decide who may receive the account's credentials.

    :param url: An absolute URL.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def link_host(url: str) -> str:
    """
    Name a link by its host only, for logs and messages: paths of CDN links carry account tokens.

    :param url: A download link.
    """
    return urlsplit(url).hostname or "an unknown host"


class DownloadLinkOpener:
    """
    Open Offcloud download links as streamed responses, following redirects one hop at a time.

    Download links live on Offcloud's API host, on per-server hosts or on a CDN. The account's session
    cookie and API key belong to the API host alone: a link on the same origin (scheme, host and port)
    as the connection's API goes through the hook's logged-in session; any other origin gets a session
    with no credentials at all. Redirects are followed by hand so that this choice is made again for
    every hop: a redirect from the API host to a CDN never carries the cookie, the ``Authorization``
    header or the ``key`` parameter along.

    :param hook: The hook of the connection the item belongs to.
    :param timeout: Seconds to wait for a connection and between two reads of the body.
    """

    def __init__(self, hook: OffcloudHook, *, timeout: float) -> None:
        self._hook = hook
        self.timeout = timeout
        self._anonymous: requests.Session | None = None

    def open(self, url: str, headers: Mapping[str, str], method: str = "GET") -> requests.Response:
        """
        Send a request for a link and return the streamed answer of the last hop.

        The caller must close the response (use it as a context manager).

        :param url: The download link.
        :param headers: Headers of the request (``Range``, ...).
        :param method: ``GET`` or ``HEAD``.
        :raises requests.RequestException: on network faults, and ``TooManyRedirects`` past the limit.
        """
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            session, params = self._session_for(current)
            response = session.request(
                method,
                current,
                headers={"Accept": "*/*", "Accept-Encoding": "identity", **headers},
                params=params,
                stream=True,
                timeout=self.timeout,
                allow_redirects=False,
            )
            location = response.headers.get("Location")
            if response.status_code not in _REDIRECT_STATUSES or not location:
                return response
            response.close()
            current = urljoin(current, location)
        raise requests.TooManyRedirects(f"More than {MAX_REDIRECTS} redirects from {link_host(url)}.")

    def close(self) -> None:
        """Close the credential-free session; the hook's session belongs to the hook."""
        if self._anonymous is not None:
            self._anonymous.close()
            self._anonymous = None

    def _session_for(self, url: str) -> tuple[requests.Session, dict[str, str] | None]:
        settings = self._hook.settings
        if origin_of(url) == origin_of(settings.base_url):
            params = None
            if settings.api_key and settings.api_key_location == "query":
                params = {"key": settings.api_key}
            return self._hook.get_conn(), params

        if self._anonymous is None:
            self._anonymous = requests.Session()
            self._anonymous.headers["User-Agent"] = "airflow-provider-offcloud"
        return self._anonymous, None
