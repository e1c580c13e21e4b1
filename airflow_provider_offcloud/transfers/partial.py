"""The temporary file a download is written to: its open handle, byte count and running checksum."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import ObjectStoragePath

    from airflow_provider_offcloud.transfers.progress import LineLogger

#: Storage protocols whose files can be reopened for appending, so a later try can resume a download.
APPENDABLE_PROTOCOLS = frozenset({"file", "local"})


def can_append(path: ObjectStoragePath) -> bool:
    """
    Tell whether bytes can be added to an existing file at this path (local files: yes; object stores: no).

    :param path: A destination path.
    """
    return str(getattr(path, "protocol", "")).split("::")[0] in APPENDABLE_PROTOCOLS


def sha256_of(path: ObjectStoragePath, chunk_size: int) -> str:
    """
    Compute the SHA-256 of a stored file, reading it once in chunks (constant memory).

    :param path: The file.
    :param chunk_size: Bytes read at a time.
    """
    digest = hashlib.sha256()
    _feed(digest, path, chunk_size)
    return digest.hexdigest()


class PartialFile:
    """
    Writes a download into its temporary path, counting bytes and hashing them on the way.

    The handle stays open while the download is retried, so a download resumed within the same try
    continues in the same handle whatever the storage: object stores need no append support for that.
    Only a partial file left by an earlier try needs appending, which local files allow.

    :param path: The temporary path.
    :param chunk_size: Bytes read at a time when an existing partial file is hashed.
    :param logger: Where resumptions are reported.
    """

    def __init__(self, path: ObjectStoragePath, *, chunk_size: int, logger: LineLogger) -> None:
        self.path = path
        self.chunk_size = chunk_size
        self.logger = logger
        self.appendable = can_append(path)
        self.written = 0
        self.reused_bytes = 0
        self._digest = hashlib.sha256()
        self._handle: Any = None

    def open(self) -> None:
        """
        Open the temporary file: resume one left by an earlier try when the storage allows, else start empty.

        Resuming hashes the bytes already there first (one read of them), so the final checksum covers the
        whole file without keeping any hashing state between tries.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.appendable and self.path.exists():
            existing = self.path.stat().st_size
            if existing > 0:
                _feed(self._digest, self.path, self.chunk_size)
                self.written = self.reused_bytes = existing
                self._handle = self.path.open("ab")
                self.logger.info("Found %d bytes from an earlier try in %s; resuming.", existing, self.path)
                return
        self._handle = self.path.open("wb")

    def write(self, chunk: bytes) -> None:
        """
        Append a chunk and fold it into the checksum.

        :param chunk: Bytes just received.
        """
        self._handle.write(chunk)
        self._digest.update(chunk)
        self.written += len(chunk)

    def restart(self) -> None:
        """Throw away what was written and start the file again from its first byte."""
        self.close()
        self._digest = hashlib.sha256()
        self.written = self.reused_bytes = 0
        self._handle = self.path.open("wb")

    @property
    def sha256(self) -> str:
        """The hex SHA-256 of the bytes written so far."""
        return self._digest.hexdigest()

    def close(self) -> None:
        """Flush and close the handle (for object stores this is when the upload completes)."""
        if self._handle is not None:
            handle, self._handle = self._handle, None
            handle.close()

    def discard(self) -> None:
        """Close and delete the temporary file; used when its content cannot be trusted."""
        try:
            self.close()
        finally:
            if self.path.exists():
                self.path.unlink()


def _feed(digest: Any, path: ObjectStoragePath, chunk_size: int) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
