"""Read what a download link answered: ranges, declared sizes, and refusals dressed up as files."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING

from airflow_provider_offcloud.exceptions import OffcloudTransientError
from airflow_provider_offcloud.protocol import TRANSIENT_STATUS_CODES, parse_retry_after
from airflow_provider_offcloud.transfers.errors import OffcloudLinkRefusedError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Most bytes of a suspicious answer read before deciding whether it is the file or an error page.
ERROR_BODY_LIMIT = 64 * 1024

IP_BOUND_ADVICE = (
    "Offcloud binds download links to the IP addresses registered on the account, and the address this "
    "worker downloads from is not one of them. Log in to offcloud.com once from the worker's network (or "
    "confirm the new address from the e-mail Offcloud sends), or run the task on a worker whose address is "
    "registered; then run the task again."
)
EXPIRED_ADVICE = (
    "The link may have expired, or the worker's IP address may not be registered on the account. Run the "
    "task again to get fresh links; if it is refused again, register the worker's address on offcloud.com."
)
GONE_ADVICE = (
    "The file is no longer in the cloud (removed or expired). Submit the link to Offcloud again and copy "
    "the new item."
)
GENERIC_ADVICE = "Check the item on offcloud.com; if it looks fine there, run the task again."

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)\s*$", re.IGNORECASE)
_FILE_TYPES_THAT_LOOK_LIKE_ERRORS = (".json", ".html", ".htm", ".xhtml")


def parse_content_range(header: str | None) -> tuple[int | None, int | None, int | None] | None:
    """
    Read ``Content-Range: bytes <first>-<last>/<total>`` (or ``bytes */<total>`` of a 416).

    :param header: The header value.
    :return: ``(first, last, total)`` with ``None`` for parts given as ``*``, or ``None`` when unreadable.
    """
    match = _CONTENT_RANGE.match(header or "")
    if not match:
        return None
    first, last, total = match.groups()
    return (
        None if first is None else int(first),
        None if last is None else int(last),
        None if total == "*" else int(total),
    )


def declared_length(headers: Mapping[str, str]) -> int | None:
    """
    Return the body length the answer declares, when it describes the bytes we write.

    A body sent with a content coding (gzip, ...) is decoded on the way, so its ``Content-Length`` counts
    other bytes than the file's and is not used.

    :param headers: The answer's headers.
    """
    coding = (headers.get("Content-Encoding") or "identity").strip().lower()
    length = (headers.get("Content-Length") or "").strip()
    if coding != "identity" or not length.isdigit():
        return None
    return int(length)


def needs_inspection(content_type: str | None, file_name: str) -> bool:
    """
    Tell whether an answer's type suggests an error page rather than the file asked for.

    :param content_type: The answer's ``Content-Type``.
    :param file_name: The file's name; a file that is itself JSON or HTML is taken as it comes.
    """
    kind = (content_type or "").lower()
    if not ("json" in kind or "html" in kind):
        return False
    return not file_name.lower().endswith(_FILE_TYPES_THAT_LOOK_LIKE_ERRORS)


def refusal_in_body(
    http_status: int, content_type: str | None, body: bytes, file_path: str
) -> OffcloudLinkRefusedError | OffcloudTransientError | None:
    """
    Recognise an error answer sent where the file should be (even under HTTP 200).

    :param http_status: The answer's HTTP status.
    :param content_type: The answer's ``Content-Type``.
    :param body: The start of the body (at most :data:`ERROR_BODY_LIMIT` bytes).
    :param file_path: The file's path inside the item, for the message.
    :return: The error to raise, or ``None`` when the body looks like content after all.
    """
    text = body.decode("utf-8", errors="replace")
    message = _error_message(text)
    if message is not None:
        return OffcloudLinkRefusedError(file_path, http_status, message, _advice_for(http_status, message))
    if "html" in (content_type or "").lower() or text.lstrip()[:1] == "<":
        return OffcloudTransientError(
            f"The download link of {file_path!r} answered an HTML page instead of the file "
            f"(HTTP {http_status}); the service is probably under maintenance.",
            http_status=http_status,
        )
    return None


def error_for_status(
    http_status: int, headers: Mapping[str, str], body: bytes, file_path: str
) -> OffcloudLinkRefusedError | OffcloudTransientError:
    """
    Turn a failed answer (HTTP 4xx/5xx other than 416) into the error it stands for.

    :param http_status: The answer's HTTP status.
    :param headers: The answer's headers (``Retry-After``, ``Content-Type``).
    :param body: The start of the body.
    :param file_path: The file's path inside the item.
    """
    text = body.decode("utf-8", errors="replace")
    message = _error_message(text) or _excerpt(text)
    if http_status in TRANSIENT_STATUS_CODES or http_status >= 500:
        return OffcloudTransientError(
            f"The download link of {file_path!r} answered HTTP {http_status}"
            + (f" ({message})" if message else "")
            + "; this is usually temporary.",
            http_status=http_status,
            service_message=message,
            retry_after=_usable_retry_after(headers.get("Retry-After")),
        )
    return OffcloudLinkRefusedError(file_path, http_status, message, _advice_for(http_status, message))


def _usable_retry_after(header: str | None) -> float | None:
    """Read ``Retry-After`` in seconds; a value that is not a finite, non-negative number counts as absent."""
    seconds = parse_retry_after(header)
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _advice_for(http_status: int, message: str | None) -> str:
    lowered = (message or "").lower()
    if "not authorized" in lowered or " ip " in f" {lowered} " or "ip address" in lowered:
        return IP_BOUND_ADVICE
    if http_status in (404, 410) or "not available" in lowered:
        return GONE_ADVICE
    if http_status in (401, 403):
        return EXPIRED_ADVICE
    return GENERIC_ADVICE


def _error_message(text: str) -> str | None:
    """Return the ``error`` of a JSON error envelope (``{"error": "..."}``), else ``None``."""
    try:
        payload = json.loads(text)
    except ValueError:
        return None
    if isinstance(payload, dict):
        error = payload.get("error") or payload.get("not_available") or payload.get("message")
        if isinstance(error, str | int) and str(error).strip():
            return str(error).strip()
    if isinstance(payload, str) and payload.strip():
        return payload.strip()
    return None


def _excerpt(text: str, limit: int = 160) -> str | None:
    flat = " ".join(text.split())
    if not flat:
        return None
    return flat if len(flat) <= limit else flat[:limit] + "..."
