"""
The Offcloud wire protocol without any I/O: which routes serve an operation, and what an answer means.

Both the synchronous hook (``requests``) and the asynchronous client of the triggerer (``httpx``) speak
through this module, so that they choose the same routes and classify answers the same way.

Route choice. Offcloud's API has two generations that overlap (see ``docs/`` for the sources). For each
operation the routes are listed in the order tried: the one that answers on the service as it is today
comes first, and older spellings follow as fall-backs for a service (or an emulator, or a proxy) that
still only knows them. A fall-back is used only when the service says the route does not exist (HTTP
404/405 or an HTML "not found" page); any other refusal is final.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlsplit

from airflow_provider_offcloud.exceptions import (
    OffcloudApiError,
    OffcloudBadInputError,
    OffcloudNotAvailableError,
    OffcloudRequestRejectedError,
    OffcloudRouteMissingError,
    OffcloudSessionExpiredError,
    OffcloudTransientError,
)

BodyKind = Literal["json", "form", "none"]

DEFAULT_BASE_URL = "https://offcloud.com"
SESSION_COOKIE = "connect.sid"


@dataclass(frozen=True)
class Route:
    """
    One way of asking the service for an operation.

    :param method: HTTP verb.
    :param path: Path template; ``{request_id}`` is filled in (URL-quoted) by :meth:`render`.
    :param body: How parameters travel: a JSON body, a form body, or nothing (path or query only).
    """

    method: str
    path: str
    body: BodyKind = "json"

    def render(self, request_id: str | None = None) -> str:
        """
        Fill the path template.

        :param request_id: The item's request id, for paths that carry it.
        """
        if "{request_id}" not in self.path:
            return self.path
        return self.path.format(request_id=quote(str(request_id), safe=""))


#: Routes per operation, preferred first. Why each order was chosen:
ROUTES: dict[str, tuple[Route, ...]] = {
    # The 2014 form route is what the password flow was documented with; ``/api/login`` is its 2018
    # spelling. Both are gone from the 2026 service (404), which the hook turns into "use an API key".
    "login": (Route("POST", "/api/login/classic", "form"), Route("POST", "/api/login", "form")),
    "check_login": (Route("GET", "/api/check", "none"), Route("POST", "/api/login/check", "none")),
    # Submissions: the short paths are the documented ones since 2018 and still answer in 2026; JSON
    # bodies are what every 2026 client sends. The 2014 long paths follow.
    "instant_download": (Route("POST", "/api/instant"), Route("POST", "/api/instant/download", "form")),
    "cloud_download": (Route("POST", "/api/cloud"), Route("POST", "/api/cloud/download", "form")),
    "remote_download": (Route("POST", "/api/remote"), Route("POST", "/api/remote/download", "form")),
    "list_proxies": (Route("POST", "/api/proxy", "none"), Route("POST", "/api/proxy/list", "none")),
    "list_remote_accounts": (
        Route("POST", "/api/remote/accounts", "none"),
        Route("POST", "/api/remote-account/list", "none"),
        Route("POST", "/api/account/remote/all", "none"),
    ),
    # One id per call: the 2026 service rejects the plural ``requestIds`` with HTTP 400.
    "cloud_status": (Route("POST", "/api/cloud/status"),),
    "remote_status": (Route("POST", "/api/remote/status"),),
    "cloud_history": (Route("GET", "/api/cloud/history", "none"),),
    # The detailed form gives sizes and paths and also works for single-file items; the bare list of
    # links is the older answer of the same route.
    "cloud_explore": (Route("GET", "/api/cloud/explore/{request_id}", "none"),),
    # Measured live in 2026: GET under /api removes at once. The POST batch form and the website route
    # outside /api were used by other clients and are kept as fall-backs.
    "remove_cloud_download": (
        Route("GET", "/api/cloud/remove/{request_id}", "none"),
        Route("POST", "/api/cloud/remove"),
        Route("GET", "/cloud/remove/{request_id}", "none"),
    ),
    "retry_cloud_download": (Route("GET", "/api/cloud/retry/{request_id}", "none"),),
    # Hashes in, hits out: live on the 2026 service and accepts bare hashes. The newer ``cache/info``
    # needs full magnets and is the fall-back.
    "check_cache": (Route("POST", "/api/cache"), Route("POST", "/api/cache/info")),
    "account_info": (Route("GET", "/api/account/info", "none"), Route("GET", "/api/account/stats", "none")),
}

#: Operations that change nothing on the service, so a transient fault may be replayed blindly.
IDEMPOTENT_OPERATIONS = frozenset(
    {
        "check_login",
        "list_proxies",
        "list_remote_accounts",
        "cloud_status",
        "remote_status",
        "cloud_history",
        "cloud_explore",
        "check_cache",
        "account_info",
    }
)

_PREMIUM_HINTS = ("not premium", "premium required", "premium membership", "premium downloading addon")
_TRANSIENT_HINTS = ("temporary error", "networking issue", "try to download again later")
_HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_NOT_FOUND_HINTS = ("not found", "404", "405", "method not allowed", "no route")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
TRANSIENT_STATUS_CODES = frozenset({408, 425, 429, 500, 502, 503, 504})


def short_repr(value: Any, limit: int = 200) -> str:
    """
    Show a value in a message, cut short: a bad value can be megabytes long.

    :param value: The value to show.
    :param limit: Characters kept.
    """
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def validate_link(url: Any) -> str:
    """
    Check a link before anything is sent: an ``http(s)://`` URL with a host, or a ``magnet:`` link.

    :param url: What the user gave as the link to download.
    :raises OffcloudBadInputError: naming the bad value and what is accepted.
    """
    text = url.strip() if isinstance(url, str) else ""
    if any(character.isspace() for character in text):
        text = ""
    lowered = text.lower()
    if lowered.startswith("magnet:?") and _has_exact_topic(text):
        return text
    if re.match(r"^https?://[^/\s?#]+", lowered):
        return text
    raise OffcloudBadInputError(
        f"Offcloud cannot download {short_repr(url)}: give an http:// or https:// URL with a host, "
        "or a magnet link (magnet:?xt=urn:btih:...)."
    )


def validate_request_id(request_id: Any) -> str:
    """
    Check a request id before it goes into a URL path or a body.

    :param request_id: The ``requestId`` Offcloud gave for an item.
    :raises OffcloudBadInputError: when it is empty or holds characters no request id has.
    """
    # bool is an int to Python, but True is no request id.
    is_id_like = isinstance(request_id, str | int) and not isinstance(request_id, bool)
    text = str(request_id).strip() if is_id_like else ""
    if not _REQUEST_ID.match(text):
        raise OffcloudBadInputError(
            f"{short_repr(request_id)} is not an Offcloud request id: pass the requestId returned when the "
            "link was submitted (for example from the submitting task's XCom)."
        )
    return text


def _has_exact_topic(magnet: str) -> bool:
    """Whether a magnet link carries an ``xt`` (exact topic) parameter with a value."""
    topics = parse_qs(urlsplit(magnet).query, keep_blank_values=True).get("xt", [])
    return any(topic.strip() for topic in topics)


def is_html(content_type: str | None, body: str) -> bool:
    """
    Tell whether an answer is an HTML page, whatever its ``Content-Type`` claims.

    :param content_type: The ``Content-Type`` header, if any.
    :param body: The decoded body text.
    """
    return "html" in (content_type or "").lower() or body.lstrip()[:1] == "<"


def decode_answer(status_code: int, content_type: str | None, body: str, *, retry_after: str | None) -> Any:
    """
    Decode one answer, or raise the error it stands for.

    :param status_code: HTTP status.
    :param content_type: The ``Content-Type`` header, if any.
    :param body: The body as text.
    :param retry_after: The ``Retry-After`` header, if any.
    :raises OffcloudSessionExpiredError: the service no longer accepts the session or key (401/403,
        ``NOAUTH``); the caller logs in again once.
    :raises OffcloudRouteMissingError: the route does not exist here; the caller tries the next one.
    :raises OffcloudTransientError: a fault worth retrying.
    :raises OffcloudNotAvailableError: the plan lacks an add-on.
    :raises OffcloudRequestRejectedError: any other refusal.
    """
    payload = _json_or_none(body)
    if status_code in (401, 403):
        # A plan refusal can come under 401/403 on the current service; only the rest means "log in again".
        _raise_for_plan_refusal(payload, status_code)
        raise OffcloudSessionExpiredError(f"HTTP {status_code}: {_excerpt(body)}")
    if status_code == 402:
        _raise_for_plan_refusal(payload, status_code)
        raise OffcloudNotAvailableError("premium")
    if is_html(content_type, body) or body.strip() == "Page not found.":
        _raise_for_page(status_code, body, retry_after)
    if status_code in (404, 405) and not _is_envelope(payload):
        # Plain-text, empty or framework JSON 404/405 answers are about the route; the service's own words
        # under 404 (an ``error`` envelope, a bare string) are about the thing asked for, handled below.
        raise OffcloudRouteMissingError(
            f"Offcloud has no such route (HTTP {status_code}: {_excerpt(body, 80)!r}).",
            http_status=status_code,
            service_message=_excerpt(body, 80),
        )
    if status_code == 429 or status_code in TRANSIENT_STATUS_CODES - {500}:
        raise _transient(status_code, body, retry_after)

    if payload is _NOT_JSON:
        if status_code >= 500:
            raise _transient(status_code, body, retry_after)
        raise OffcloudApiError(
            f"Offcloud answered HTTP {status_code} with text that is not JSON: {_excerpt(body)!r}",
            http_status=status_code,
            service_message=_excerpt(body),
        )

    if isinstance(payload, str):
        if any(hint in payload.lower() for hint in _PREMIUM_HINTS):
            raise OffcloudNotAvailableError("premium")
        # The service words some refusals as a bare JSON string, e.g. a torrent URL that 404s gives
        # HTTP 500 with "Error parsing url - HTTP code: 404 ". The words are the answer: not retried.
        raise OffcloudRequestRejectedError(
            f"Offcloud refused the request (HTTP {status_code}): {payload.strip()}",
            http_status=status_code,
            service_message=payload,
        )
    if isinstance(payload, dict):
        raise_for_envelope(payload, status_code)
    if status_code >= 500:
        raise _transient(status_code, body, retry_after)
    if status_code >= 400:
        raise OffcloudRequestRejectedError(
            f"Offcloud refused the request with HTTP {status_code}: {_excerpt(body)}",
            http_status=status_code,
            service_message=_excerpt(body),
        )
    return payload


def raise_for_envelope(payload: dict[str, Any], status_code: int = 200) -> None:
    """
    Raise the error an ``{"error": ...}`` or ``{"not_available": ...}`` envelope stands for.

    Old API errors came under HTTP 200, so the body decides, not the status.

    :param payload: A decoded JSON object.
    :param status_code: HTTP status, for the record.
    """
    reason = payload.get("not_available")
    if reason:
        raise OffcloudNotAvailableError(str(reason))

    error = payload.get("error")
    if not error or not isinstance(error, str | int):
        return
    text = str(error)
    lowered = text.lower()
    if text == "NOAUTH" or lowered in {"user not authorized", "unauthorized"}:
        raise OffcloudSessionExpiredError(text)
    if status_code == 402 or any(hint in lowered for hint in _PREMIUM_HINTS):
        raise OffcloudNotAvailableError("premium")
    if status_code >= 500 or any(hint in lowered for hint in _TRANSIENT_HINTS):
        raise OffcloudTransientError(
            f"Offcloud reported a temporary fault (HTTP {status_code}): {text}",
            http_status=status_code,
            service_message=text,
        )
    raise OffcloudRequestRejectedError(
        f"Offcloud refused the request (HTTP {status_code}): {text}",
        http_status=status_code,
        service_message=text,
    )


#: Marks a body that is not JSON at all, as opposed to a JSON ``null`` or an empty body.
_NOT_JSON: Any = object()


def _json_or_none(body: str) -> Any:
    """Decode a JSON body; an empty body gives ``None`` and text that is not JSON gives ``_NOT_JSON``."""
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return _NOT_JSON


def _is_envelope(payload: Any) -> bool:
    """Whether a decoded answer carries the service's own words: an error envelope or a bare string."""
    if isinstance(payload, str):
        return bool(payload.strip())
    return isinstance(payload, dict) and bool(payload.get("error") or payload.get("not_available"))


def _raise_for_plan_refusal(payload: Any, status_code: int) -> None:
    """Raise :class:`OffcloudNotAvailableError` when an answer says the plan lacks something."""
    if isinstance(payload, dict) and payload.get("not_available"):
        raise OffcloudNotAvailableError(str(payload["not_available"]))
    text = payload.get("error") if isinstance(payload, dict) else payload
    if isinstance(text, str) and any(hint in text.lower() for hint in _PREMIUM_HINTS):
        raise OffcloudNotAvailableError("premium")


def parse_retry_after(value: str | None) -> float | None:
    """
    Read a ``Retry-After`` header given in seconds; dates, junk, ``nan`` and ``inf`` give ``None``.

    :param value: The header value.
    """
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def _raise_for_page(status_code: int, body: str, retry_after: str | None) -> None:
    title_match = _HTML_TITLE.search(body)
    title = " ".join(title_match.group(1).split()) if title_match else _excerpt(body, 80)
    if status_code in (404, 405) or any(hint in title.lower() for hint in _NOT_FOUND_HINTS):
        raise OffcloudRouteMissingError(
            f"Offcloud has no such route (HTTP {status_code}, page {title!r}).",
            http_status=status_code,
            service_message=title,
        )
    # An HTML page where JSON belongs, even under HTTP 200, is an outage or maintenance page.
    raise OffcloudTransientError(
        f"Offcloud answered an HTML page instead of JSON (HTTP {status_code}, page {title!r}); "
        "the service is probably down or under maintenance.",
        http_status=status_code,
        service_message=title,
        retry_after=parse_retry_after(retry_after),
    )


def _transient(status_code: int, body: str, retry_after: str | None) -> OffcloudTransientError:
    what = "is rate-limiting requests" if status_code == 429 else "had a server fault"
    return OffcloudTransientError(
        f"Offcloud {what} (HTTP {status_code}): {_excerpt(body)}",
        http_status=status_code,
        service_message=_excerpt(body),
        retry_after=parse_retry_after(retry_after),
    )


def _excerpt(body: str, limit: int = 200) -> str:
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[:limit] + "..."
