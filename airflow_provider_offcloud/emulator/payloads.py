"""JSON shapes of transfers as the service reports them: add replies, status and history entries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_offcloud.emulator.links import single_file_link
from airflow_provider_offcloud.emulator.store import TransferKind, TransferStatus

if TYPE_CHECKING:
    from datetime import datetime

    from airflow_provider_offcloud.emulator.store import TransferItem

_ZOMBIE_MESSAGE = "Loading..."


def iso_timestamp(moment: datetime) -> str:
    """
    Format a UTC time like the service: ``2024-05-01T12:00:00.000Z``.

    :param moment: An aware UTC datetime.
    """
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def add_reply(item: TransferItem, base_url: str) -> dict[str, Any]:
    """
    Return the reply to an instant, cloud or remote submission.

    :param item: The new or re-found transfer.
    :param base_url: The emulator's base URL, for the ``url`` field.
    """
    payload: dict[str, Any] = {
        "requestId": item.request_id,
        "fileName": item.file_name,
        "site": item.site,
        "status": item.status.value,
        "originalLink": item.original_link,
        "createdOn": iso_timestamp(item.created_on),
    }
    # Remote submissions answer without a link: the file goes to the remote account.
    if item.kind is not TransferKind.REMOTE:
        payload["url"] = single_file_link(base_url, item.request_id, item.file_name)
    return payload


def status_entry(item: TransferItem, server_name: str, stuck_in_created: bool = False) -> dict[str, Any]:
    """
    Return the inner object of a status reply, with old-style and new-style fields together.

    :param item: The transfer.
    :param server_name: Value of the old ``server`` field.
    :param stuck_in_created: Report ``created`` with "Loading..." whatever the real state.
    """
    if stuck_in_created:
        return {
            "requestId": item.request_id,
            "fileName": item.file_name,
            "status": TransferStatus.CREATED.value,
            "fileSize": item.file_size or 0,
            "amount": 0,
            "server": server_name,
            "isDirectory": False,
            "downloadingSpeed": 0,
            "errorMessage": None,
            "progress": 0.0,
            "message": _ZOMBIE_MESSAGE,
        }
    return {
        "requestId": item.request_id,
        "fileName": item.file_name,
        "status": item.status.value,
        "fileSize": item.file_size or 0,
        "amount": item.amount,
        "server": server_name,
        "isDirectory": item.is_directory,
        "downloadingSpeed": item.downloading_speed,
        "errorMessage": item.error_message,
        "progress": item.progress,
        "message": item.message,
    }


def history_entry(item: TransferItem, server_name: str) -> dict[str, Any]:
    """
    Return one entry of a history listing.

    ``fileSize`` is a numeric string, as the old service sometimes sent it; clients must accept both.

    :param item: The transfer.
    :param server_name: Value of the old ``server`` field.
    """
    return {
        "requestId": item.request_id,
        "fileName": item.file_name,
        "status": item.status.value,
        "originalLink": item.original_link,
        "createdOn": iso_timestamp(item.created_on),
        "server": server_name,
        "isDirectory": item.is_directory,
        "fileSize": str(item.file_size or 0),
    }
