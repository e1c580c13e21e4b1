"""The emulator's transfer routes: submission, status, history, de-duplication, removal, retry, refusals."""

from __future__ import annotations

import re

import httpx
import pytest

from airflow_provider_offcloud.emulator import (
    ALL_ADDONS,
    DEMO_MULTI_FILE_TORRENT,
    DEMO_SINGLE_FILE_TORRENT,
    DEMO_ZOMBIE_MAGNET,
    Addon,
    demo_account,
)

pytestmark = pytest.mark.integration

# Files the origin_server fixture serves.
ORIGIN_SMALL_FILE = "small.txt"
ORIGIN_MEDIUM_FILE = "medium.bin"

REQUEST_ID = re.compile(r"^[0-9a-f]{24}$")
ADD_REPLY_FIELDS = {"requestId", "fileName", "site", "status", "originalLink", "url", "createdOn"}
OLD_STATUS_FIELDS = {
    "status",
    "requestId",
    "fileName",
    "fileSize",
    "amount",
    "server",
    "isDirectory",
    "downloadingSpeed",
    "errorMessage",
}


@pytest.mark.parametrize("path", ["/api/cloud", "/api/cloud/download"])
@pytest.mark.parametrize("body_style", ["form", "json"])
def test_cloud_submission_on_both_paths_and_body_styles(
    emulator_client, origin_server, wait_for_transfer, path, body_style
):
    link = origin_server.url_for(ORIGIN_SMALL_FILE)
    body = {"data": {"url": link}} if body_style == "form" else {"json": {"url": link}}

    reply = emulator_client.post(path, **body)

    assert reply.status_code == 200
    added = reply.json()
    assert set(added) == ADD_REPLY_FIELDS
    assert REQUEST_ID.match(added["requestId"])
    assert added["fileName"] == ORIGIN_SMALL_FILE
    assert added["originalLink"] == link
    assert added["status"] in ("created", "downloading", "downloaded")
    assert added["createdOn"].endswith("Z")
    assert wait_for_transfer(emulator_client, added["requestId"])["status"] == "downloaded"


def test_status_carries_old_and_new_fields(emulator_client, origin_server, wait_for_transfer):
    added = emulator_client.post("/api/cloud", json={"url": origin_server.url_for(ORIGIN_MEDIUM_FILE)}).json()

    final = wait_for_transfer(emulator_client, added["requestId"])
    size = (origin_server.root / ORIGIN_MEDIUM_FILE).stat().st_size

    assert OLD_STATUS_FIELDS | {"progress", "message"} <= set(final)
    assert final["status"] == "downloaded"
    assert final["fileSize"] == final["amount"] == size
    assert final["isDirectory"] is False
    assert final["progress"] is None
    assert final["message"] is None
    assert final["errorMessage"] is None


def test_status_form_body_is_accepted(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()

    reply = emulator_client.post("/api/cloud/status", data={"requestId": added["requestId"]})

    assert reply.json()["status"]["requestId"] == added["requestId"]


def test_status_refuses_plural_request_ids(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()

    reply = emulator_client.post("/api/cloud/status", json={"requestIds": [added["requestId"]]})

    assert reply.status_code == 400
    assert reply.json() == {"error": "Missing required parameter: requestId"}


def test_status_of_unknown_id_is_transfer_not_found(emulator_client):
    reply = emulator_client.post("/api/cloud/status", json={"requestId": "f" * 24})

    assert reply.status_code == 404
    assert reply.json() == {"error": "transfer not found"}


def test_status_of_another_accounts_item_is_not_found(emulator_factory):
    other = demo_account(email="other@example.com", api_key="OTHERKEY000000000000000000000000")
    emulator = emulator_factory(accounts=[demo_account(), other])

    with httpx.Client(base_url=emulator.base_url, trust_env=False) as client:
        added = client.post(
            "/api/cloud",
            params={"key": emulator.account.api_key},
            json={"url": DEMO_SINGLE_FILE_TORRENT.magnet},
        ).json()
        reply = client.post("/api/cloud/status", params={"key": other.api_key}, json=added)

    assert reply.status_code == 404


def test_missing_url_is_a_400(emulator_client):
    for path in ("/api/cloud", "/api/instant", "/api/remote"):
        reply = emulator_client.post(path, json={})
        assert reply.status_code == 400
        assert reply.json() == {"error": "Missing required parameter: url"}


def test_resubmission_returns_same_id_until_removed(emulator_client, origin_server):
    link = origin_server.url_for(ORIGIN_SMALL_FILE)
    first = emulator_client.post("/api/cloud", json={"url": link}).json()
    again = emulator_client.post("/api/cloud", data={"url": link}).json()

    assert again["requestId"] == first["requestId"]

    assert emulator_client.get(f"/api/cloud/remove/{first['requestId']}").json() == {"success": True}
    after_removal = emulator_client.post("/api/cloud", json={"url": link}).json()

    assert after_removal["requestId"] != first["requestId"]


def test_same_magnet_with_other_trackers_is_the_same_item(emulator_client):
    first = emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()
    upper_case = f"magnet:?xt=urn:btih:{DEMO_SINGLE_FILE_TORRENT.info_hash.upper()}&tr=udp://x:1/announce"

    again = emulator_client.post("/api/cloud", json={"url": upper_case}).json()

    assert again["requestId"] == first["requestId"]


def test_cached_magnet_is_downloaded_in_add_reply(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet}).json()

    assert added["status"] == "downloaded"
    assert added["site"] == "BitTorrent"
    assert added["fileName"] == DEMO_MULTI_FILE_TORRENT.name
    # The service appends its own trackers, so the link differs from what was sent.
    assert added["originalLink"].startswith(DEMO_MULTI_FILE_TORRENT.magnet)
    assert added["originalLink"] != DEMO_MULTI_FILE_TORRENT.magnet


@pytest.mark.parametrize("magnet", [DEMO_ZOMBIE_MAGNET, "magnet:?xt=urn:btih:zzzz"])
def test_unknown_and_garbage_magnets_stay_created_forever(emulator_client, magnet):
    added = emulator_client.post("/api/cloud", json={"url": magnet}).json()

    for _ in range(3):
        status = emulator_client.post("/api/cloud/status", json={"requestId": added["requestId"]}).json()
        assert status["status"]["status"] == "created"
        assert status["status"]["message"] == "Loading..."
        assert status["status"]["progress"] == 0.0


def test_history_is_a_bare_array_newest_first(emulator_client, origin_server):
    first = emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()
    second = emulator_client.post("/api/cloud", json={"url": origin_server.url_for(ORIGIN_SMALL_FILE)}).json()

    history = emulator_client.get("/api/cloud/history").json()

    assert [entry["requestId"] for entry in history] == [second["requestId"], first["requestId"]]
    assert {"requestId", "fileName", "status", "originalLink", "createdOn"} <= set(history[0])


@pytest.mark.parametrize("style", ["api-get", "site-get", "post"])
def test_every_removal_form_deletes_the_item(emulator_client, style):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet}).json()
    request_id = added["requestId"]

    if style == "api-get":
        reply = emulator_client.get(f"/api/cloud/remove/{request_id}")
    elif style == "site-get":
        reply = emulator_client.get(f"/cloud/remove/{request_id}")
    else:
        reply = emulator_client.post("/api/cloud/remove", json={"requests": [request_id]})

    assert reply.json() == {"success": True}
    assert emulator_client.post("/api/cloud/status", json={"requestId": request_id}).status_code == 404
    assert emulator_client.get("/api/cloud/history").json() == []


def test_removing_unknown_id_by_get_is_not_found(emulator_client):
    assert emulator_client.get(f"/api/cloud/remove/{'a' * 24}").status_code == 404


def test_failed_origin_gives_service_like_error_and_retry_reruns(
    emulator_client, origin_server, wait_for_transfer
):
    missing = origin_server.url_for("not-there-yet.txt")
    added = emulator_client.post("/api/cloud", json={"url": missing}).json()

    failed = wait_for_transfer(emulator_client, added["requestId"])

    assert failed["status"] == "error"
    assert failed["errorMessage"] == "Error parsing url - HTTP code: 404 "
    assert failed["message"] == failed["errorMessage"]

    (origin_server.root / "not-there-yet.txt").write_bytes(b"now it exists")
    retry = emulator_client.get(f"/api/cloud/retry/{added['requestId']}")

    assert retry.json() == {"success": True}
    assert wait_for_transfer(emulator_client, added["requestId"])["status"] == "downloaded"


def test_retry_of_a_finished_item_is_refused(emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()

    reply = emulator_client.get(f"/api/cloud/retry/{added['requestId']}")

    assert "error" in reply.json()


def test_links_to_other_hosts_fail_without_leaving_loopback(emulator_client, wait_for_transfer):
    added = emulator_client.post("/api/cloud", json={"url": "http://example.invalid/file.bin"}).json()

    failed = wait_for_transfer(emulator_client, added["requestId"])

    assert failed["status"] == "error"
    assert failed["errorMessage"].startswith("Error parsing url")


def test_unsupported_link_is_incorrect_url(emulator_client):
    reply = emulator_client.post("/api/cloud", json={"url": "ftp://127.0.0.1/file"})

    assert reply.status_code == 400
    assert reply.json() == {"error": "Incorrect url"}


def test_dead_torrent_url_answers_bare_string_under_500(emulator_client, origin_server):
    reply = emulator_client.post("/api/cloud", json={"url": origin_server.status_url(404, "show.torrent")})

    assert reply.status_code == 500
    assert reply.json() == "Error parsing url - HTTP code: 404 "


@pytest.mark.parametrize(
    ("path", "missing_addon", "extra"),
    [
        ("/api/cloud", Addon.CLOUD, {}),
        ("/api/cloud", Addon.VIDEO, {"url": "https://www.youtube.com/watch?v=abc"}),
        ("/api/instant", Addon.LINKS, {}),
        ("/api/instant/download", Addon.PROXY, {"proxyId": "5461b5b3b79aa2a42d6e1e00"}),
        ("/api/remote", Addon.PREMIUM, {}),
    ],
)
def test_plan_without_addon_answers_not_available(emulator_factory, path, missing_addon, extra):
    account = demo_account(addons=ALL_ADDONS - {missing_addon})
    emulator = emulator_factory(accounts=[account])

    body = {"url": DEMO_SINGLE_FILE_TORRENT.magnet, "remoteOptionId": "x", **extra}
    with httpx.Client(base_url=emulator.base_url, trust_env=False) as client:
        reply = client.post(path, params={"key": account.api_key}, data=body)

    assert reply.status_code == 200
    assert reply.json() == {"not_available": missing_addon.value}


@pytest.mark.parametrize("path", ["/api/instant", "/api/instant/download"])
def test_instant_submission_returns_direct_link(emulator_client, origin_server, wait_for_transfer, path):
    added = emulator_client.post(path, data={"url": origin_server.url_for(ORIGIN_SMALL_FILE)}).json()

    assert set(added) == ADD_REPLY_FIELDS
    final = wait_for_transfer(emulator_client, added["requestId"], status_path="/api/instant/status")
    assert final["status"] == "downloaded"
    assert emulator_client.get(added["url"]).content == (origin_server.root / ORIGIN_SMALL_FILE).read_bytes()
