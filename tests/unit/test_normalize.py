"""Normalisation of every answer shape into the provider's JSON-serialisable results."""

from __future__ import annotations

import json

import pytest

from airflow_provider_offcloud.exceptions import OffcloudApiError
from airflow_provider_offcloud.normalize import (
    OffcloudItem,
    as_records,
    first_present,
    info_hash,
    lower_hashes,
    normalize_account,
    normalize_files,
    normalize_item,
    normalize_items,
    normalize_proxies,
    normalize_remote_accounts,
    same_source,
    to_bool,
    to_bytes,
    to_iso_timestamp,
    unwrap,
)

HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
BASE32 = "YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1024, 1024),
        (10.7, 10),
        ("2048", 2048),
        (" 2048 ", 2048),
        ("1.5 KB", 1536),
        ("2 MB/s", 2 * 1024**2),
        ("1GiB", 1024**3),
        ("3 kbps", 3 * 1024),
        ("", None),
        (None, None),
        (True, None),
        (-5, None),
        ("lots", None),
        ([1], None),
    ],
)
def test_to_bytes(raw, expected):
    assert to_bytes(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("1", True),
        ("no", False),
        ("", None),
    ],
)
def test_to_bool(raw, expected):
    assert to_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-01T10:00:00.000Z", "2026-03-01T10:00:00.000Z"),
        ("31-12-2026", "2026-12-31"),
        (0, "1970-01-01T00:00:00+00:00"),
        (1767225600, "2026-01-01T00:00:00+00:00"),
        (1767225600000, "2026-01-01T00:00:00+00:00"),
        (None, None),
        ("", None),
    ],
)
def test_to_iso_timestamp(raw, expected):
    assert to_iso_timestamp(raw) == expected


def test_first_present_skips_missing_and_empty_values():
    assert first_present({"a": "", "b": None, "c": 0}, "a", "b", "c") == 0
    assert first_present({}, "a") is None


@pytest.mark.parametrize(
    ("payload", "expected"),
    [({"status": {"a": 1}}, {"a": 1}), ({"status": "queued"}, {"status": "queued"}), ([1], [1])],
)
def test_unwrap(payload, expected):
    assert unwrap(payload, "status") == expected


def test_as_records_refuses_what_is_not_a_list():
    with pytest.raises(OffcloudApiError):
        as_records("text", "data")
    assert as_records({"data": [{"a": 1}, "junk"]}, "data") == [{"a": 1}]


class TestNormalizeItem:
    def test_keeps_every_documented_key_and_survives_json(self):
        item = normalize_item({"requestId": "r1", "status": "created"})

        assert set(item) == set(OffcloudItem.__annotations__)
        assert json.loads(json.dumps(item)) == item

    @pytest.mark.parametrize(
        ("record", "progress", "amount"),
        [
            ({"status": "downloading", "amount": 25, "fileSize": 100}, 0.25, 25),
            ({"status": "downloading", "amount": "75", "fileSize": "100"}, 0.75, 75),
            ({"status": "downloading", "progress": 0.5, "fileSize": 200}, 0.5, 100),
            ({"status": "downloading", "progress": 40}, 0.4, None),
            ({"status": "downloading", "progress": "40%"}, 0.4, None),
            ({"status": "downloading", "progress": None}, None, None),
            ({"status": "downloading", "progress": "soon"}, None, None),
            ({"status": "downloading", "amount": 500, "fileSize": 100}, 1.0, 500),
            ({"status": "downloading", "amount": 5, "fileSize": 0}, None, 5),
            ({"status": "downloaded", "progress": None}, 1.0, None),
            ({"status": "created", "progress": 0}, 0.0, None),
        ],
    )
    def test_progress_from_either_generation(self, record, progress, amount):
        item = normalize_item({"requestId": "r1", **record})

        assert item["progress"] == progress
        assert item["amount"] == amount

    def test_camel_and_snake_case_give_the_same_item(self):
        camel = {
            "requestId": "r1",
            "fileName": "a.iso",
            "status": "downloading",
            "originalLink": "https://x/a.iso",
            "createdOn": "2026-01-01",
            "fileSize": "10",
            "isDirectory": False,
            "errorMessage": None,
        }
        snake = {
            "request_id": "r1",
            "file_name": "a.iso",
            "status": "downloading",
            "original_link": "https://x/a.iso",
            "created_on": "2026-01-01",
            "file_size": 10,
            "is_directory": 0,
        }

        assert normalize_item({"status": camel}) == normalize_item(snake)

    def test_first_entry_of_a_batch_answer(self):
        assert normalize_item({"requests": [{"requestId": "r9", "status": "queued"}]})["requestId"] == "r9"

    def test_failure_message_falls_back_to_message(self):
        item = normalize_item({"requestId": "r1", "status": "error", "message": "Cannot download torrent."})

        assert item["errorMessage"] == "Cannot download torrent."

    def test_message_of_a_working_item_is_not_an_error(self):
        assert (
            normalize_item({"requestId": "r1", "status": "created", "message": "Loading..."})["errorMessage"]
            is None
        )

    def test_speed_with_units(self):
        assert (
            normalize_item({"requestId": "r1", "downloadingSpeed": "1 MB/s"})["downloadingSpeed"] == 1024**2
        )

    def test_numeric_ids_become_text(self):
        assert normalize_item({"id": 17, "status": "queued"})["requestId"] == "17"

    @pytest.mark.parametrize(
        "payload", [None, [], "text", {"status": {"status": "queued"}}, {"fileName": "a"}]
    )
    def test_not_an_item(self, payload):
        with pytest.raises(OffcloudApiError):
            normalize_item(payload)


@pytest.mark.parametrize(
    "payload",
    [
        [{"requestId": "a"}, {"requestId": "b"}],
        {"data": [{"requestId": "a"}, {"requestId": "b"}]},
        {"history": [{"requestId": "a"}, {"metaData": "hide"}, {"requestId": "b"}], "isEnd": True},
        {"list": [{"request_id": "a"}, {"id": "b"}]},
    ],
)
def test_normalize_items(payload):
    assert [item["requestId"] for item in normalize_items(payload)] == ["a", "b"]


class TestNormalizeFiles:
    def test_bare_links(self):
        files = normalize_files(
            [
                "https://s1.offcloud.com/cloud/download/r1/1/Root/Sub/a%20b.mkv",
                "https://s1.offcloud.com/cloud/download/r1/single.iso",
                "https://1-cdn.energycdn.test/obj/u/tok/sig/c.mkv",
            ]
        )

        assert [(entry["name"], entry["path"]) for entry in files] == [
            ("a b.mkv", "Root/Sub/a b.mkv"),
            ("single.iso", "single.iso"),
            ("c.mkv", "c.mkv"),
        ]

    @pytest.mark.parametrize(
        ("entry", "path"),
        [
            ({"name": "a.mkv", "path": "/Root/a.mkv", "url": "u"}, "Root/a.mkv"),
            ({"name": "a.mkv", "path": "Root/Sub", "url": "u"}, "Root/Sub/a.mkv"),
            ({"filename": "a.mkv", "folder": ["Root", "Sub"], "url": "u"}, "Root/Sub/a.mkv"),
            ({"filename": "a.mkv", "folder": "/Root/", "url": "u"}, "Root/a.mkv"),
            ({"url": "https://cdn.test/x/a%20.mkv"}, "a .mkv"),
        ],
    )
    def test_detailed_entries(self, entry, path):
        [normalised] = normalize_files({"files": [{**entry, "size": "5"}]})

        assert normalised["path"] == path
        assert normalised["size"] == 5

    def test_files_that_are_not_a_list_give_nothing(self):
        assert normalize_files({"files": None}) == []

    @pytest.mark.parametrize("payload", [{"error": "Bad archive"}, "x", None])
    def test_not_a_listing(self, payload):
        with pytest.raises(OffcloudApiError):
            normalize_files(payload)


def test_normalize_proxies_and_remote_accounts():
    assert normalize_proxies({"list": [{"proxyId": 3, "name": "Main", "region": "eu"}]}) == [
        {"id": "3", "name": "Main", "region": "eu"}
    ]
    assert normalize_remote_accounts(
        [{"accountId": "a1", "type": "gdrive", "name": "me", "status": "ok", "port": "x"}]
    ) == [
        {
            "remoteOptionId": "a1",
            "type": "gdrive",
            "username": "me",
            "status": "ok",
            "host": None,
            "port": None,
        }
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {
            "user_id": 1,
            "email": "e@x",
            "is_premium": True,
            "expiration_date": "2026-12-31",
            "can_download": True,
        },
        {
            "userId": "1",
            "email": "e@x",
            "isPremium": 1,
            "expirationDate": "31-12-2026",
            "canDownload": "true",
        },
        {
            "account": {
                "userId": "1",
                "email": "e@x",
                "isPremium": "1",
                "expirationDate": "31-12-2026",
                "canDownload": 1,
            }
        },
    ],
    ids=["account-info", "account-stats", "wrapped"],
)
def test_normalize_account(payload):
    account = normalize_account(payload)

    assert account == {
        "userId": "1",
        "email": "e@x",
        "isPremium": True,
        "expirationDate": "2026-12-31",
        "canDownload": True,
        "limits": {},
    }


def test_normalize_account_refuses_a_list():
    with pytest.raises(OffcloudApiError):
        normalize_account([])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HEX, HEX),
        (HEX.upper(), HEX),
        (f"  {HEX}  ", HEX),
        (BASE32, HEX),
        (BASE32.lower(), HEX),
        (f"magnet:?xt=urn:btih:{HEX.upper()}&dn=x&tr=udp%3A%2F%2Ft", HEX),
        (f"magnet:?dn=x&xt=urn:btih:{BASE32}", HEX),
        (f"MAGNET:?xt=URN:BTIH:{HEX}", HEX),
        (f"magnet:?xt=urn:btmh:1220{'a' * 64}&xt=urn:btih:{HEX}", HEX),
        ("magnet:?dn=x", None),
        ("magnet:?xt=urn:btih:zzzz", None),
        (HEX[:-1], None),
        ("g" * 40, None),
        ("", None),
        (None, None),
        (123, None),
    ],
)
def test_info_hash(value, expected):
    assert info_hash(value) == expected


@pytest.mark.parametrize(
    ("submitted", "original", "expected"),
    [
        (
            f"magnet:?xt=urn:btih:{HEX}",
            f"magnet:?xt=urn:btih:{HEX.upper()}&tr=udp%3A%2F%2Ft.example%3A1337",
            True,
        ),
        (f"magnet:?xt=urn:btih:{HEX}&dn=a", f"{HEX.upper()}.torrent", True),
        (f"magnet:?xt=urn:btih:{HEX}", f"https://offcloud.com/torrents/{HEX}.torrent", True),
        (f"magnet:?xt=urn:btih:{BASE32}", f"magnet:?xt=urn:btih:{HEX}", True),
        (HEX, f"magnet:?xt=urn:btih:{HEX}&tr=x", True),
        (f"magnet:?xt=urn:btih:{HEX}", f"magnet:?xt=urn:btih:{'0' * 40}", False),
        (f"magnet:?xt=urn:btih:{HEX}", "https://example.com/other.torrent", False),
        ("https://example.com/a.zip", "https://example.com/a.zip/", True),
        ("https://example.com/a.zip", "https://example.com/b.zip", False),
        ("https://example.com/a.zip", None, False),
        ("https://example.com/a.zip", "", False),
    ],
)
def test_same_source(submitted, original, expected):
    assert same_source(submitted, original) is expected


def test_lower_hashes_ignores_what_is_not_text():
    assert lower_hashes(["ABC", None, 5, "def"]) == {"abc", "def"}


def test_history_entries_are_normalised_again_only_when_their_record_changed():
    reuse: dict = {}
    waiting = {"requestId": "a", "status": "created"}

    first = normalize_items([waiting, {"requestId": "b", "status": "queued"}], None, reuse)
    again = normalize_items([dict(waiting), {"requestId": "b", "status": "downloaded"}], None, reuse)

    assert again[0] is first[0], "an unchanged record reuses its normalised entry"
    assert again[1] is not first[1]
    assert again[1]["status"] == "downloaded"


def test_history_can_be_limited_to_the_items_asked_for():
    history = [{"requestId": "a", "status": "created"}, {"requestId": "b", "fileSize": "not a size"}]

    assert [item["requestId"] for item in normalize_items(history, {"b"})] == ["b"]
