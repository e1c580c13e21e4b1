"""The emulator follows redirects only to the hosts it allows, and gives up on redirect loops."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_offcloud.emulator import EmulatorOptions

pytestmark = pytest.mark.integration

ORIGIN_SMALL_FILE = "small.txt"


def test_a_redirect_to_an_allowed_host_is_followed(
    emulator, emulator_client, origin_server, wait_for_transfer
):
    link = origin_server.redirect_url(origin_server.url_for(ORIGIN_SMALL_FILE), "via-redirect.txt")

    added = emulator_client.post("/api/cloud", json={"url": link}).json()
    status = wait_for_transfer(emulator_client, added["requestId"])

    assert status["status"] == "downloaded"
    assert emulator_client.get(added["url"]).content == (origin_server.root / ORIGIN_SMALL_FILE).read_bytes()
    assert origin_server.hits[ORIGIN_SMALL_FILE] == 1


def test_a_redirect_to_a_host_outside_the_allowed_list_ends_in_error_without_fetching_it(
    emulator_factory, origin_server, wait_for_transfer
):
    emulator = emulator_factory(options=EmulatorOptions(allowed_fetch_hosts=frozenset({"127.0.0.1"})))
    elsewhere = origin_server.url_for(ORIGIN_SMALL_FILE).replace("127.0.0.1", "localhost")
    headers = {"Authorization": f"Bearer {emulator.account.api_key}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers, trust_env=False, timeout=10) as client:
        added = client.post("/api/cloud", json={"url": origin_server.redirect_url(elsewhere)}).json()
        status = wait_for_transfer(client, added["requestId"])

    assert status["status"] == "error"
    assert "localhost" in status["errorMessage"]
    assert origin_server.hits[ORIGIN_SMALL_FILE] == 0


def test_a_redirect_loop_ends_in_error_after_a_few_hops(
    emulator, emulator_client, origin_server, wait_for_transfer
):
    added = emulator_client.post("/api/cloud", json={"url": origin_server.loop_url("loop.bin")}).json()
    status = wait_for_transfer(emulator_client, added["requestId"])

    assert status["status"] == "error"
    assert 1 < origin_server.hits["loop/loop.bin"] <= 10
