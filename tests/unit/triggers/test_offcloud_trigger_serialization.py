"""The trigger's kwargs: no secret in them, and a trigger rebuilt from them carries on to the same outcome."""

from __future__ import annotations

import asyncio
import importlib
import json
import time

import pytest

from airflow_provider_offcloud.emulator import DEMO_PASSWORD, DEMO_UNCACHED_TORRENT, DEMO_ZOMBIE_MAGNET
from airflow_provider_offcloud.triggers import shared_poller
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger


def rebuild(trigger: OffcloudDownloadTrigger) -> OffcloudDownloadTrigger:
    """Rebuild a trigger the way the triggerer does: import its classpath, call it with its kwargs."""
    classpath, kwargs = trigger.serialize()
    module_name, class_name = classpath.rsplit(".", 1)
    kwargs = json.loads(json.dumps(kwargs))
    return getattr(importlib.import_module(module_name), class_name)(**kwargs)


def test_serialized_kwargs_hold_no_secret_and_round_trip(emulator, password_conn, api_key_conn, make_trigger):
    trigger = make_trigger(password_conn, "abc123", kind="remote", stuck_after=60)

    classpath, kwargs = trigger.serialize()

    assert classpath == "airflow_provider_offcloud.triggers.offcloud.OffcloudDownloadTrigger"
    assert set(kwargs) == {
        "offcloud_conn_id",
        "request_id",
        "kind",
        "deadline",
        "poll_interval",
        "max_poll_interval",
        "stuck_after",
        "waiting_since",
    }
    text = json.dumps(kwargs) + repr(trigger)
    for secret in (DEMO_PASSWORD, emulator.account.api_key):
        assert secret not in text
    assert rebuild(trigger).serialize() == (classpath, kwargs)
    assert kwargs["kind"] == "remote"
    assert kwargs["stuck_after"] == 60


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="cloud' or 'remote"):
        OffcloudDownloadTrigger(offcloud_conn_id="c", request_id="r", kind="instant")


async def test_restarted_trigger_carries_on_to_the_same_outcome(
    emulator, submit, password_conn, make_trigger
):
    request_id = submit(DEMO_UNCACHED_TORRENT.magnet)["requestId"]
    first = make_trigger(password_conn, request_id)
    interrupted = asyncio.ensure_future(first.run().__anext__())
    while shared_poller.active_poller(password_conn) is None:
        await asyncio.sleep(0.001)
    interrupted.cancel()
    with pytest.raises(asyncio.CancelledError):
        await interrupted
    submissions_before = len(emulator.request_log.entries("cloud_add"))

    event = await asyncio.wait_for(rebuild(first).run().__anext__(), timeout=20)

    assert event.payload["status"] == "success"
    assert event.payload["request_id"] == request_id
    assert len(emulator.request_log.entries("cloud_add")) == submissions_before, "a restart submits nothing"


async def test_restarted_trigger_keeps_the_stuck_clock(emulator, submit, api_key_conn, make_trigger):
    request_id = submit(DEMO_ZOMBIE_MAGNET)["requestId"]
    original = make_trigger(api_key_conn, request_id, stuck_after=30, waiting_since=time.time() - 31)

    event = await asyncio.wait_for(rebuild(original).run().__anext__(), timeout=20)

    assert event.payload["status"] == "stuck"
