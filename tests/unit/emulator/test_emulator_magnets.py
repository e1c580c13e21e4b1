"""Magnet parsing of the emulator: hashes in hex and base32, garbage kept, trackers appended."""

from __future__ import annotations

import base64

from airflow_provider_offcloud.emulator.magnets import is_magnet, normalize_info_hash, parse_magnet

HEX_HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


def test_hex_hash_and_name_are_read():
    magnet = parse_magnet(f"magnet:?xt=urn:btih:{HEX_HASH.upper()}&dn=Some%20Name")

    assert magnet.valid_hash
    assert magnet.info_hash == HEX_HASH
    assert magnet.display_name == "Some Name"


def test_base32_hash_becomes_hex():
    base32_hash = base64.b32encode(bytes.fromhex(HEX_HASH)).decode()

    assert normalize_info_hash(base32_hash) == HEX_HASH


def test_garbage_hash_is_kept_not_rejected():
    magnet = parse_magnet("magnet:?xt=urn:btih:zzzz")

    assert not magnet.valid_hash
    assert magnet.info_hash == "zzzz"


def test_resolved_link_appends_trackers_only_when_missing():
    bare = parse_magnet(f"magnet:?xt=urn:btih:{HEX_HASH}")
    with_tracker = parse_magnet(f"magnet:?xt=urn:btih:{HEX_HASH}&tr=udp%3A%2F%2Fa%3A1")

    assert bare.resolved_link().startswith(bare.link + "&tr=")
    assert with_tracker.resolved_link() == with_tracker.link


def test_is_magnet_ignores_case_and_other_schemes():
    assert is_magnet("MAGNET:?xt=urn:btih:x")
    assert not is_magnet("https://example.invalid/magnet:?x")
