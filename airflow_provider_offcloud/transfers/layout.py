"""Where each file of a cloud item lands under the destination, refusing names that would escape it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_offcloud.transfers.errors import OffcloudUnsafePathError

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import ObjectStoragePath

    from airflow_provider_offcloud.normalize import OffcloudFile

#: Endings of download-client bookkeeping files that some listings include; they are never copied.
CONTROL_FILE_SUFFIXES = (".aria2",)

#: Added around a file's name while it is being written, so a half-written file is never taken for done.
PARTIAL_PREFIX = "."
PARTIAL_SUFFIX = ".offcloud-partial"

_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class PlannedCopy:
    """
    One file of the item and where it goes.

    :param source: The file as listed by Offcloud (its link is in ``source["url"]``).
    :param relative_path: Its ``/``-separated path under the destination, checked to stay inside it.
    :param target: The final path.
    :param partial: The temporary path written first, in the same folder as ``target``.
    """

    source: OffcloudFile
    relative_path: str
    target: ObjectStoragePath
    partial: ObjectStoragePath


def is_control_file(path: str) -> bool:
    """
    Tell whether a listed file is download-client bookkeeping rather than content.

    :param path: The file's path inside the item.
    """
    return path.lower().endswith(CONTROL_FILE_SUFFIXES)


def safe_relative_parts(path: str) -> list[str]:
    """
    Split a path from the service into folder and file names that cannot leave the destination.

    Both ``/`` and ``\\`` separate folders (names may come from Windows machines); empty and ``.`` parts
    are dropped.

    :param path: The file's path inside the item, as the service gave it.
    :raises OffcloudUnsafePathError: for ``..`` parts, absolute paths, drive letters, control characters, or
        a path with no name left.
    """
    if path.startswith(("/", "\\")) or _DRIVE_LETTER.match(path):
        raise _unsafe(path, "it is absolute")
    if any(ord(character) < 32 for character in path):
        raise _unsafe(path, "it holds control characters")

    parts = [part for part in re.split(r"[/\\]", path) if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise _unsafe(path, "it climbs out of its folder with '..'")
    if not parts:
        raise _unsafe(path, "it names no file")
    return parts


def partial_name(file_name: str) -> str:
    """
    Return the temporary name a file is written under before it is complete.

    :param file_name: The final file name.
    """
    return f"{PARTIAL_PREFIX}{file_name}{PARTIAL_SUFFIX}"


def plan_copies(files: list[OffcloudFile], destination: ObjectStoragePath) -> list[PlannedCopy]:
    """
    Decide the target of every content file of an item, keeping the item's folder layout.

    Control files are left out. Every path is checked before anything is written, so an item with one
    unsafe name copies nothing at all.

    A listed name ending in ``.offcloud-partial`` is refused too: the temporary file of another file (or
    of a file of a later item copied to the same folder) could be that very path, and one download would
    then resume from, or be renamed over, the other's bytes.

    A file whose path is a folder of another file's path (``notes`` and ``notes/a.txt``) is refused as
    well: one path cannot be both a file and a folder, and copying one would make the other fail half-way.

    :param files: The item's files, from ``OffcloudHook.cloud_explore``.
    :param destination: The folder receiving the files.
    :raises OffcloudUnsafePathError: when a path would escape the destination, two files would land on
        the same path, one file would land where another needs a folder, or a path is named like a
        temporary file of this transfer.
    """
    planned: list[PlannedCopy] = []
    seen: dict[str, str] = {}
    for listed in files:
        original = listed["path"] or listed["name"]
        if is_control_file(original):
            continue

        parts = safe_relative_parts(original)
        _refuse_partial_like_names(original, parts)
        relative_path = "/".join(parts)
        if relative_path in seen:
            raise OffcloudUnsafePathError(
                f"Two files of the item would land on {relative_path!r} ({seen[relative_path]!r} and "
                f"{original!r}); copy them to separate destinations or rename one on Offcloud."
            )
        seen[relative_path] = original

        target = destination.joinpath(*parts)
        partial = target.parent / partial_name(parts[-1])
        planned.append(
            PlannedCopy(source=listed, relative_path=relative_path, target=target, partial=partial)
        )

    _refuse_files_named_like_folders(seen)
    return planned


def _refuse_files_named_like_folders(listed_by_path: dict[str, str]) -> None:
    """
    Refuse a listing where one file's path is a folder on the way to another file.

    Checked once every path is known, so the order of the listing does not matter.

    :param listed_by_path: Each planned ``/``-separated path and the path the service listed for it.
    """
    for relative_path, original in listed_by_path.items():
        parts = relative_path.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in listed_by_path:
                raise OffcloudUnsafePathError(
                    f"Refusing to copy the item: the file {listed_by_path[folder]!r} would land where the "
                    f"file {original!r} needs a folder, and one path cannot be both. Nothing was copied; "
                    "rename one of them on Offcloud or copy them to separate destinations."
                )


def _refuse_partial_like_names(path: str, parts: list[str]) -> None:
    """
    Refuse a path with a file or folder name that the transfer itself could use for a temporary file.

    Every temporary name ends with :data:`PARTIAL_SUFFIX`, so no listed name ending with it means no
    listed path can ever be a temporary path. The check ignores case because some storages do.
    """
    suffix = PARTIAL_SUFFIX.lower()
    clashing = [part for part in parts if part.lower().endswith(suffix)]
    if clashing:
        raise OffcloudUnsafePathError(
            f"Refusing to copy {path!r}: {clashing[0]!r} is named like the temporary file this transfer "
            f"writes while copying ('.<name>{PARTIAL_SUFFIX}'), so it could overwrite another file's "
            "download or be mixed with it. Nothing was copied; rename the file on Offcloud (without the "
            f"{PARTIAL_SUFFIX!r} ending) and run the task again."
        )


def _unsafe(path: str, reason: str) -> OffcloudUnsafePathError:
    return OffcloudUnsafePathError(
        f"Refusing to copy {path!r}: {reason}, so it could be written outside the destination. "
        "Nothing was copied; rename the file on Offcloud or report the listing as a fault of the service."
    )
