"""Emulator switches for older or newer service behaviour, direct cache links and late faults, over HTTP."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_offcloud.emulator import (
    DEMO_MULTI_FILE_TORRENT,
    DEMO_SINGLE_FILE_TORRENT,
    DEMO_UNCACHED_TORRENT,
    DEMO_ZOMBIE_MAGNET,
    Addon,
    EmulatorOptions,
    demo_account,
)

pytestmark = pytest.mark.integration


def _client(emulator) -> httpx.Client:
    headers = {"Authorization": f"Bearer {emulator.account.api_key}"}
    return httpx.Client(base_url=emulator.base_url, headers=headers, trust_env=False, timeout=10)


def _add(client: httpx.Client, link: str) -> dict:
    return client.post("/api/cloud", json={"url": link}).json()


@pytest.mark.parametrize("path", ["/api/proxy", "/api/proxy/list"])
def test_proxy_list_envelope_wraps_the_same_proxies(emulator_factory, path):
    plain = emulator_factory()
    wrapped = emulator_factory(options=EmulatorOptions(proxy_list_envelope=True))

    with _client(plain) as plain_client, _client(wrapped) as wrapped_client:
        bare = plain_client.post(path).json()
        enveloped = wrapped_client.post(path).json()

    assert isinstance(bare, list)
    assert enveloped == {"list": bare}


def test_aria2_control_file_ends_the_plain_listing_of_a_folder(emulator_factory):
    emulator = emulator_factory(options=EmulatorOptions(aria2_control_files=True))

    with _client(emulator) as client:
        request_id = _add(client, DEMO_MULTI_FILE_TORRENT.magnet)["requestId"]
        links = client.get(f"/api/cloud/explore/{request_id}").json()
        listed = client.get(f"/api/cloud/list/{request_id}").text.splitlines()
        detailed = client.get(f"/api/cloud/explore/{request_id}", params={"format": "detailed"}).json()
        control_download = client.get(links[-1])
        real_downloads = [client.get(link).status_code for link in links[:-1]]

    file_count = len(DEMO_MULTI_FILE_TORRENT.files)
    assert len(links) == file_count + 1
    assert links[-1].endswith(f"/{file_count + 1}/Demo%20Season%201.aria2")
    assert listed == links
    assert [entry["name"] for entry in detailed["files"]] == [
        seeded.path.rsplit("/", 1)[-1] for seeded in DEMO_MULTI_FILE_TORRENT.files
    ]
    assert control_download.status_code == 404
    assert real_downloads == [200] * file_count


def test_aria2_option_leaves_single_file_items_and_default_listings_alone(emulator_factory):
    with_option = emulator_factory(options=EmulatorOptions(aria2_control_files=True))
    without_option = emulator_factory()

    with _client(with_option) as client:
        single_id = _add(client, DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]
        single = client.get(f"/api/cloud/explore/{single_id}", params={"format": "detailed"}).json()
    with _client(without_option) as client:
        folder_id = _add(client, DEMO_MULTI_FILE_TORRENT.magnet)["requestId"]
        links = client.get(f"/api/cloud/explore/{folder_id}").json()

    assert [entry["name"] for entry in single["files"]] == ["demo-single.bin"]
    assert not any(link.endswith(".aria2") for link in links)


def test_without_detailed_explore_the_format_parameter_is_ignored(emulator_factory):
    emulator = emulator_factory(options=EmulatorOptions(detailed_explore=False))

    with _client(emulator) as client:
        folder_id = _add(client, DEMO_MULTI_FILE_TORRENT.magnet)["requestId"]
        single_id = _add(client, DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]
        folder = client.get(f"/api/cloud/explore/{folder_id}", params={"format": "detailed"}).json()
        single = client.get(f"/api/cloud/explore/{single_id}", params={"format": "detailed"}).json()

    assert isinstance(folder, list)
    assert all(isinstance(link, str) for link in folder)
    assert single == {"error": "Bad archive"}


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/api/cloud", {}),
        ("/api/instant", {}),
        ("/api/remote", {"remoteOptionId": "5a1b2c3d4e5f60718293a4b5"}),
    ],
)
def test_premium_required_402_refuses_free_accounts_on_submissions(emulator_factory, path, extra):
    free_account = demo_account(addons=frozenset(Addon) - {Addon.PREMIUM})
    emulator = emulator_factory(accounts=[free_account], options=EmulatorOptions(premium_required_402=True))

    with _client(emulator) as client:
        reply = client.post(path, json={"url": DEMO_SINGLE_FILE_TORRENT.magnet, **extra})

    assert reply.status_code == 402
    assert reply.json() == {"error": "premium required"}
    assert emulator.store.all_items() == []


def test_premium_required_402_lets_premium_accounts_through(emulator_factory):
    emulator = emulator_factory(options=EmulatorOptions(premium_required_402=True))

    with _client(emulator) as client:
        reply = client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet})

    assert reply.status_code == 200
    assert reply.json()["status"] == "downloaded"


def test_without_the_402_option_a_free_account_gets_not_available_on_remote(emulator_factory):
    free_account = demo_account(addons=frozenset(Addon) - {Addon.PREMIUM})
    emulator = emulator_factory(accounts=[free_account])

    with _client(emulator) as client:
        remote = client.post(
            "/api/remote",
            json={"url": DEMO_SINGLE_FILE_TORRENT.magnet, "remoteOptionId": "5a1b2c3d4e5f60718293a4b5"},
        )

    assert remote.status_code == 200
    assert remote.json() == {"not_available": "premium"}


def test_cache_download_gives_direct_links_to_cached_files(emulator, emulator_client):
    reply = emulator_client.post("/api/cache/download", json={"url": DEMO_MULTI_FILE_TORRENT.magnet})

    entries = reply.json()
    assert reply.status_code == 200
    assert [(entry["folder"], entry["filename"], entry["size"]) for entry in entries] == [
        (["Demo Season 1"], "Episode 1.mkv", 32 * 1024),
        (["Demo Season 1", "Extras"], "Making of.mkv", 16 * 1024),
        (["Demo Season 1"], "readme.txt", len(DEMO_MULTI_FILE_TORRENT.files[2].content or b"")),
    ]
    readme = httpx.get(entries[2]["url"], trust_env=False)
    assert readme.content == DEMO_MULTI_FILE_TORRENT.files[2].content
    ranged = httpx.get(entries[0]["url"], headers={"Range": "bytes=10-19"}, trust_env=False)
    assert ranged.status_code == 206
    assert len(ranged.content) == 10
    # Direct links add nothing to the cloud.
    assert emulator.store.all_items() == []


def test_cache_download_of_a_single_file_torrent_has_no_folder(emulator_client):
    entries = emulator_client.post(
        "/api/cache/download", data={"url": DEMO_SINGLE_FILE_TORRENT.magnet}
    ).json()

    assert [(entry["folder"], entry["filename"]) for entry in entries] == [([], "demo-single.bin")]
    assert len(httpx.get(entries[0]["url"], trust_env=False).content) == 48 * 1024


@pytest.mark.parametrize(
    "link",
    [
        DEMO_UNCACHED_TORRENT.magnet,
        DEMO_ZOMBIE_MAGNET,
        DEMO_SINGLE_FILE_TORRENT.info_hash,
        "http://127.0.0.1:1/file.bin",
    ],
)
def test_cache_download_refuses_what_is_not_a_cached_magnet(emulator_client, link):
    reply = emulator_client.post("/api/cache/download", json={"url": link})

    assert reply.status_code == 400
    assert reply.json() == {"error": "Unsupported link for direct download."}


def test_cache_download_needs_a_url_and_credentials(emulator, emulator_client):
    missing = emulator_client.post("/api/cache/download", json={})
    anonymous = httpx.post(
        f"{emulator.base_url}/api/cache/download",
        json={"url": DEMO_SINGLE_FILE_TORRENT.magnet},
        trust_env=False,
    )

    assert missing.status_code == 400
    assert missing.json() == {"error": "Missing required parameter: url"}
    assert anonymous.status_code == 401


def test_cached_file_link_with_a_wrong_name_is_not_served(emulator, emulator_client):
    entries = emulator_client.post(
        "/api/cache/download", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}
    ).json()
    wrong_name = entries[0]["url"].rsplit("/", 1)[0] + "/other.bin"

    assert httpx.get(wrong_name, trust_env=False).status_code == 404


def test_late_server_error_answers_503_after_the_item_was_created(emulator, emulator_client, origin_server):
    emulator.faults.inject("cloud_add", kind="server_error", times=1, after_handler=True)
    link = origin_server.url_for("small.txt")

    first = emulator_client.post("/api/cloud", json={"url": link})
    second = emulator_client.post("/api/cloud", json={"url": link})

    assert first.status_code == 503
    assert second.status_code == 200
    assert [item.request_id for item in emulator.store.all_items()] == [second.json()["requestId"]]


def test_early_server_error_creates_nothing(emulator, emulator_client, origin_server):
    emulator.faults.inject("cloud_add", kind="server_error", times=1)

    reply = emulator_client.post("/api/cloud", json={"url": origin_server.url_for("small.txt")})

    assert reply.status_code == 503
    assert emulator.store.all_items() == []


def test_late_delay_creates_the_item_before_the_client_times_out(emulator, emulator_client, origin_server):
    emulator.faults.inject("cloud_add", kind="delay", delay=1.0, times=1, after_handler=True)

    with pytest.raises(httpx.ReadTimeout):
        emulator_client.post("/api/cloud", json={"url": origin_server.url_for("small.txt")}, timeout=0.3)

    assert len(emulator.store.all_items()) == 1
