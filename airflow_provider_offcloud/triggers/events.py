"""The one JSON event an Offcloud wait ends with, and how a task turns it back into a result or an error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_offcloud.exceptions import (
    OffcloudApiError,
    OffcloudAuthError,
    OffcloudDownloadFailedError,
    OffcloudError,
    OffcloudNotAvailableError,
    OffcloudPermanentError,
    OffcloudRequestRejectedError,
    OffcloudStuckError,
)
from airflow_provider_offcloud.status import OffcloudStatus

if TYPE_CHECKING:
    from collections.abc import Callable

    from airflow_provider_offcloud.normalize import OffcloudItem

SUCCESS = "success"
ERROR = "error"
TIMEOUT = "timeout"
STUCK = "stuck"

#: ``reason`` of an error event, by the class of the error that ended the wait (most specific first).
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (OffcloudDownloadFailedError, "download_failed"),
    (OffcloudNotAvailableError, "not_available"),
    (OffcloudAuthError, "auth"),
    (OffcloudRequestRejectedError, "rejected"),
    (OffcloudPermanentError, "rejected"),
    (OffcloudApiError, "api"),
)


def success_event(kind: str, request_id: str, item: OffcloudItem) -> dict[str, Any]:
    """
    Build the event of a downloaded item.

    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item's ``requestId``.
    :param item: The normalised item.
    """
    return {"status": SUCCESS, "kind": kind, "request_id": request_id, "item": dict(item)}


def failed_item_event(kind: str, request_id: str, item: OffcloudItem) -> dict[str, Any]:
    """
    Build the event of an item that ended in ``error`` or ``canceled``, with Offcloud's own message.

    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item's ``requestId``.
    :param item: The normalised item.
    """
    error = OffcloudDownloadFailedError(request_id, item["status"], item["errorMessage"])
    return {
        "status": ERROR,
        "reason": "download_failed",
        "message": str(error),
        "kind": kind,
        "request_id": request_id,
        "item_status": item["status"],
        "service_message": item["errorMessage"],
        "item": dict(item),
    }


def error_event(kind: str, request_id: str, error: BaseException) -> dict[str, Any]:
    """
    Build the event of a wait that a refusal ended (credentials, plan, unknown item, missing route...).

    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item's ``requestId``.
    :param error: What ended the wait; its message is already free of secrets.
    """
    reason = next((name for cls, name in _REASONS if isinstance(error, cls)), "unexpected")
    if reason == "unexpected" and type(error).__name__ == "AirflowNotFoundException":
        reason = "connection"
    event: dict[str, Any] = {
        "status": ERROR,
        "reason": reason,
        "message": str(error) or type(error).__name__,
        "kind": kind,
        "request_id": request_id,
    }
    if isinstance(error, OffcloudNotAvailableError):
        event["not_available"] = error.reason
    if isinstance(error, OffcloudApiError):
        event["service_message"] = error.service_message
    return event


def timeout_event(kind: str, request_id: str, item: OffcloudItem | None, waited: float) -> dict[str, Any]:
    """
    Build the event of a wait whose deadline passed.

    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item's ``requestId``.
    :param item: The item as last read, if it was ever read.
    :param waited: Seconds waited, for the message.
    """
    last = f" (last status {item['status']!r})" if item else ""
    return {
        "status": TIMEOUT,
        "kind": kind,
        "request_id": request_id,
        "message": f"Offcloud {kind} item {request_id} did not finish before the deadline{last}; "
        f"waited {waited:.0f} s. The item keeps going on Offcloud.",
        "item": dict(item) if item else None,
    }


def stuck_event(kind: str, request_id: str, item: OffcloudItem, message: str) -> dict[str, Any]:
    """
    Build the event of an item that stayed ``created``/``queued`` without progress for too long.

    :param kind: ``cloud`` or ``remote``.
    :param request_id: The item's ``requestId``.
    :param item: The item as last read.
    :param message: Why it counts as stuck.
    """
    return {"status": STUCK, "kind": kind, "request_id": request_id, "message": message, "item": dict(item)}


def item_from_event(event: Any, *, on_timeout: Callable[[str], BaseException]) -> OffcloudItem:
    """
    Return the downloaded item of an event, or raise the error the event stands for.

    Only an explicit success with a downloaded item counts as success; anything else, including an event
    of a shape this provider never sends, fails.

    :param event: The trigger's event payload.
    :param on_timeout: Builds the error for a timeout (sensors raise ``AirflowSensorTimeout``).
    """
    if not isinstance(event, dict):
        raise OffcloudError(f"The Offcloud wait ended with {event!r:.200}, which is not an event it sends.")
    status = event.get("status")
    request_id = str(event.get("request_id") or "?")
    message = str(event.get("message") or f"Offcloud wait for item {request_id} ended with {status!r}.")

    if status == SUCCESS:
        item = event.get("item")
        if isinstance(item, dict) and OffcloudStatus.parse(item.get("status")).is_success:
            return item  # type: ignore[return-value]
        raise OffcloudError(
            f"The Offcloud wait for item {request_id} reported success without a downloaded item."
        )
    if status == TIMEOUT:
        raise on_timeout(message)
    if status == STUCK:
        raise OffcloudStuckError(message)
    if status == ERROR:
        raise _error_from_event(event, request_id, message)
    raise OffcloudError(f"The Offcloud wait for item {request_id} ended with unknown status {status!r}.")


def _error_from_event(event: dict[str, Any], request_id: str, message: str) -> BaseException:
    reason = event.get("reason")
    if reason == "download_failed":
        return OffcloudDownloadFailedError(
            request_id, str(event.get("item_status") or "error"), event.get("service_message")
        )
    if reason == "not_available":
        return OffcloudNotAvailableError(str(event.get("not_available") or "premium"))
    if reason == "auth":
        return OffcloudAuthError(message)
    if reason == "rejected":
        return OffcloudRequestRejectedError(message, service_message=event.get("service_message"))
    if reason == "api":
        return OffcloudApiError(message, service_message=event.get("service_message"))
    return OffcloudError(message)
