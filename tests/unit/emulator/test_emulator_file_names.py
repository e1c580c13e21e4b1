"""Names taken from links become one plain file name, and files are only ever written in their folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from airflow_provider_offcloud.emulator.file_names import (
    FALLBACK_FILE_NAME,
    MAX_FILE_NAME_BYTES,
    UnsafeFileNameError,
    path_inside,
    safe_file_name,
)

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("raw_name", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("name%20with%20spaces.bin", "name with spaces.bin"),
        ("..%2F..%2F..%2Fescaped.bin", "escaped.bin"),
        ("..%5C..%5Cescaped.bin", "escaped.bin"),
        ("a%00b.bin", "ab.bin"),
        ("%2E%2E", FALLBACK_FILE_NAME),
        ("..", FALLBACK_FILE_NAME),
        ("", FALLBACK_FILE_NAME),
        ("x%2F", FALLBACK_FILE_NAME),
        ("%0A%0D", FALLBACK_FILE_NAME),
    ],
)
def test_a_name_from_a_link_becomes_one_plain_file_name(raw_name, expected):
    assert safe_file_name(raw_name) == expected


def test_the_fallback_is_used_when_nothing_is_left():
    assert safe_file_name("..", fallback="example.org") == "example.org"


def test_a_plain_name_stays_in_its_folder(tmp_path: Path):
    assert path_inside(tmp_path / "item", "file.bin") == tmp_path / "item" / "file.bin"


@pytest.mark.parametrize("file_name", ["../escaped.bin", "sub/file.bin", "..", "/etc/passwd"])
def test_a_name_leaving_its_folder_is_refused(tmp_path: Path, file_name):
    with pytest.raises(UnsafeFileNameError, match="leaves its folder"):
        path_inside(tmp_path / "item", file_name)


def test_a_symbolic_link_out_of_the_folder_is_refused(tmp_path: Path):
    folder = tmp_path / "item"
    folder.mkdir()
    (folder / "link.bin").symlink_to(tmp_path / "outside.bin")

    with pytest.raises(UnsafeFileNameError):
        path_inside(folder, "link.bin")


def test_a_name_too_long_for_the_disk_is_shortened_keeping_its_extension():
    shortened = safe_file_name(f"{'n' * 300}.bin")

    assert len(shortened.encode()) == MAX_FILE_NAME_BYTES
    assert shortened.endswith(".bin")
    assert shortened.startswith("nnnn")


def test_shortening_counts_bytes_and_never_splits_a_character():
    # "é" is two bytes in UTF-8: 150 of them are 300 bytes, over the limit although only 154 characters.
    shortened = safe_file_name(f"{'é' * 150}.txt")

    assert len(shortened.encode()) <= MAX_FILE_NAME_BYTES
    assert shortened == f"{'é' * ((MAX_FILE_NAME_BYTES - 4) // 2)}.txt"


def test_a_name_made_of_one_long_ending_is_cut_as_a_whole():
    shortened = safe_file_name(f"report.{'x' * 300}")

    assert len(shortened.encode()) == MAX_FILE_NAME_BYTES
    assert shortened.startswith("report.xxx")


def test_a_name_within_the_limit_is_kept_as_it_is():
    name = f"{'n' * (MAX_FILE_NAME_BYTES - 4)}.bin"

    assert safe_file_name(name) == name
