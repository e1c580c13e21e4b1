"""Reply envelopes of the service: JSON errors, add-on refusals and its HTML error pages."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, JSONResponse

if TYPE_CHECKING:
    from airflow_provider_offcloud.emulator.accounts import Addon

NOAUTH = "NOAUTH"
TRANSFER_NOT_FOUND = "transfer not found"

_HTML_PAGE = """<!DOCTYPE html>
<html>
    <head>
        <meta charset="UTF-8" />
        <meta name="robots" content="noindex,nofollow,noarchive" />
        <title>{title}</title>
    </head>
    <body>
        <div class="exception-message-wrapper">
            <h1 class="break-long-words exception-message">{title}</h1>
            <p>{detail}</p>
        </div>
    </body>
</html>
"""


def json_reply(payload: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    """
    Return a JSON reply.

    :param payload: Anything JSON can encode, including a bare string.
    :param status_code: HTTP status.
    :param headers: Extra headers.
    """
    return JSONResponse(payload, status_code=status_code, headers=headers)


def error_reply(message: str, status_code: int = 200) -> JSONResponse:
    """
    Return the service's error envelope ``{"error": message}``.

    :param message: The error text.
    :param status_code: HTTP status; the old service sent most errors under 200.
    """
    return JSONResponse({"error": message}, status_code=status_code)


def missing_parameter_reply(name: str) -> JSONResponse:
    """
    Return HTTP 400 ``{"error": "Missing required parameter: <name>"}``.

    :param name: The missing parameter.
    """
    return error_reply(f"Missing required parameter: {name}", status_code=400)


def noauth_reply() -> JSONResponse:
    """Return HTTP 401 ``{"error": "NOAUTH"}`` for missing, invalid or revoked credentials."""
    return error_reply(NOAUTH, status_code=401)


def transfer_not_found_reply() -> JSONResponse:
    """Return HTTP 404 ``{"error": "transfer not found"}`` for unknown request ids."""
    return error_reply(TRANSFER_NOT_FOUND, status_code=404)


def not_available_reply(addon: Addon) -> JSONResponse:
    """
    Return the add-on refusal ``{"not_available": "<add-on>"}`` (HTTP 200, as the old service did).

    :param addon: The add-on the plan lacks.
    """
    return JSONResponse({"not_available": addon.value})


def html_page(
    status_code: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """
    Return an HTML page in the style of the service's framework error pages.

    :param status_code: HTTP status, 200 included: the service sometimes sends error pages under 200.
    :param title: Page heading.
    :param detail: Explanation below the heading.
    :param headers: Extra headers.
    """
    body = _HTML_PAGE.format(title=html.escape(title), detail=html.escape(detail))
    return HTMLResponse(body, status_code=status_code, headers=headers)


def not_found_page(path: str) -> HTMLResponse:
    """
    Return the HTML 404 page for an unknown route.

    :param path: The requested path, quoted in the page.
    """
    return html_page(404, "Page not found", f'No route found for "{path}".')


def method_not_allowed_page(method: str, path: str, allowed: str) -> HTMLResponse:
    """
    Return the HTML 405 page for a known route called with the wrong verb.

    :param method: The verb used.
    :param path: The requested path.
    :param allowed: Value of the ``Allow`` header.
    """
    detail = f'No route found for "{method} {path}": Method Not Allowed (Allow: {allowed})'
    return html_page(405, "Method Not Allowed", detail, headers={"Allow": allowed})
