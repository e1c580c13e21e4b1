"""Seeded torrents: local content that magnet links resolve to inside the emulator."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

# Writing generated content in slices keeps memory flat even for large seeded files.
_GENERATION_SLICE = 1024 * 1024


@dataclass(frozen=True)
class SeededFile:
    """
    One file of a seeded torrent.

    :param path: Path inside the torrent, ``/``-separated, without the torrent's root folder
        (``Season 1/episode.mkv``).
    :param content: Exact bytes of the file; when left out, ``size`` pseudo-random bytes derived
        from the torrent hash and path are generated.
    :param size: Size of generated content; ignored when ``content`` is given.
    """

    path: str
    content: bytes | None = None
    size: int = 0

    @property
    def byte_size(self) -> int:
        """Size of the file in bytes."""
        return len(self.content) if self.content is not None else self.size


@dataclass(frozen=True)
class SeededTorrent:
    """
    A torrent an account can resolve by magnet link.

    A torrent with one file whose path equals its name is a single-file item; anything else is a
    folder named after the torrent.

    :param info_hash: 40-hex info hash (any case).
    :param name: Torrent name: the file name of a single-file torrent or the root folder name.
    :param files: Files of the torrent.
    :param cached: When true (the default) the content is already in the service's cache: adding
        the magnet answers ``downloaded`` at once and cache checks report a hit. When false the
        item goes through ``created`` and ``downloading`` first.
    """

    info_hash: str
    name: str
    files: tuple[SeededFile, ...]
    cached: bool = True

    def __post_init__(self) -> None:
        normalized = self.info_hash.strip().lower()
        if len(normalized) != 40 or any(char not in "0123456789abcdef" for char in normalized):
            raise ValueError(f"Seeded info hash must be 40 hex characters, got {self.info_hash!r}.")
        if not self.files:
            raise ValueError(f"Seeded torrent {self.name!r} needs at least one file.")
        object.__setattr__(self, "info_hash", normalized)

    @property
    def is_directory(self) -> bool:
        """Whether the torrent is a folder rather than a single file."""
        return len(self.files) > 1 or self.files[0].path != self.name

    @property
    def total_size(self) -> int:
        """Sum of the file sizes in bytes."""
        return sum(seeded_file.byte_size for seeded_file in self.files)

    @property
    def magnet(self) -> str:
        """A magnet link for the torrent."""
        return f"magnet:?xt=urn:btih:{self.info_hash}&dn={quote(self.name)}"

    def full_path(self, seeded_file: SeededFile) -> str:
        """
        Return the file's path including the torrent's root folder when it has one.

        :param seeded_file: One of this torrent's files.
        """
        if not self.is_directory:
            return seeded_file.path
        return f"{self.name}/{seeded_file.path}"


class SeedLibrary:
    """
    Writes seeded torrents' content to disk once and tells where each file lives.

    Items made from a seeded magnet point at these files instead of copying them, so removing an
    item never deletes seed content.

    :param root: Folder receiving the content.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._written: set[str] = set()

    def disk_path(self, torrent: SeededTorrent, seeded_file: SeededFile) -> Path:
        """
        Return where a seeded file's content is stored, writing it on first use.

        :param torrent: The torrent the file belongs to.
        :param seeded_file: The file.
        """
        relative = PurePosixPath(torrent.full_path(seeded_file))
        if relative.is_absolute() or ".." in relative.parts:
            raise ValueError(f"Seeded file path {seeded_file.path!r} must stay inside the torrent.")
        target = self.root / torrent.info_hash / Path(*relative.parts)

        key = str(target)
        if key not in self._written:
            self._write(torrent, seeded_file, target)
            self._written.add(key)
        return target

    @staticmethod
    def _write(torrent: SeededTorrent, seeded_file: SeededFile, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if seeded_file.content is not None:
            target.write_bytes(seeded_file.content)
            return

        # Seeding the generator with hash and path makes the bytes the same on every run.
        generator = random.Random(f"{torrent.info_hash}/{seeded_file.path}")
        remaining = seeded_file.size
        with target.open("wb") as handle:
            while remaining > 0:
                slice_size = min(remaining, _GENERATION_SLICE)
                handle.write(generator.randbytes(slice_size))
                remaining -= slice_size
