"""Names taken from links become one plain file name, and files are only ever written in their folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from airflow_provider_offcloud.emulator.file_names import (
    FALLBACK_FILE_NAME,
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
