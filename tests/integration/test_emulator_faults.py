"""Injected faults over HTTP: rate limits, 5xx, HTML and bare-string bodies, delays, drops, stuck items."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_offcloud.emulator import DEMO_API_KEY, DEMO_MULTI_FILE_TORRENT, DEMO_SINGLE_FILE_TORRENT

pytestmark = pytest.mark.integration


@pytest.fixture
def request_id(emulator_client):
    """Id of a finished single-file item."""
    return emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()[
        "requestId"
    ]


def _status(client, request_id):
    return client.post("/api/cloud/status", json={"requestId": request_id})


def test_rate_limit_for_a_number_of_requests_then_normal(emulator, emulator_client, request_id):
    emulator.faults.inject("cloud_status", kind="rate_limit", retry_after=1, times=2)

    replies = [_status(emulator_client, request_id) for _ in range(3)]

    assert [reply.status_code for reply in replies] == [429, 429, 200]
    assert replies[0].headers["retry-after"] == "1"
    assert emulator.faults.active == []


def test_fault_only_hits_its_route(emulator, emulator_client, request_id):
    emulator.faults.inject("cloud_history", kind="server_error", status_code=502)

    assert _status(emulator_client, request_id).status_code == 200
    reply = emulator_client.get("/api/cloud/history")

    assert reply.status_code == 502
    assert reply.headers["content-type"].startswith("text/html")


def test_wildcard_fault_hits_every_route_until_cleared(emulator, emulator_client, request_id):
    emulator.faults.inject("*", kind="server_error")

    assert _status(emulator_client, request_id).status_code == 503
    assert emulator_client.get("/api/account/info").status_code == 503

    emulator.faults.clear()

    assert _status(emulator_client, request_id).status_code == 200


def test_html_page_under_200(emulator, emulator_client, request_id):
    emulator.faults.inject("cloud_status", kind="html_page", times=1)

    reply = _status(emulator_client, request_id)

    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.text.lstrip().startswith("<")


def test_bare_string_body_under_500(emulator, emulator_client):
    emulator.faults.inject("cloud_add", kind="bare_string", times=1)

    reply = emulator_client.post("/api/cloud", json={"url": DEMO_MULTI_FILE_TORRENT.magnet})

    assert reply.status_code == 500
    assert reply.json() == "Error parsing url - HTTP code: 404 "


def test_delay_still_answers_normally(emulator, emulator_client, request_id):
    fault = emulator.faults.inject("cloud_status", kind="delay", delay=0.2, times=1)

    reply = _status(emulator_client, request_id)

    assert reply.status_code == 200
    assert fault.times == 0


def test_noauth_fault_despite_valid_key(emulator, emulator_client, request_id):
    emulator.faults.inject("cloud_status", kind="noauth", times=1)

    first = _status(emulator_client, request_id)

    assert first.status_code == 401
    assert first.json() == {"error": "NOAUTH"}
    assert _status(emulator_client, request_id).status_code == 200


def test_stuck_created_on_status_hides_real_state(emulator, emulator_client, request_id):
    emulator.faults.inject("cloud_status", kind="stuck_created", times=2)

    stuck = [_status(emulator_client, request_id).json()["status"]["status"] for _ in range(2)]
    afterwards = _status(emulator_client, request_id).json()["status"]["status"]

    assert stuck == ["created", "created"]
    assert afterwards == "downloaded"


def test_stuck_created_on_add_makes_a_zombie(emulator, emulator_client, origin_server):
    emulator.faults.inject("cloud_add", kind="stuck_created", times=1)

    added = emulator_client.post("/api/cloud", json={"url": origin_server.url_for("small.txt")}).json()

    assert added["status"] == "created"
    assert emulator.item(added["requestId"]).never_finishes
    assert _status(emulator_client, added["requestId"]).json()["status"]["message"] == "Loading..."
    assert origin_server.hits["small.txt"] == 0


def _collect_into(received: bytearray, reply: httpx.Response) -> None:
    for chunk in reply.iter_bytes():
        received.extend(chunk)


def test_dropped_connection_on_file_download(emulator, emulator_client):
    added = emulator_client.post("/api/cloud", json={"url": DEMO_SINGLE_FILE_TORRENT.magnet}).json()
    emulator.faults.inject("file_download", kind="drop_connection", after_bytes=1000, times=1)

    received = bytearray()
    with httpx.stream("GET", added["url"], trust_env=False) as reply:
        assert reply.status_code == 200
        assert int(reply.headers["content-length"]) == DEMO_SINGLE_FILE_TORRENT.total_size
        with pytest.raises(httpx.RemoteProtocolError):
            _collect_into(received, reply)

    assert len(received) == 1000

    # The next download is whole again.
    assert len(httpx.get(added["url"], trust_env=False).content) == DEMO_SINGLE_FILE_TORRENT.total_size


def test_dropped_connection_on_a_json_route(emulator, emulator_client, request_id):
    emulator.faults.inject("cloud_status", kind="drop_connection", times=1)

    with pytest.raises(httpx.RemoteProtocolError):
        _status(emulator_client, request_id)

    assert _status(emulator_client, request_id).status_code == 200


def test_unknown_route_name_is_rejected(emulator):
    with pytest.raises(ValueError, match="Unknown route"):
        emulator.faults.inject("cloud_statuz", kind="rate_limit")


def test_request_log_names_routes_and_keeps_no_secrets(emulator, emulator_client, request_id):
    emulator_client.post("/api/login", data={"username": "demo@example.com", "password": "demo-password"})
    emulator_client.get("/api/cloud/history", params={"key": DEMO_API_KEY})
    _status(emulator_client, request_id)
    emulator_client.get("/no/such/route")

    entries = emulator.request_log.entries()
    routes = [(entry.method, entry.path, entry.route, entry.status_code) for entry in entries]

    assert ("POST", "/api/cloud", "cloud_add", 200) in routes
    assert ("GET", "/api/cloud/history", "cloud_history", 200) in routes
    assert ("POST", "/api/cloud/status", "cloud_status", 200) in routes
    assert ("GET", "/no/such/route", "not_found", 404) in routes
    logged_text = repr(entries)
    for secret in (DEMO_API_KEY, "demo-password", "connect.sid"):
        assert secret not in logged_text
    assert [entry.route for entry in emulator.request_log.entries(route="cloud_status")] == ["cloud_status"]
