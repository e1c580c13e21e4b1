"""Download links of finished items, in the service's ``/cloud/download/...`` formats."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from airflow_provider_offcloud.emulator.store import ItemFile, TransferItem


def single_file_link(base_url: str, request_id: str, file_name: str) -> str:
    """
    Return ``{base_url}/cloud/download/{requestId}/{fileName}`` with the name URL-encoded.

    :param base_url: The emulator's base URL.
    :param request_id: The item's id.
    :param file_name: The item's file name.
    """
    return f"{base_url}/cloud/download/{request_id}/{quote(file_name, safe='')}"


def folder_file_link(base_url: str, request_id: str, index: int, item_file: ItemFile) -> str:
    """
    Return ``{base_url}/cloud/download/{requestId}/{index}/{name}`` for a file of a folder item.

    :param base_url: The emulator's base URL.
    :param request_id: The item's id.
    :param index: 1-based position of the file in the item.
    :param item_file: The file.
    """
    return f"{base_url}/cloud/download/{request_id}/{index}/{quote(item_file.name, safe='')}"


def item_file_links(base_url: str, item: TransferItem) -> list[str]:
    """
    Return the download link of every file of a finished item, in order.

    :param base_url: The emulator's base URL.
    :param item: A downloaded item.
    """
    if not item.is_directory:
        return [single_file_link(base_url, item.request_id, item_file.name) for item_file in item.files]
    return [
        folder_file_link(base_url, item.request_id, index, item_file)
        for index, item_file in enumerate(item.files, start=1)
    ]


def control_file_link(base_url: str, item: TransferItem) -> str:
    """
    Return the link old listings gave a folder item's ``{name}.aria2`` download-manager control file.

    It takes the index after the item's last file, so it names no file the emulator serves.

    :param base_url: The emulator's base URL.
    :param item: A downloaded folder item.
    """
    control_name = quote(f"{item.file_name}.aria2", safe="")
    return f"{base_url}/cloud/download/{item.request_id}/{len(item.files) + 1}/{control_name}"


def cached_file_link(base_url: str, info_hash: str, index: int, file_name: str) -> str:
    """
    Return ``{base_url}/cache/download/{infoHash}/{index}/{name}``, a direct link to a cached file.

    :param base_url: The emulator's base URL.
    :param info_hash: The cached torrent's lower-case info hash.
    :param index: 1-based position of the file in the torrent.
    :param file_name: The file's base name.
    """
    return f"{base_url}/cache/download/{info_hash}/{index}/{quote(file_name, safe='')}"
