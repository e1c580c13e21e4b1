"""Seeded torrents of the emulator: validation, layout on disk, reproducible generated content."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.emulator.seeds import SeededFile, SeededTorrent, SeedLibrary

HASH = "ab" * 20


def test_folder_torrent_paths_start_with_its_name(tmp_path):
    torrent = SeededTorrent(
        HASH, "Pack", (SeededFile("Sub/a.bin", size=10), SeededFile("b.txt", content=b"hi"))
    )
    library = SeedLibrary(tmp_path)

    paths = [library.disk_path(torrent, seeded_file) for seeded_file in torrent.files]

    assert torrent.is_directory
    assert paths[0] == tmp_path / HASH / "Pack" / "Sub" / "a.bin"
    assert paths[0].stat().st_size == 10
    assert paths[1].read_bytes() == b"hi"


def test_single_file_torrent_is_not_a_folder():
    torrent = SeededTorrent(HASH.upper(), "one.bin", (SeededFile("one.bin", size=1),))

    assert not torrent.is_directory
    assert torrent.info_hash == HASH
    assert torrent.magnet.startswith(f"magnet:?xt=urn:btih:{HASH}&dn=")


def test_generated_content_is_the_same_on_every_run(tmp_path):
    torrent = SeededTorrent(HASH, "one.bin", (SeededFile("one.bin", size=3000),))

    first = SeedLibrary(tmp_path / "a").disk_path(torrent, torrent.files[0]).read_bytes()
    second = SeedLibrary(tmp_path / "b").disk_path(torrent, torrent.files[0]).read_bytes()

    assert first == second
    assert len(first) == 3000


@pytest.mark.parametrize("bad_hash", ["abc", "zz" * 20])
def test_malformed_hash_is_refused(bad_hash):
    with pytest.raises(ValueError, match="40 hex"):
        SeededTorrent(bad_hash, "x", (SeededFile("x", size=1),))


def test_paths_escaping_the_torrent_are_refused(tmp_path):
    torrent = SeededTorrent(HASH, "Pack", (SeededFile("../escape.bin", size=1), SeededFile("ok", size=1)))

    with pytest.raises(ValueError, match="inside the torrent"):
        SeedLibrary(tmp_path).disk_path(torrent, torrent.files[0])
