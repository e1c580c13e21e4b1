"""In-memory record of the emulator's transfers (instant, cloud and remote items) and their files."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio
    from pathlib import Path


class TransferKind(str, enum.Enum):
    """Which service a transfer was submitted to."""

    INSTANT = "instant"
    CLOUD = "cloud"
    REMOTE = "remote"


class TransferStatus(str, enum.Enum):
    """Status words the service reports for a transfer."""

    CREATED = "created"
    DOWNLOADING = "downloading"
    DOWNLOADED = "downloaded"
    ERROR = "error"


@dataclass
class ItemFile:
    """
    A finished file of a transfer.

    :param path: Path inside the item, starting with the item's root folder for folder items.
    :param size: Size in bytes.
    :param disk_path: Where the content is stored on disk.
    """

    path: str
    size: int
    disk_path: Path

    @property
    def name(self) -> str:
        """Base name of the file."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def folder_segments(self) -> list[str]:
        """Folders leading to the file, as the cache info route lists them."""
        return self.path.split("/")[:-1]


@dataclass
class TransferItem:
    """
    One submitted transfer and its progress.

    :param request_id: 24-hex id returned to the client.
    :param kind: Instant, cloud or remote.
    :param owner_email: E-mail of the account owning the item.
    :param submitted_link: The link as the client sent it.
    :param original_link: The link as the service reports it back.
    :param dedup_key: Key under which re-submissions find this item again.
    :param file_name: Name shown for the item.
    :param site: Source site label (``BitTorrent`` for magnets).
    :param remote_option_id: Remote account receiving a remote transfer.
    """

    request_id: str
    kind: TransferKind
    owner_email: str
    submitted_link: str
    original_link: str
    dedup_key: str
    file_name: str
    site: str
    remote_option_id: str | None = None
    created_on: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    status: TransferStatus = TransferStatus.CREATED
    message: str | None = "Loading..."
    error_message: str | None = None
    amount: int = 0
    file_size: int | None = None
    downloading_speed: float = 0.0
    is_directory: bool = False
    files: list[ItemFile] = field(default_factory=list)
    owns_files: bool = True
    never_finishes: bool = False
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def progress(self) -> float | None:
        """Fraction done in 0..1, or ``None`` once finished, as the new API reports it."""
        if self.status is TransferStatus.DOWNLOADED:
            return None
        if not self.file_size:
            return 0.0
        return min(self.amount / self.file_size, 1.0)

    def mark_downloading(self, amount: int, file_size: int | None, speed: float) -> None:
        """
        Record download progress.

        :param amount: Bytes received so far.
        :param file_size: Total size when known.
        :param speed: Bytes per second.
        """
        self.status = TransferStatus.DOWNLOADING
        self.message = "Downloading"
        self.amount = amount
        self.file_size = file_size
        self.downloading_speed = speed

    def mark_downloaded(self, files: list[ItemFile], is_directory: bool) -> None:
        """
        Record a finished transfer.

        :param files: The item's files.
        :param is_directory: Whether the item is a folder.
        """
        self.files = files
        self.is_directory = is_directory
        self.file_size = sum(item_file.size for item_file in files)
        self.amount = self.file_size
        self.downloading_speed = 0.0
        self.status = TransferStatus.DOWNLOADED
        self.message = None
        self.error_message = None

    def mark_error(self, error_message: str) -> None:
        """
        Record a failed transfer.

        :param error_message: Service-like text explaining the failure.
        """
        self.status = TransferStatus.ERROR
        self.error_message = error_message
        self.message = error_message
        self.downloading_speed = 0.0

    def reset_for_retry(self) -> None:
        """Put a failed transfer back to ``created`` so it can run again."""
        self.status = TransferStatus.CREATED
        self.message = "Loading..."
        self.error_message = None
        self.amount = 0
        self.downloading_speed = 0.0


class TransferStore:
    """
    Holds every transfer, indexed by request id and by re-submission key per account.

    Only the server's event loop changes the store; the lock protects readers in test threads
    from seeing half-updated indexes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, TransferItem] = {}
        self._by_dedup_key: dict[tuple[str, TransferKind, str], str] = {}

    def add(self, item: TransferItem) -> None:
        """
        Store a new transfer.

        :param item: The transfer.
        """
        with self._lock:
            self._items[item.request_id] = item
            self._by_dedup_key[(item.owner_email, item.kind, item.dedup_key)] = item.request_id

    def get(self, request_id: str) -> TransferItem | None:
        """
        Return a transfer by request id, whoever owns it.

        :param request_id: The item's id.
        """
        return self._items.get(request_id)

    def get_owned(self, request_id: str, owner_email: str, kind: TransferKind) -> TransferItem | None:
        """
        Return a transfer when it belongs to this account and kind, else ``None``.

        :param request_id: The item's id.
        :param owner_email: E-mail of the asking account.
        :param kind: Kind the route serves.
        """
        item = self._items.get(request_id)
        if item is None or item.owner_email != owner_email or item.kind is not kind:
            return None
        return item

    def find_existing(self, owner_email: str, kind: TransferKind, dedup_key: str) -> TransferItem | None:
        """
        Return the live transfer an earlier submission of the same link created, if any.

        :param owner_email: E-mail of the submitting account.
        :param kind: Kind of the submission.
        :param dedup_key: Key derived from the link.
        """
        request_id = self._by_dedup_key.get((owner_email, kind, dedup_key))
        return self._items.get(request_id) if request_id else None

    def history(self, owner_email: str, kind: TransferKind) -> list[TransferItem]:
        """
        Return an account's transfers of one kind, newest first.

        :param owner_email: E-mail of the account.
        :param kind: Kind of transfers listed.
        """
        with self._lock:
            items = [
                item for item in self._items.values() if item.owner_email == owner_email and item.kind is kind
            ]
        return items[::-1]

    def remove(self, request_id: str) -> TransferItem | None:
        """
        Forget a transfer so that re-submitting its link creates a new one.

        :param request_id: The item's id.
        """
        with self._lock:
            item = self._items.pop(request_id, None)
            if item is not None:
                self._by_dedup_key.pop((item.owner_email, item.kind, item.dedup_key), None)
        return item

    def all_items(self) -> list[TransferItem]:
        """Return every stored transfer, oldest first."""
        with self._lock:
            return list(self._items.values())
