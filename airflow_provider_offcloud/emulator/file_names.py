"""Names of the files the emulator writes for fetched links: one plain file name, kept inside its folder."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from pathlib import Path

#: Name used when a link gives nothing usable (``/``, ``/..``, only control characters).
FALLBACK_FILE_NAME = "download"

#: Longest file name kept, in UTF-8 bytes. File systems commonly stop at 255 bytes; the margin leaves room
#: for the endings added next to the file (``.part`` while fetching, ``.aria2`` in listings) and for the
#: temporary names clients write while copying the file.
MAX_FILE_NAME_BYTES = 200

#: An ending longer than this (in bytes, dot included) is not taken for an extension worth keeping.
MAX_KEPT_EXTENSION_BYTES = 32

_SEPARATORS = re.compile(r"[/\\]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class UnsafeFileNameError(ValueError):
    """A file name would put the file outside the folder meant to hold it."""


def safe_file_name(raw_name: str, fallback: str = FALLBACK_FILE_NAME) -> str:
    """
    Reduce a name taken from a link to a single file name that cannot leave its folder.

    Percent escapes are decoded first, so ``..%2F..%2Fx.bin`` is seen as the path it spells; then only
    the part after the last ``/`` or ``\\`` is kept, control characters (NUL included) are dropped, and a
    name left empty, ``.`` or ``..`` gives ``fallback``. A name longer than :data:`MAX_FILE_NAME_BYTES`
    UTF-8 bytes is shortened to fit, keeping its extension, since the disk would refuse it.

    :param raw_name: The last path segment of a link, still percent-encoded.
    :param fallback: Name used when nothing usable is left; it must itself be a plain file name.
    """
    decoded = unquote(raw_name)
    last_part = _SEPARATORS.split(decoded)[-1]
    cleaned = _CONTROL_CHARACTERS.sub("", last_part).strip()
    if cleaned in ("", ".", ".."):
        return fallback
    return shorten_file_name(cleaned)


def shorten_file_name(file_name: str, max_bytes: int = MAX_FILE_NAME_BYTES) -> str:
    """
    Cut a file name to at most ``max_bytes`` UTF-8 bytes, keeping its extension and whole characters.

    :param file_name: A plain file name.
    :param max_bytes: Longest length allowed, in UTF-8 bytes.
    """
    if len(file_name.encode()) <= max_bytes:
        return file_name

    stem, dot, extension = file_name.rpartition(".")
    ending = f"{dot}{extension}"
    # A leading dot (".bashrc") or a very long "extension" is part of the name, not an ending to keep.
    if not stem or len(ending.encode()) > MAX_KEPT_EXTENSION_BYTES:
        stem, ending = file_name, ""

    room = max_bytes - len(ending.encode())
    # Cutting the bytes may split a character; "ignore" drops the incomplete tail.
    shortened_stem = stem.encode()[:room].decode(errors="ignore").rstrip()
    return f"{shortened_stem}{ending}" if shortened_stem else FALLBACK_FILE_NAME


def path_inside(folder: Path, file_name: str) -> Path:
    """
    Return ``folder / file_name`` after checking that it resolves to a file directly in ``folder``.

    A second line of defence behind :func:`safe_file_name`: whatever the name, nothing is written
    elsewhere, symbolic links included.

    :param folder: The folder meant to hold the file (it need not exist yet).
    :param file_name: The file's name.
    :raises UnsafeFileNameError: when the path would land anywhere but directly in ``folder``.
    """
    candidate = folder / file_name
    if candidate.resolve().parent != folder.resolve():
        raise UnsafeFileNameError(f"the file name {file_name!r} leaves its folder")
    return candidate
