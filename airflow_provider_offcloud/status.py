"""The statuses an Offcloud item goes through, and the groups that decide what a waiter does next."""

from __future__ import annotations

from enum import Enum


class OffcloudStatus(str, Enum):
    """
    Status of a cloud, remote or instant item, in Offcloud's own words.

    The service documents only ``created``, ``downloaded`` and ``error``; clients have also seen ``queued``,
    ``downloading``, ``processing`` (unpacking a cached archive) and ``canceled``. Other spellings seen in
    client code are mapped onto these by :meth:`parse`.
    """

    CREATED = "created"
    QUEUED = "queued"
    DOWNLOADING = "downloading"
    PROCESSING = "processing"
    DOWNLOADED = "downloaded"
    ERROR = "error"
    CANCELED = "canceled"

    @classmethod
    def parse(cls, raw: object) -> OffcloudStatus:
        """
        Map any status spelling seen in the wild onto a member; an unknown word counts as still working.

        :param raw: The ``status`` value from an Offcloud answer.
        """
        if isinstance(raw, cls):
            # str() of a str-Enum member is "OffcloudStatus.ERROR" on some Python versions, not its value.
            return raw
        word = str(raw or "").strip().lower()
        try:
            return cls(word)
        except ValueError:
            return _ALIASES.get(word, cls.QUEUED)

    @property
    def is_success(self) -> bool:
        """Whether the item finished and its files can be fetched."""
        return self in SUCCESS_STATUSES

    @property
    def is_failure(self) -> bool:
        """Whether the item ended without its files."""
        return self in FAILURE_STATUSES

    @property
    def is_terminal(self) -> bool:
        """Whether the item will not change any more without a retry."""
        return self.is_success or self.is_failure


_ALIASES: dict[str, OffcloudStatus] = {
    "cancelled": OffcloudStatus.CANCELED,
    "failed": OffcloudStatus.ERROR,
    "fragile": OffcloudStatus.ERROR,
    "dead": OffcloudStatus.ERROR,
    "ready": OffcloudStatus.DOWNLOADED,
    "completed": OffcloudStatus.DOWNLOADED,
    "finished": OffcloudStatus.DOWNLOADED,
    "pending": OffcloudStatus.QUEUED,
}

SUCCESS_STATUSES = frozenset({OffcloudStatus.DOWNLOADED})
FAILURE_STATUSES = frozenset({OffcloudStatus.ERROR, OffcloudStatus.CANCELED})
