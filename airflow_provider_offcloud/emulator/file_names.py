"""Names of the files the emulator writes for fetched links: one plain file name, kept inside its folder."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from pathlib import Path

#: Name used when a link gives nothing usable (``/``, ``/..``, only control characters).
FALLBACK_FILE_NAME = "download"

_SEPARATORS = re.compile(r"[/\\]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class UnsafeFileNameError(ValueError):
    """A file name would put the file outside the folder meant to hold it."""


def safe_file_name(raw_name: str, fallback: str = FALLBACK_FILE_NAME) -> str:
    """
    Reduce a name taken from a link to a single file name that cannot leave its folder.

    Percent escapes are decoded first, so ``..%2F..%2Fx.bin`` is seen as the path it spells; then only
    the part after the last ``/`` or ``\\`` is kept, control characters (NUL included) are dropped, and a
    name left empty, ``.`` or ``..`` gives ``fallback``.

    :param raw_name: The last path segment of a link, still percent-encoded.
    :param fallback: Name used when nothing usable is left; it must itself be a plain file name.
    """
    decoded = unquote(raw_name)
    last_part = _SEPARATORS.split(decoded)[-1]
    cleaned = _CONTROL_CHARACTERS.sub("", last_part).strip()
    if cleaned in ("", ".", ".."):
        return fallback
    return cleaned


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
