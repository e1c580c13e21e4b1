"""Remote downloads: delivery into the remote account's folder, status, errors and retry."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.emulator import DEMO_MULTI_FILE_TORRENT, DEMO_REMOTE_OPTION_ID

pytestmark = pytest.mark.integration

REMOTE_STATUS = "/api/remote/status"


@pytest.mark.parametrize("path", ["/api/remote", "/api/remote/download"])
def test_link_lands_in_remote_folder(emulator, emulator_client, origin_server, wait_for_transfer, path):
    body = {"url": origin_server.url_for("medium.bin"), "remoteOptionId": DEMO_REMOTE_OPTION_ID}

    added = emulator_client.post(path, data=body).json()
    final = wait_for_transfer(emulator_client, added["requestId"], status_path=REMOTE_STATUS)

    assert "url" not in added
    assert final["status"] == "downloaded"
    delivered = emulator.remote_directory(DEMO_REMOTE_OPTION_ID) / "medium.bin"
    assert delivered.read_bytes() == (origin_server.root / "medium.bin").read_bytes()


def test_seeded_magnet_is_copied_with_its_folders(emulator, emulator_client, wait_for_transfer):
    body = {"url": DEMO_MULTI_FILE_TORRENT.magnet, "remoteOptionId": DEMO_REMOTE_OPTION_ID}

    added = emulator_client.post("/api/remote", json=body).json()
    final = wait_for_transfer(emulator_client, added["requestId"], status_path=REMOTE_STATUS)

    assert final["status"] == "downloaded"
    assert final["isDirectory"] is True
    folder = emulator.remote_directory(DEMO_REMOTE_OPTION_ID) / DEMO_MULTI_FILE_TORRENT.name
    assert (folder / "Extras" / "Making of.mkv").stat().st_size == DEMO_MULTI_FILE_TORRENT.files[1].byte_size


def test_failed_remote_download_can_be_retried(emulator, emulator_client, origin_server, wait_for_transfer):
    body = {"url": origin_server.url_for("later.bin"), "remoteOptionId": DEMO_REMOTE_OPTION_ID}
    added = emulator_client.post("/api/remote", json=body).json()

    failed = wait_for_transfer(emulator_client, added["requestId"], status_path=REMOTE_STATUS)
    (origin_server.root / "later.bin").write_bytes(b"arrived")
    retry = emulator_client.get(f"/api/remote/retry/{added['requestId']}").json()
    final = wait_for_transfer(emulator_client, added["requestId"], status_path=REMOTE_STATUS)

    assert failed["status"] == "error"
    assert failed["errorMessage"] == "Error parsing url - HTTP code: 404 "
    assert retry == {"success": True}
    assert final["status"] == "downloaded"
    assert (emulator.remote_directory(DEMO_REMOTE_OPTION_ID) / "later.bin").read_bytes() == b"arrived"


def test_remote_needs_a_remote_option_id(emulator_client, origin_server):
    reply = emulator_client.post("/api/remote", json={"url": origin_server.url_for("small.txt")})

    assert reply.status_code == 400
    assert reply.json() == {"error": "Missing required parameter: remoteOptionId"}


def test_unknown_remote_account_is_an_error(emulator_client, origin_server):
    body = {"url": origin_server.url_for("small.txt"), "remoteOptionId": "nope"}

    assert "error" in emulator_client.post("/api/remote", json=body).json()


def test_remote_status_does_not_see_cloud_items(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet}).json()

    assert emulator_client.post(REMOTE_STATUS, json={"requestId": added["requestId"]}).status_code == 404
