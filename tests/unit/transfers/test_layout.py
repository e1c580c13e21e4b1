"""Every file lands under the destination in the item's layout; unsafe names stop everything."""

from __future__ import annotations

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_offcloud.normalize import OffcloudFile
from airflow_provider_offcloud.transfers.errors import OffcloudUnsafePathError
from airflow_provider_offcloud.transfers.layout import plan_copies, safe_relative_parts

DESTINATION = ObjectStoragePath("file:///data/in/")


def _file(path: str) -> OffcloudFile:
    return OffcloudFile(name=path.rsplit("/", 1)[-1], path=path, size=1, url=f"http://127.0.0.1:10/{path}")


def test_folder_layout_is_kept_and_partial_files_sit_beside_their_target():
    planned = plan_copies([_file("Show/Season 1/e01.mkv"), _file("Show/readme.txt")], DESTINATION)

    assert [str(copy.target) for copy in planned] == [
        "file:///data/in/Show/Season 1/e01.mkv",
        "file:///data/in/Show/readme.txt",
    ]
    assert str(planned[0].partial) == "file:///data/in/Show/Season 1/.e01.mkv.offcloud-partial"
    assert planned[0].relative_path == "Show/Season 1/e01.mkv"


def test_control_files_are_left_out():
    planned = plan_copies([_file("Show/e01.mkv"), _file("Show/e01.mkv.aria2"), _file("x.ARIA2")], DESTINATION)

    assert [copy.relative_path for copy in planned] == ["Show/e01.mkv"]


@pytest.mark.parametrize(
    "path",
    [
        "../etc/passwd",
        "Show/../../x",
        "/etc/passwd",
        "\\\\server\\share\\x",
        "C:\\x.txt",
        "a\\..\\..\\b",
        "a\x00b",
    ],
)
def test_paths_that_could_escape_the_destination_are_refused(path):
    with pytest.raises(OffcloudUnsafePathError, match="Refusing to copy"):
        safe_relative_parts(path)


def test_one_unsafe_name_refuses_the_whole_item_before_anything_is_planned():
    with pytest.raises(OffcloudUnsafePathError):
        plan_copies([_file("good.txt"), _file("Show/../../escape.txt")], DESTINATION)


def test_harmless_dots_and_backslashes_are_normalised():
    assert safe_relative_parts("Show/./Season 1\\e01.mkv") == ["Show", "Season 1", "e01.mkv"]


def test_two_files_on_the_same_path_are_refused():
    with pytest.raises(OffcloudUnsafePathError, match="Two files"):
        plan_copies([_file("a/b.txt"), _file("a\\b.txt")], DESTINATION)


@pytest.mark.parametrize(
    "listing",
    [
        [".a.bin.offcloud-partial", "a.bin"],
        ["a.bin", ".a.bin.offcloud-partial"],
        ["Show/e01.mkv", "Show/.e01.mkv.OFFCLOUD-PARTIAL"],
        ["lonely.offcloud-partial"],
        [".x.offcloud-partial/inside.txt", "x"],
    ],
)
def test_names_that_a_temporary_file_could_take_are_refused_before_anything_is_planned(listing):
    with pytest.raises(OffcloudUnsafePathError, match="temporary file") as refused:
        plan_copies([_file(path) for path in listing], DESTINATION)

    assert "offcloud-partial" in str(refused.value).lower()


def test_names_merely_mentioning_the_partial_ending_are_kept():
    planned = plan_copies([_file("notes.offcloud-partial.txt"), _file("a.bin")], DESTINATION)

    assert [copy.relative_path for copy in planned] == ["notes.offcloud-partial.txt", "a.bin"]


@pytest.mark.parametrize(
    ("listing", "file_path", "folder_user"),
    [
        (["notes", "notes/a.txt"], "notes", "notes/a.txt"),
        (["Show/e01/part1.mkv", "Show/e01"], "Show/e01", "Show/e01/part1.mkv"),
        (["a/b/c/d.txt", "other.txt", "a"], "a", "a/b/c/d.txt"),
        (["notes\\a.txt", "notes"], "notes", "notes\\a.txt"),
    ],
)
def test_a_file_where_another_file_needs_a_folder_is_refused_naming_both(listing, file_path, folder_user):
    with pytest.raises(OffcloudUnsafePathError) as refused:
        plan_copies([_file(path) for path in listing], DESTINATION)

    assert repr(file_path) in str(refused.value)
    assert repr(folder_user) in str(refused.value)
    assert "Nothing was copied" in str(refused.value)


def test_files_sharing_only_the_start_of_a_name_are_not_a_clash():
    planned = plan_copies([_file("notes"), _file("notes.txt"), _file("notes2/a.txt")], DESTINATION)

    assert [copy.relative_path for copy in planned] == ["notes", "notes.txt", "notes2/a.txt"]
