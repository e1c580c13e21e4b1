"""Files through the emulator: real fetches from the origin, download links, ranges, explore and list."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import httpx
import pytest

from airflow_provider_offcloud.emulator import (
    DEMO_MULTI_FILE_TORRENT,
    DEMO_SINGLE_FILE_TORRENT,
    DEMO_UNCACHED_TORRENT,
    EmulatorOptions,
)

pytestmark = pytest.mark.integration

ORIGIN_LARGE_FILE = "large.bin"
ORIGIN_NESTED_FILE = "folder/name with spaces.bin"
ORIGIN_MEDIUM_FILE = "medium.bin"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download_large_file(emulator_client, origin_server, wait_for_transfer) -> tuple[str, bytes]:
    added = emulator_client.post("/api/cloud", json={"url": origin_server.url_for(ORIGIN_LARGE_FILE)}).json()
    assert wait_for_transfer(emulator_client, added["requestId"])["status"] == "downloaded"
    return added["url"], (origin_server.root / ORIGIN_LARGE_FILE).read_bytes()


def test_fetched_file_downloads_back_byte_identical(
    emulator, emulator_client, origin_server, wait_for_transfer
):
    link, original = _download_large_file(emulator_client, origin_server, wait_for_transfer)

    assert link.startswith(f"{emulator.base_url}/cloud/download/")
    with httpx.stream("GET", link, trust_env=False) as reply:
        assert reply.status_code == 200
        assert int(reply.headers["content-length"]) == len(original)
        received = b"".join(reply.iter_bytes())

    assert _digest(received) == _digest(original)


def test_file_name_with_spaces_is_url_encoded_in_link(emulator_client, origin_server, wait_for_transfer):
    added = emulator_client.post("/api/cloud", json={"url": origin_server.url_for(ORIGIN_NESTED_FILE)}).json()
    wait_for_transfer(emulator_client, added["requestId"])

    assert added["fileName"] == "name with spaces.bin"
    assert added["url"].endswith("/name%20with%20spaces.bin")
    assert (
        httpx.get(added["url"], trust_env=False).content
        == (origin_server.root / ORIGIN_NESTED_FILE).read_bytes()
    )


def test_head_gives_content_length_without_body(emulator_client, origin_server, wait_for_transfer):
    link, original = _download_large_file(emulator_client, origin_server, wait_for_transfer)

    reply = httpx.head(link, trust_env=False)

    assert reply.status_code == 200
    assert int(reply.headers["content-length"]) == len(original)
    assert reply.content == b""


def test_range_request_gets_206_with_the_slice(emulator_client, origin_server, wait_for_transfer):
    link, original = _download_large_file(emulator_client, origin_server, wait_for_transfer)

    reply = httpx.get(link, headers={"Range": "bytes=1000-1999"}, trust_env=False)
    open_ended = httpx.get(link, headers={"Range": f"bytes={len(original) - 10}-"}, trust_env=False)

    assert reply.status_code == 206
    assert reply.headers["content-range"] == f"bytes 1000-1999/{len(original)}"
    assert reply.content == original[1000:2000]
    assert open_ended.content == original[-10:]


def test_range_past_the_end_gets_416(emulator_client, origin_server, wait_for_transfer):
    link, original = _download_large_file(emulator_client, origin_server, wait_for_transfer)

    reply = httpx.get(link, headers={"Range": f"bytes={len(original)}-"}, trust_env=False)

    assert reply.status_code == 416
    assert reply.headers["content-range"] == f"bytes */{len(original)}"


def test_wrong_name_or_unknown_id_is_not_served(emulator, emulator_client, origin_server, wait_for_transfer):
    link, _ = _download_large_file(emulator_client, origin_server, wait_for_transfer)

    wrong_name = link.rsplit("/", 1)[0] + "/other.bin"
    unknown_id = f"{emulator.base_url}/cloud/download/{'0' * 24}/{ORIGIN_LARGE_FILE}"

    assert httpx.get(wrong_name, trust_env=False).status_code == 404
    assert httpx.get(unknown_id, trust_env=False).status_code == 404


def test_origin_dropping_mid_body_ends_in_error(emulator_client, origin_server, wait_for_transfer):
    added = emulator_client.post(
        "/api/cloud", json={"url": origin_server.drop_url_for(ORIGIN_MEDIUM_FILE)}
    ).json()

    failed = wait_for_transfer(emulator_client, added["requestId"])

    assert failed["status"] == "error"
    assert failed["errorMessage"].startswith("Error during downloading")


def test_downloading_state_is_reported_while_fetching(emulator_factory, origin_server, wait_for_transfer):
    # A delay per chunk makes the fetch slow enough to be caught half way.
    emulator = emulator_factory(
        options=EmulatorOptions(download_chunk_delay=0.05, download_chunk_size=256 * 1024)
    )
    headers = {"Authorization": f"Bearer {emulator.account.api_key}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers, trust_env=False) as client:
        added = client.post("/api/cloud", json={"url": origin_server.url_for(ORIGIN_LARGE_FILE)}).json()

        seen = []
        while not seen or seen[-1]["status"] not in ("downloaded", "error"):
            seen.append(
                client.post("/api/cloud/status", json={"requestId": added["requestId"]}).json()["status"]
            )

    downloading = [status for status in seen if status["status"] == "downloading"]
    assert downloading, "the fetch never reported 'downloading'"
    assert all(0 <= status["amount"] <= status["fileSize"] for status in downloading)
    assert any(status["amount"] > 0 for status in downloading)
    amounts = [status["amount"] for status in seen]
    assert amounts == sorted(amounts)
    assert all(0 <= status["progress"] <= 1 for status in downloading)
    assert seen[-1]["status"] == "downloaded"


def test_multi_file_magnet_lists_files_through_explore(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet}).json()
    request_id = added["requestId"]

    links = emulator_client.get(f"/api/cloud/explore/{request_id}").json()

    assert isinstance(links, list)
    assert len(links) == len(DEMO_MULTI_FILE_TORRENT.files)
    for index, (link, seeded_file) in enumerate(zip(links, DEMO_MULTI_FILE_TORRENT.files, strict=True), 1):
        base_name = seeded_file.path.rsplit("/", 1)[-1]
        assert link.endswith(f"/cloud/download/{request_id}/{index}/{quote(base_name)}")
        content = httpx.get(link, trust_env=False).content
        assert len(content) == seeded_file.byte_size
        if seeded_file.content is not None:
            assert content == seeded_file.content


def test_detailed_explore_gives_paths_from_the_root_folder(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet}).json()

    detailed = emulator_client.get(
        f"/api/cloud/explore/{added['requestId']}", params={"format": "detailed"}
    ).json()

    paths = [entry["path"] for entry in detailed["files"]]
    assert paths == [
        f"{DEMO_MULTI_FILE_TORRENT.name}/{seeded.path}" for seeded in DEMO_MULTI_FILE_TORRENT.files
    ]
    assert {"id", "name", "size", "path", "url"} == set(detailed["files"][0])
    assert detailed["files"][1]["name"] == "Making of.mkv"


def test_post_explore_with_json_request_id(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet}).json()

    reply = emulator_client.post("/api/cloud/explore", json={"requestId": added["requestId"]})

    assert len(reply.json()) == len(DEMO_MULTI_FILE_TORRENT.files)


def test_single_file_explore_is_bad_archive_unless_detailed(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()
    request_id = added["requestId"]

    plain = emulator_client.get(f"/api/cloud/explore/{request_id}").json()
    detailed = emulator_client.get(f"/api/cloud/explore/{request_id}?format=detailed").json()

    assert plain == {"error": "Bad archive"}
    assert [entry["url"] for entry in detailed["files"]] == [added["url"]]
    assert httpx.get(added["url"], trust_env=False).status_code == 200


def test_list_route_is_plain_text_one_link_per_line(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet}).json()
    request_id = added["requestId"]

    reply = emulator_client.get(f"/api/cloud/list/{request_id}")

    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.text.splitlines() == emulator_client.get(f"/api/cloud/explore/{request_id}").json()


def test_explore_before_download_is_an_error(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_UNCACHED_TORRENT.magnet}).json()

    assert added["status"] == "created"
    assert "error" in emulator_client.get(f"/api/cloud/explore/{added['requestId']}").json()


def test_uncached_seeded_magnet_finishes_after_progress(emulator_client, wait_for_transfer):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_UNCACHED_TORRENT.magnet}).json()

    final = wait_for_transfer(emulator_client, added["requestId"])

    assert final["status"] == "downloaded"
    assert final["fileSize"] == DEMO_UNCACHED_TORRENT.total_size
    assert len(httpx.get(added["url"], trust_env=False).content) == DEMO_UNCACHED_TORRENT.total_size


def test_removal_deletes_fetched_files(emulator, emulator_client, origin_server, wait_for_transfer):
    added = emulator_client.post("/api/cloud", json={"url": origin_server.url_for(ORIGIN_MEDIUM_FILE)}).json()
    wait_for_transfer(emulator_client, added["requestId"])
    stored = emulator.item(added["requestId"]).files[0].disk_path
    assert stored.is_file()

    emulator_client.get(f"/api/cloud/remove/{added['requestId']}")

    assert not stored.exists()
    assert httpx.get(added["url"], trust_env=False).status_code == 404
