"""Turning a submitted link into a transfer: de-duplication, magnet resolution and starting the work."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from airflow_provider_offcloud.emulator.file_names import safe_file_name
from airflow_provider_offcloud.emulator.magnets import is_magnet, parse_magnet
from airflow_provider_offcloud.emulator.store import TransferItem, TransferKind, TransferStatus

if TYPE_CHECKING:
    from airflow_provider_offcloud.emulator.accounts import EmulatorAccount, RemoteAccount
    from airflow_provider_offcloud.emulator.state import EmulatorState

_MAGNET_SITE = "BitTorrent"


def is_supported_link(link: str) -> bool:
    """
    Tell whether a link is something the service would try: a magnet or an http(s) URL.

    :param link: The submitted link.
    """
    if is_magnet(link):
        return True
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def submit_transfer(
    state: EmulatorState,
    account: EmulatorAccount,
    kind: TransferKind,
    link: str,
    remote: RemoteAccount | None = None,
    never_finishes: bool = False,
) -> TransferItem:
    """
    Create a transfer for a link, or return the live one an earlier submission created.

    :param state: The emulator's shared state.
    :param account: The submitting account.
    :param kind: Instant, cloud or remote.
    :param link: A magnet or http(s) link (see :func:`is_supported_link`).
    :param remote: Target remote account of a remote transfer.
    :param never_finishes: Keep the new item in ``created`` forever (the ``stuck_created`` fault).
    """
    if is_magnet(link):
        return _submit_magnet(state, account, kind, link, remote, never_finishes)
    return _submit_http_link(state, account, kind, link, remote, never_finishes)


def restart_transfer(state: EmulatorState, account: EmulatorAccount, item: TransferItem) -> None:
    """
    Run a failed transfer again from the start.

    :param state: The emulator's shared state.
    :param account: The owning account.
    :param item: A transfer in ``error``.
    """
    item.reset_for_retry()
    remote = account.remote_account(item.remote_option_id) if item.remote_option_id else None
    _start_work(state, account, item, remote)


def _submit_magnet(
    state: EmulatorState,
    account: EmulatorAccount,
    kind: TransferKind,
    link: str,
    remote: RemoteAccount | None,
    never_finishes: bool,
) -> TransferItem:
    magnet = parse_magnet(link)
    dedup_key = f"btih:{magnet.info_hash}"
    existing = state.store.find_existing(account.email, kind, dedup_key)
    if existing is not None:
        return existing

    torrent = account.seeded_torrent(magnet.info_hash) if magnet.valid_hash else None
    file_name = torrent.name if torrent else (magnet.display_name or magnet.info_hash or "Loading...")
    described = _Described(magnet.resolved_link(), dedup_key, file_name, _MAGNET_SITE)
    return _add_item(state, account, kind, link, described, remote, never_finishes)


def _submit_http_link(
    state: EmulatorState,
    account: EmulatorAccount,
    kind: TransferKind,
    link: str,
    remote: RemoteAccount | None,
    never_finishes: bool,
) -> TransferItem:
    existing = state.store.find_existing(account.email, kind, link)
    if existing is not None:
        return existing

    parts = urlsplit(link)
    host = parts.hostname or ""
    # The name is written to disk later: it must be one plain file name, whatever the link spells.
    file_name = safe_file_name(posixpath.basename(parts.path), fallback=safe_file_name(host))
    return _add_item(
        state, account, kind, link, _Described(link, link, file_name, host), remote, never_finishes
    )


class _Described(NamedTuple):
    """How the service describes a new item: what differs between a magnet and an http(s) link."""

    original_link: str
    dedup_key: str
    file_name: str
    site: str


def _add_item(
    state: EmulatorState,
    account: EmulatorAccount,
    kind: TransferKind,
    link: str,
    described: _Described,
    remote: RemoteAccount | None,
    never_finishes: bool,
) -> TransferItem:
    """Create an item for a submitted link, store it and start its work."""
    item = TransferItem(
        request_id=state.ids.next_id(),
        kind=kind,
        owner_email=account.email,
        submitted_link=link,
        original_link=described.original_link,
        dedup_key=described.dedup_key,
        file_name=described.file_name,
        site=described.site,
        remote_option_id=remote.remote_option_id if remote else None,
        never_finishes=never_finishes,
    )
    state.store.add(item)
    _start_work(state, account, item, remote)
    return item


def _start_work(
    state: EmulatorState, account: EmulatorAccount, item: TransferItem, remote: RemoteAccount | None
) -> None:
    if item.never_finishes:
        return
    destination = state.remote_directory(remote) if remote else None

    if not is_magnet(item.submitted_link):
        state.runner.fetch_link(item, destination or state.cloud_directory(item.request_id))
        return

    magnet = parse_magnet(item.submitted_link)
    torrent = account.seeded_torrent(magnet.info_hash) if magnet.valid_hash else None
    if torrent is None:
        # Unknown torrents never find peers here: the item stays "created" with "Loading...".
        item.never_finishes = True
        return

    # A cached torrent is ready at once, which is why the add reply can already say "downloaded".
    if torrent.cached and destination is None:
        item.mark_downloaded(state.runner.seeded_files(torrent), is_directory=torrent.is_directory)
        return
    state.runner.finish_seeded(item, torrent, destination)


def is_finished(item: TransferItem) -> bool:
    """
    Tell whether an item's files can be listed and downloaded.

    :param item: The transfer.
    """
    return item.status is TransferStatus.DOWNLOADED
