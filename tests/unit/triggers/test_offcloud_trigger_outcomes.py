"""Each way an Offcloud wait ends in the trigger, against the emulator on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING

import pytest

from airflow_provider_offcloud.emulator import (
    DEMO_PASSWORD,
    DEMO_REMOTE_OPTION_ID,
    DEMO_SINGLE_FILE_TORRENT,
    DEMO_UNCACHED_TORRENT,
    DEMO_ZOMBIE_MAGNET,
)
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.triggers import shared_poller

if TYPE_CHECKING:
    from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

# A loopback port nothing listens on: the emulator's fetch fails at once, without leaving the machine.
UNREACHABLE_LINK = "http://127.0.0.1:9/missing.bin"


async def first_event(trigger: OffcloudDownloadTrigger) -> dict:
    event = await asyncio.wait_for(trigger.run().__anext__(), timeout=20)
    return event.payload


class TestSuccess:
    async def test_uncached_item_is_followed_to_downloaded(
        self, emulator, submit, password_conn, make_trigger
    ):
        request_id = submit(DEMO_UNCACHED_TORRENT.magnet)["requestId"]

        event = await first_event(make_trigger(password_conn, request_id))

        assert event["status"] == "success"
        assert event["request_id"] == request_id
        assert event["item"]["status"] == "downloaded"
        assert event["item"]["fileSize"] == DEMO_UNCACHED_TORRENT.total_size
        # What the status answer leaves out comes from the history entry.
        assert event["item"]["originalLink"].startswith("magnet:?xt=urn:btih:3333")
        json.dumps(event)

    async def test_remote_item_is_read_through_the_remote_status_route(
        self, emulator, api_key_conn, make_trigger
    ):
        item = OffcloudHook(api_key_conn).remote_download(
            DEMO_SINGLE_FILE_TORRENT.magnet, DEMO_REMOTE_OPTION_ID
        )

        event = await first_event(make_trigger(api_key_conn, item["requestId"], kind="remote"))

        assert event["status"] == "success"
        assert event["kind"] == "remote"
        routes = {entry.route for entry in emulator.request_log.entries()}
        assert "remote_status" in routes

    async def test_history_route_missing_falls_back_to_item_status(
        self, emulator, submit, api_key_conn, make_trigger
    ):
        request_id = submit(DEMO_UNCACHED_TORRENT.magnet)["requestId"]
        emulator.faults.inject("cloud_history", "server_error", status_code=404)

        event = await first_event(make_trigger(api_key_conn, request_id))

        assert event["status"] == "success"
        history_calls = emulator.request_log.entries("cloud_history")
        assert len(history_calls) == 1, "a missing history route is tried once, then left alone"
        assert len(emulator.request_log.entries("cloud_status")) >= 1


class TestFailures:
    async def test_error_item_ends_with_offclouds_message(self, emulator, submit, api_key_conn, make_trigger):
        request_id = submit(UNREACHABLE_LINK)["requestId"]

        event = await first_event(make_trigger(api_key_conn, request_id))

        assert event["status"] == "error"
        assert event["reason"] == "download_failed"
        assert event["item_status"] == "error"
        assert "Error during downloading missing.bin" in event["service_message"]
        assert "Error during downloading missing.bin" in event["message"]

    async def test_wrong_password_is_an_auth_error_without_the_password(
        self, emulator, submit, connect, make_trigger
    ):
        request_id = submit(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]
        wrong = "not-the-" + DEMO_PASSWORD
        conn_id = connect("offcloud_wrong", emulator.base_url, login="demo@example.com", password=wrong)

        event = await first_event(make_trigger(conn_id, request_id))

        assert event["status"] == "error"
        assert event["reason"] == "auth"
        assert "Login and Password" in event["message"]
        assert wrong not in json.dumps(event)

    async def test_revoked_api_key_is_an_auth_error(self, emulator, submit, api_key_conn, make_trigger):
        request_id = submit(DEMO_ZOMBIE_MAGNET)["requestId"]
        emulator.faults.revoke_api_key(emulator.account.api_key)

        event = await first_event(make_trigger(api_key_conn, request_id))

        assert event["reason"] == "auth"
        assert emulator.account.api_key not in json.dumps(event)

    async def test_unknown_request_id_is_rejected_not_waited_out(self, emulator, api_key_conn, make_trigger):
        event = await first_event(make_trigger(api_key_conn, "ffffffffffffffffffffffff"))

        assert event["status"] == "error"
        assert event["reason"] == "rejected"
        assert "transfer not found" in event["message"]

    async def test_missing_connection_is_reported(self, make_trigger):
        event = await first_event(make_trigger("offcloud_nowhere", "ffffffffffffffffffffffff"))

        assert event["status"] == "error"
        assert event["reason"] == "connection"
        assert "offcloud_nowhere" in event["message"]


class TestWaitingLimits:
    async def test_deadline_gives_a_timeout_event_with_the_last_status(
        self, emulator, submit, api_key_conn, make_trigger
    ):
        request_id = submit(DEMO_ZOMBIE_MAGNET)["requestId"]

        event = await first_event(make_trigger(api_key_conn, request_id, deadline=time.time() + 0.3))

        assert event["status"] == "timeout"
        assert event["item"]["status"] == "created"
        assert request_id in event["message"]

    async def test_deadline_already_past_ends_at_once(self, emulator, api_key_conn, make_trigger):
        event = await first_event(
            make_trigger(api_key_conn, "ffffffffffffffffffffffff", deadline=time.time() - 1)
        )

        assert event["status"] == "timeout"
        assert event["item"] is None

    async def test_item_without_progress_is_reported_stuck(
        self, emulator, submit, api_key_conn, make_trigger
    ):
        request_id = submit(DEMO_ZOMBIE_MAGNET)["requestId"]

        event = await first_event(make_trigger(api_key_conn, request_id, stuck_after=0.2))

        assert event["status"] == "stuck"
        assert event["item"]["status"] == "created"
        assert "no progress" in event["message"]

    async def test_transient_faults_are_waited_out(
        self, emulator, submit, api_key_conn, make_trigger, no_retry_pauses
    ):
        request_id = submit(DEMO_UNCACHED_TORRENT.magnet)["requestId"]
        # More faults than the client's tries: some reach the trigger, which keeps waiting.
        emulator.faults.inject("cloud_history", "rate_limit", retry_after=1, times=7)
        emulator.faults.inject("cloud_status", "server_error", status_code=503, times=3)

        event = await first_event(make_trigger(api_key_conn, request_id))

        assert event["status"] == "success"
        assert 1.0 in no_retry_pauses, "Retry-After is honoured between tries"


class TestResources:
    async def test_the_last_waiter_to_leave_closes_the_shared_client(
        self, emulator, submit, api_key_conn, make_trigger
    ):
        request_id = submit(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]

        await first_event(make_trigger(api_key_conn, request_id))

        assert shared_poller.active_poller(api_key_conn) is None

    async def test_cancelled_wait_leaves_the_poller(self, emulator, submit, api_key_conn, make_trigger):
        request_id = submit(DEMO_ZOMBIE_MAGNET)["requestId"]
        trigger = make_trigger(api_key_conn, request_id)
        task = asyncio.ensure_future(trigger.run().__anext__())
        while shared_poller.active_poller(api_key_conn) is None:
            await asyncio.sleep(0.01)

        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await trigger.cleanup()

        assert shared_poller.active_poller(api_key_conn) is None
