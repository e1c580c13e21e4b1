"""Cache checks, account descriptions, proxy and remote-account lists, HTML 404/405 pages."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.emulator import (
    DEMO_EMAIL,
    DEMO_MULTI_FILE_TORRENT,
    DEMO_REMOTE_OPTION_ID,
    DEMO_SINGLE_FILE_TORRENT,
    DEMO_UNCACHED_TORRENT,
    DEMO_ZOMBIE_MAGNET,
)

pytestmark = pytest.mark.integration

CACHED_HASH = DEMO_MULTI_FILE_TORRENT.info_hash
UNCACHED_HASH = DEMO_UNCACHED_TORRENT.info_hash


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"json": {"hashes": [CACHED_HASH, UNCACHED_HASH]}}, id="json-array"),
        pytest.param({"data": {"hashes[]": [CACHED_HASH, UNCACHED_HASH]}}, id="form-brackets"),
        pytest.param({"data": {"hashes[0]": CACHED_HASH, "hashes[1]": UNCACHED_HASH}}, id="form-indexed"),
    ],
)
def test_cache_check_lists_hits_only(emulator_client, body):
    reply = emulator_client.post("/api/cache", **body)

    assert reply.json() == {"cachedItems": [CACHED_HASH.upper()]}


def test_cache_check_accepts_upper_case_hashes(emulator_client):
    reply = emulator_client.post("/api/cache", json={"hashes": [DEMO_SINGLE_FILE_TORRENT.info_hash.upper()]})

    assert [item.lower() for item in reply.json()["cachedItems"]] == [DEMO_SINGLE_FILE_TORRENT.info_hash]


def test_cache_info_is_aligned_with_input(emulator_client):
    urls = [DEMO_ZOMBIE_MAGNET, DEMO_MULTI_FILE_TORRENT.magnet, CACHED_HASH, DEMO_SINGLE_FILE_TORRENT.magnet]

    entries = emulator_client.post("/api/cache/info", json={"urls": urls, "includeFiles": True}).json()

    # A bare hash is not a magnet: the service answers "not cached" for it.
    assert [entry["cached"] for entry in entries] == [False, True, False, True]
    multi_files = entries[1]["files"]
    assert multi_files[1] == {
        "folder": [DEMO_MULTI_FILE_TORRENT.name, "Extras"],
        "filename": "Making of.mkv",
        "size": DEMO_MULTI_FILE_TORRENT.files[1].byte_size,
    }
    assert entries[3]["files"][0]["folder"] == []


def test_cache_info_without_files(emulator_client):
    entries = emulator_client.post("/api/cache/info", json={"urls": [DEMO_MULTI_FILE_TORRENT.magnet]}).json()

    assert entries == [{"cached": True}]


def test_account_info_is_snake_case(emulator_client):
    info = emulator_client.get("/api/account/info").json()

    assert info["email"] == DEMO_EMAIL
    assert info["is_premium"] is True
    assert info["can_download"] is True
    assert info["user_id"].isdigit()
    assert len(info["expiration_date"].split("-")[0]) == 4


def test_account_stats_is_old_camel_case(emulator_client):
    stats = emulator_client.get("/api/account/stats").json()

    assert stats["email"] == DEMO_EMAIL
    assert stats["isPremium"] is True
    assert [len(part) for part in stats["expirationDate"].split("-")] == [2, 2, 4]
    assert set(stats["limits"]) == {"links", "premium", "torrent", "streaming", "cloud", "proxy"}


@pytest.mark.parametrize("path", ["/api/proxy", "/api/proxy/list"])
def test_proxy_list_is_bare_array(emulator_client, path):
    proxies = emulator_client.post(path).json()

    assert isinstance(proxies, list)
    assert {"id", "name", "region"} == set(proxies[0])


@pytest.mark.parametrize("path", ["/api/remote/accounts", "/api/remote-account/list"])
def test_remote_accounts_are_under_data(emulator_client, path):
    accounts = emulator_client.post(path).json()["data"]

    assert accounts[0]["remoteOptionId"] == DEMO_REMOTE_OPTION_ID
    assert {"remoteOptionId", "accountId", "type", "username", "status", "host", "port"} == set(accounts[0])


@pytest.mark.parametrize("path", ["/api/nothing-here", "/api/cloud/", "/random"])
def test_unknown_route_is_an_html_404(emulator_client, path):
    reply = emulator_client.get(path)

    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/html")


def test_wrong_verb_is_an_html_405_with_allow(emulator_client):
    reply = emulator_client.get("/api/cloud/status")

    assert reply.status_code == 405
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.headers["allow"] == "POST"
    assert "Method Not Allowed" in reply.text
