"""Errors of the transfer from Offcloud to storage, one class per thing a user can act on."""

from __future__ import annotations

from airflow_provider_offcloud.exceptions import OffcloudError, OffcloudPermanentError


class OffcloudTransferError(OffcloudError):
    """A file of a cloud item could not be copied to its destination."""


class OffcloudItemNotReadyError(OffcloudTransferError):
    """
    The item is not ``downloaded`` yet, so it has no files to copy.

    It is retryable: a later try of the task may find the item finished.

    :param request_id: The item's request id.
    :param status: The status Offcloud reported.
    """

    def __init__(self, request_id: str, status: str) -> None:
        self.request_id = request_id
        self.status = status
        super().__init__(
            f"Offcloud item {request_id} is {status!r}, not 'downloaded': its files cannot be copied yet. "
            "Wait for it upstream (the cloud download sensor, or the operator with wait enabled), "
            "then run this task again."
        )


class OffcloudSizeMismatchError(OffcloudTransferError):
    """
    The bytes received do not add up to the size the service announced; nothing was kept.

    :param file_path: The file's path inside the item.
    :param expected: The size announced (listing or ``Content-Length``).
    :param received: The bytes actually written.
    :param source: Who announced the size, for the message (``the listing``, ``Content-Length``).
    """

    def __init__(self, file_path: str, expected: int, received: int, source: str) -> None:
        self.file_path = file_path
        self.expected = expected
        self.received = received
        super().__init__(
            f"Size check failed for {file_path!r}: {source} announced {expected} bytes but {received} "
            "arrived. The partial copy was deleted and nothing was written under the final name. "
            "Retry the task; if it keeps failing, the file on Offcloud is damaged: remove the item and "
            "download it again."
        )


class OffcloudLinkRefusedError(OffcloudTransferError, OffcloudPermanentError):
    """
    A download link answered with a refusal instead of the file (IP-bound links, expired or removed files).

    :param file_path: The file's path inside the item.
    :param http_status: The HTTP status of the answer.
    :param service_message: What the service said, when it said something.
    :param advice: What the user can do about it.
    """

    def __init__(self, file_path: str, http_status: int, service_message: str | None, advice: str) -> None:
        self.file_path = file_path
        self.http_status = http_status
        self.service_message = service_message
        said = f": {service_message!r}" if service_message else ""
        super().__init__(
            f"Offcloud refused the download of {file_path!r} (HTTP {http_status}{said}). {advice}"
        )


class OffcloudUnsafePathError(OffcloudTransferError, OffcloudPermanentError):
    """A file path from the service would land outside the destination (``..``, an absolute path)."""


class OffcloudDestinationExistsError(OffcloudTransferError, OffcloudPermanentError):
    """A file is already at the destination and ``if_exists="fail"`` forbids replacing or skipping it."""
