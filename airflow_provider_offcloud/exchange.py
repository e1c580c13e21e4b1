"""
How one call to Offcloud is put together and explained, whichever HTTP library sends it.

The synchronous hook (``requests``) and the asynchronous client of the triggerer (``httpx``) share these
pieces: the order in which an operation's routes are tried, where parameters and the API key go, how
secrets are kept out of messages, and the words of every authentication failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, urlsplit

from airflow_provider_offcloud.exceptions import (
    OffcloudApiError,
    OffcloudAuthError,
    OffcloudError,
    OffcloudRouteMissingError,
)
from airflow_provider_offcloud.protocol import ROUTES, SESSION_COOKIE, Route

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from airflow_provider_offcloud.settings import OffcloudSettings

ACCOUNT_PAGE = "https://offcloud.com/#/account"

#: What went wrong when no answer came back, for :func:`describe_failure`.
NO_CONNECTION = "the service could not be reached or refused the connection"
NO_ANSWER = "the service did not answer within {timeout:g} s"
CUT_OFF = "the connection broke before the answer was complete"
TLS_FAILED = "the TLS handshake failed (check the certificate, or the connection's extra 'verify')"
UNREADABLE = "the answer could not be read"


def is_offcloud(base_url: str) -> bool:
    """
    Tell whether a connection talks to Offcloud itself rather than the emulator or a proxy.

    :param base_url: The API address of the connection.
    """
    host = urlsplit(base_url).hostname or ""
    return host == "offcloud.com" or host.endswith(".offcloud.com")


def routes_in_order(operation: str, remembered: Route | None) -> tuple[Route, ...]:
    """
    Return the routes to try for an operation: the one that worked last time first, then the rest.

    :param operation: A key of :data:`~airflow_provider_offcloud.protocol.ROUTES`.
    :param remembered: The route that answered this operation before, if any.
    """
    routes = ROUTES[operation]
    if remembered is None:
        return routes
    return (remembered, *(route for route in routes if route != remembered))


def no_route_error(base_url: str, operation: str, tried: Iterable[Route]) -> OffcloudRouteMissingError:
    """
    Explain that no route of an operation exists on the service.

    :param base_url: The API address of the connection.
    :param operation: The operation.
    :param tried: The routes that answered "not found".
    """
    names = ", ".join(f"{route.method} {route.path}" for route in tried)
    return OffcloudRouteMissingError(
        f"Offcloud at {base_url} has no route for {operation} (tried {names}). Check the connection's host, "
        "or upgrade the provider if the service moved its API.",
        http_status=404,
    )


def request_parts(
    route: Route, params: Mapping[str, Any] | None, settings: OffcloudSettings
) -> tuple[dict[str, str], dict[str, Any]]:
    """
    Place a call's parameters and the API key: return the query and the body keyword arguments.

    Both ``requests`` and ``httpx`` take a JSON body as ``json=`` and a form body as ``data=``.

    :param route: The route being called.
    :param params: The operation's parameters.
    :param settings: The connection's settings (for an API key sent in the query).
    """
    query: dict[str, str] = {}
    if settings.api_key and settings.api_key_location == "query":
        query["key"] = settings.api_key

    body: dict[str, Any] = {}
    if params and route.body == "json":
        body["json"] = dict(params)
    elif params and route.body == "form":
        body["data"] = dict(params)
    elif params and route.method == "GET":
        query.update({key: str(value) for key, value in params.items()})
    return query, body


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """
    Replace every secret a message may echo (a URL with ``?key=``, a quoted request) with ``***``.

    :param text: The message.
    :param secrets: The connection's password, API key and session cookie.
    """
    for secret in secrets:
        if not secret:
            continue
        # Longest form first: the plain key may be part of its encoded forms.
        for form in sorted({quote(secret, safe=""), quote_plus(secret), secret}, key=len, reverse=True):
            text = text.replace(form, "***")
    return text


def scrub_error(error: OffcloudError, secrets: Iterable[str | None]) -> None:
    """
    Scrub an error's message and the service text it carries, in place.

    :param error: The error about to be raised.
    :param secrets: The connection's secrets.
    """
    secrets = list(secrets)
    error.args = tuple(scrub(str(arg), secrets) for arg in error.args)
    if isinstance(error, OffcloudApiError) and error.service_message is not None:
        error.service_message = scrub(error.service_message, secrets)


def describe_failure(route: Route, settings: OffcloudSettings, error: Exception, what: str) -> str:
    """
    Say which call failed without an answer and why, in words a user can act on.

    :param route: The route being called.
    :param settings: The connection's settings.
    :param error: The HTTP library's exception (only its class name is shown).
    :param what: One of :data:`NO_CONNECTION`, :data:`NO_ANSWER`, :data:`CUT_OFF`, :data:`TLS_FAILED`.
    """
    reason = what.format(timeout=settings.timeout)
    call = f"{route.method} {settings.base_url}{route.path}"
    text = f"Could not complete {call}: {reason} ({type(error).__name__})."
    return scrub(text, settings.secrets)


# -- authentication failures ----------------------------------------------------------------------------


def password_login_gone(conn_id: str, base_url: str) -> OffcloudAuthError:
    """
    The service has no password login route any more (as Offcloud since 2026).

    :param conn_id: The connection id.
    :param base_url: The API address.
    """
    return OffcloudAuthError(
        f"Offcloud no longer offers password login (HTTP 404 on {base_url}/api/login): set the extra "
        f"'api_key' of connection {conn_id!r} to the API key shown on {ACCOUNT_PAGE}."
    )


def password_refused(conn_id: str, service_text: str) -> OffcloudAuthError:
    """
    The service refused the e-mail and password.

    :param conn_id: The connection id.
    :param service_text: The service's own words, already scrubbed.
    """
    return OffcloudAuthError(
        f"Offcloud refused the e-mail and password of connection {conn_id!r} ({service_text}): fix Login "
        "and Password, or set the extra 'api_key' instead."
    )


def no_session_cookie(conn_id: str) -> OffcloudAuthError:
    """
    The login answer set no session cookie.

    :param conn_id: The connection id.
    """
    return OffcloudAuthError(
        f"Offcloud accepted the login of connection {conn_id!r} but set no {SESSION_COOKIE} cookie; password "
        "sessions may be gone from the service: set the extra 'api_key' instead."
    )


def api_key_refused(conn_id: str, base_url: str) -> OffcloudAuthError:
    """
    The service refused the API key (``NOAUTH``); there is no other way to log in.

    :param conn_id: The connection id.
    :param base_url: The API address, to point at the right place to find a valid key.
    """
    where = ACCOUNT_PAGE if is_offcloud(base_url) else f"the service at {base_url}"
    return OffcloudAuthError(
        f"Offcloud refused the API key of connection {conn_id!r} (NOAUTH): the key is wrong, revoked or "
        f"expired. Copy the current key from {where} into the extra 'api_key'."
    )


def refused_after_fresh_login(conn_id: str) -> OffcloudAuthError:
    """
    The service refused a call right after a login it had accepted.

    :param conn_id: The connection id.
    """
    return OffcloudAuthError(
        f"Offcloud refused connection {conn_id!r} right after a fresh login: the account may be blocked or "
        "its IP address not registered. Check the account page, or set the extra 'api_key'."
    )


def refusal_text(refusal: OffcloudError) -> str:
    """
    The service's own words in a refusal, or the refusal's message when it carries none.

    :param refusal: The error the login route raised.
    """
    if isinstance(refusal, OffcloudApiError) and refusal.service_message:
        return refusal.service_message
    return str(refusal)
