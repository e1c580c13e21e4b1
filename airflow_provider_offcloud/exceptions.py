"""Errors raised by the Offcloud provider, one class per thing a user can do something about."""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

#: What a user must buy when Offcloud refuses an operation with ``{"not_available": <reason>}``.
ADDON_ADVICE: dict[str, str] = {
    "premium": "a premium downloading add-on (or a premium plan)",
    "links": "the unlimited links add-on",
    "proxy": "the proxy add-on",
    "video": "the video streaming add-on",
    "cloud": "more cloud storage or the cloud downloading add-on (the cloud quota is used up)",
}


class OffcloudError(AirflowException):
    """Base class of every error raised by this provider."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take other constructor arguments than their message; rebuild from args and attributes
        # so that pickling or copying an error (as process pools and some executors do) keeps it intact.
        return (_rebuild_error, (type(self), self.args, dict(vars(self))))


def _rebuild_error(
    error_class: type[OffcloudError], args: tuple[Any, ...], state: dict[str, Any]
) -> OffcloudError:
    error = error_class.__new__(error_class)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class OffcloudPermanentError(OffcloudError, AirflowFailException):
    """
    A refusal that retrying cannot fix.

    It derives from :class:`~airflow.exceptions.AirflowFailException`, so Airflow fails the task at once
    instead of spending its retries on a request that will be refused again.
    """


class OffcloudBadInputError(OffcloudPermanentError, ValueError):
    """A value given to the provider is malformed; nothing was sent to Offcloud."""


class OffcloudAuthError(OffcloudPermanentError):
    """Offcloud refused the credentials of the connection; the message says which field to fix."""


class OffcloudSessionExpiredError(OffcloudAuthError):
    """
    The service no longer accepts the session cookie or key (HTTP 401/403 or ``NOAUTH``).

    Clients catch it to log in once more; it reaches users only when there is no way to log in again.
    """


class OffcloudNotAvailableError(OffcloudPermanentError):
    """
    The account's plan lacks the add-on the operation needs (``{"not_available": <reason>}``).

    :param reason: Offcloud's own reason: ``premium``, ``links``, ``proxy``, ``video`` or ``cloud``.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        advice = ADDON_ADVICE.get(reason, f"the add-on Offcloud calls {reason!r}")
        super().__init__(
            f"Offcloud refused the operation: the account's plan lacks {advice} "
            f"(not_available={reason!r}). Buy it on https://offcloud.com/#/account or use another account."
        )


class OffcloudApiError(OffcloudError):
    """
    Offcloud answered with an error, or with something that is not the JSON it documents.

    :param message: What went wrong, in words a user can act on.
    :param http_status: The HTTP status of the answer, when there was one.
    :param service_message: Offcloud's own error text (or the start of a non-JSON body), for the record.
    """

    def __init__(self, message: str, *, http_status: int | None = None, service_message: str | None = None):
        self.http_status = http_status
        self.service_message = service_message
        super().__init__(message)


class OffcloudTransientError(OffcloudApiError):
    """
    A fault worth retrying: a dropped connection, a time-out, HTTP 429 or a 5xx answer.

    :param retry_after: Seconds the service asked us to wait (``Retry-After``), when it said.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        service_message: str | None = None,
        retry_after: float | None = None,
    ):
        self.retry_after = retry_after
        super().__init__(message, http_status=http_status, service_message=service_message)


class OffcloudUnreachableError(OffcloudTransientError):
    """The request never reached the service (connection refused, connect time-out), so nothing was done."""


class OffcloudRequestRejectedError(OffcloudApiError, OffcloudPermanentError):
    """Offcloud understood the request and refused it (HTTP 4xx or an ``error`` envelope); no retry helps."""


class OffcloudRouteMissingError(OffcloudApiError):
    """
    The service has no such route (HTTP 404/405 or an HTML "page not found").

    The hook catches it to fall back to another generation's route; it reaches users only when no route
    for the operation exists any more.
    """


class OffcloudDownloadFailedError(OffcloudPermanentError):
    """
    An item ended in ``error`` or ``canceled`` on Offcloud.

    :param request_id: The Offcloud request id of the item.
    :param status: The final status (``error`` or ``canceled``).
    :param service_message: Offcloud's own explanation, when it gave one.
    """

    def __init__(self, request_id: str, status: str, service_message: str | None = None) -> None:
        self.request_id = request_id
        self.status = status
        self.service_message = service_message
        reason = service_message or "Offcloud gave no reason"
        super().__init__(f"Offcloud item {request_id} ended with status {status!r}: {reason}")


class OffcloudStuckError(OffcloudError):
    """
    An item made no progress for longer than the allowed time (a "zombie" that stays ``created``).

    It is retryable: a later try may find that Offcloud picked the item up.
    """
