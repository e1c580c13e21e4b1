"""How OffcloudHook copes with each fault the emulator injects: it recovers, or fails with the right error."""

from __future__ import annotations

import itertools
import logging
import time

import pytest

from airflow_provider_offcloud.emulator import (
    DEMO_MULTI_FILE_TORRENT,
    DEMO_REMOTE_OPTION_ID,
    DEMO_SINGLE_FILE_TORRENT,
)
from airflow_provider_offcloud.exceptions import (
    OffcloudRequestRejectedError,
    OffcloudStuckError,
    OffcloudTransientError,
)
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.waiting import wait_for_item

pytestmark = pytest.mark.integration

ORIGIN_SMALL_FILE = "small.txt"
MAX_ATTEMPTS = 3
# Short enough to keep the suite fast, long enough that an idle loopback answer always beats it.
CONNECTION_TIMEOUT = 0.3
LONGER_THAN_TIMEOUT = 0.9


def _make_hook() -> OffcloudHook:
    return OffcloudHook(max_attempts=MAX_ATTEMPTS, backoff_seconds=0.01)


@pytest.fixture
def hook(emulator, offcloud_connection, retry_waits) -> OffcloudHook:
    offcloud_connection(emulator, "api_key_header", timeout=CONNECTION_TIMEOUT)
    return _make_hook()


@pytest.fixture
def request_id(hook) -> str:
    """A finished cloud item."""
    return hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]


def _served(emulator, route: str) -> list[int]:
    return [entry.status_code for entry in emulator.request_log.entries(route)]


def _wait_for_log(emulator, route: str, count: int) -> None:
    """Wait briefly until ``count`` requests of a route are logged (a delayed answer is logged once sent)."""
    deadline = time.monotonic() + 10
    while len(emulator.request_log.entries(route)) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"Only {len(emulator.request_log.entries(route))} {route} requests were served.")
        time.sleep(0.02)


# -- rate limits ----------------------------------------------------------------------------------------


def test_rate_limit_waits_as_long_as_retry_after_says(emulator, hook, request_id, retry_waits):
    emulator.faults.inject("cloud_status", kind="rate_limit", retry_after=2, times=2)

    status = hook.cloud_status(request_id)

    assert status["status"] == "downloaded"
    assert retry_waits == [2.0, 2.0]
    assert _served(emulator, "cloud_status") == [429, 429, 200]


def test_rate_limited_submission_is_sent_again_and_makes_one_item(emulator, hook, retry_waits, origin_server):
    emulator.faults.inject("cloud_add", kind="rate_limit", retry_after=3, times=1)

    added = hook.cloud_download(origin_server.url_for(ORIGIN_SMALL_FILE))

    assert retry_waits == [3.0]
    assert [item.request_id for item in emulator.store.all_items()] == [added["requestId"]]


def test_endless_rate_limit_gives_up_after_the_attempt_budget(emulator, hook, request_id, retry_waits):
    emulator.faults.inject("cloud_status", kind="rate_limit", retry_after=1)

    with pytest.raises(OffcloudTransientError, match="rate-limiting") as caught:
        hook.cloud_status(request_id)

    assert caught.value.http_status == 429
    assert caught.value.retry_after == 1.0
    assert len(retry_waits) == MAX_ATTEMPTS - 1
    assert _served(emulator, "cloud_status") == [429] * MAX_ATTEMPTS


# -- server faults --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status_code", [500, 502, 503, 504])
def test_server_error_on_a_read_is_retried(emulator, hook, request_id, retry_waits, status_code):
    emulator.faults.inject("cloud_status", kind="server_error", status_code=status_code, times=2)

    status = hook.cloud_status(request_id)

    assert status["status"] == "downloaded"
    assert len(retry_waits) == 2
    assert _served(emulator, "cloud_status") == [status_code, status_code, 200]


def test_lasting_server_error_fails_with_a_transient_error(emulator, hook, retry_waits):
    emulator.faults.inject("cloud_history", kind="server_error", status_code=503)

    with pytest.raises(OffcloudTransientError, match="HTTP 503") as caught:
        hook.cloud_history()

    assert caught.value.http_status == 503
    assert _served(emulator, "cloud_history") == [503] * MAX_ATTEMPTS


def test_html_page_under_200_is_retried(emulator, hook, request_id, retry_waits):
    emulator.faults.inject("cloud_explore", kind="html_page", times=1)

    files = hook.cloud_explore(request_id)

    assert [entry["name"] for entry in files] == ["demo-single.bin"]
    assert _served(emulator, "cloud_explore") == [200, 200]


def test_lasting_html_page_says_the_service_is_down(emulator, hook, retry_waits):
    emulator.faults.inject("account_info", kind="html_page", message="Back soon")

    with pytest.raises(OffcloudTransientError, match="HTML page instead of JSON"):
        hook.account_info()

    assert len(emulator.request_log.entries("account_info")) == MAX_ATTEMPTS


def test_bare_string_is_a_refusal_in_the_service_words_and_not_retried(emulator, hook, retry_waits):
    emulator.faults.inject("cloud_add", kind="bare_string", message="Error parsing url - HTTP code: 404 ")

    with pytest.raises(OffcloudRequestRejectedError, match="Error parsing url - HTTP code: 404") as caught:
        hook.cloud_download(DEMO_MULTI_FILE_TORRENT.magnet)

    assert caught.value.http_status == 500
    assert retry_waits == []
    assert _served(emulator, "cloud_add") == [500]


def test_real_dead_torrent_url_is_refused_with_the_service_words(hook, origin_server, retry_waits):
    with pytest.raises(OffcloudRequestRejectedError, match="HTTP code: 404"):
        hook.cloud_download(origin_server.status_url(404, "gone.torrent"))

    assert retry_waits == []


# -- slow answers ---------------------------------------------------------------------------------------


def test_read_slower_than_the_timeout_is_retried(emulator, hook, request_id, retry_waits):
    emulator.faults.inject("cloud_status", kind="delay", delay=LONGER_THAN_TIMEOUT, times=1)

    status = hook.cloud_status(request_id)

    assert status["status"] == "downloaded"
    assert len(retry_waits) == 1


def test_lasting_slowness_fails_with_a_transient_error_naming_the_timeout(emulator, hook, retry_waits):
    emulator.faults.inject("cloud_history", kind="delay", delay=LONGER_THAN_TIMEOUT)

    with pytest.raises(OffcloudTransientError, match=r"did not answer within 0\.3 s"):
        hook.cloud_history()

    assert len(retry_waits) == MAX_ATTEMPTS - 1


def test_slow_submission_is_not_duplicated(emulator, hook, retry_waits, origin_server):
    emulator.faults.inject("cloud_add", kind="delay", delay=LONGER_THAN_TIMEOUT, times=1)

    added = hook.cloud_download(origin_server.url_for(ORIGIN_SMALL_FILE))
    _wait_for_log(emulator, "cloud_add", 2)

    assert [item.request_id for item in emulator.store.all_items()] == [added["requestId"]]


# -- ambiguous submissions: the service did the work, then the answer failed ----------------------------


def test_server_error_after_the_item_was_created_returns_that_item(
    emulator, hook, retry_waits, origin_server
):
    link = origin_server.url_for(ORIGIN_SMALL_FILE)
    emulator.faults.inject("cloud_add", kind="server_error", times=1, after_handler=True)

    added = hook.cloud_download(link)

    assert [item.request_id for item in emulator.store.all_items()] == [added["requestId"]]
    assert added["originalLink"] == link
    # The history showed the item, so the link was not sent a second time.
    assert _served(emulator, "cloud_add") == [503]


def test_timeout_after_the_item_was_created_returns_that_item(emulator, hook, retry_waits, origin_server):
    emulator.faults.inject("cloud_add", kind="delay", delay=LONGER_THAN_TIMEOUT, times=1, after_handler=True)

    added = hook.cloud_download(origin_server.url_for(ORIGIN_SMALL_FILE))
    _wait_for_log(emulator, "cloud_add", 1)

    assert [item.request_id for item in emulator.store.all_items()] == [added["requestId"]]
    assert len(emulator.request_log.entries("cloud_add")) == 1


def test_ambiguous_submission_is_not_replayed_when_the_history_is_unreadable(
    emulator, hook, retry_waits, origin_server
):
    emulator.faults.inject("cloud_add", kind="server_error", times=1, after_handler=True)
    emulator.faults.inject("cloud_history", kind="server_error")

    with pytest.raises(OffcloudTransientError, match="HTTP 503"):
        hook.cloud_download(origin_server.url_for(ORIGIN_SMALL_FILE))

    assert len(emulator.store.all_items()) == 1
    assert _served(emulator, "cloud_add") == [503]


def test_ambiguous_remote_submission_is_left_to_the_task(emulator, hook, retry_waits, origin_server):
    emulator.faults.inject("remote_add", kind="server_error", times=1, after_handler=True)

    with pytest.raises(OffcloudTransientError, match="HTTP 503"):
        hook.remote_download(origin_server.url_for(ORIGIN_SMALL_FILE), DEMO_REMOTE_OPTION_ID)

    assert len(emulator.store.all_items()) == 1
    assert _served(emulator, "remote_add") == [503]


# -- dropped connections --------------------------------------------------------------------------------


def test_read_cut_off_mid_body_is_retried(emulator, hook, request_id, retry_waits):
    emulator.faults.inject("cloud_status", kind="drop_connection", times=1)

    status = hook.cloud_status(request_id)

    assert status["status"] == "downloaded"
    assert len(retry_waits) == 1


def test_submission_cut_off_mid_body_returns_the_created_item(emulator, hook, retry_waits, origin_server):
    emulator.faults.inject("cloud_add", kind="drop_connection", times=1)

    added = hook.cloud_download(origin_server.url_for(ORIGIN_SMALL_FILE))

    assert [item.request_id for item in emulator.store.all_items()] == [added["requestId"]]
    assert len(emulator.request_log.entries("cloud_add")) == 1


# -- stuck items ----------------------------------------------------------------------------------------


def test_stuck_submission_stays_created_and_the_wait_calls_it_stuck(
    emulator, hook, retry_waits, origin_server
):
    emulator.faults.inject("cloud_add", kind="stuck_created", times=1)
    request_id = hook.cloud_download(origin_server.url_for(ORIGIN_SMALL_FILE))["requestId"]
    fake_clock = itertools.count(start=time.time(), step=60.0)

    with pytest.raises(OffcloudStuckError) as caught:
        wait_for_item(
            hook,
            "cloud",
            request_id,
            poll_interval=0.01,
            max_poll_interval=0.01,
            timeout=None,
            stuck_after=600,
            log=logging.getLogger("test"),
            sleep=lambda seconds: None,
            clock=lambda: next(fake_clock),
        )

    assert request_id in str(caught.value)
    assert hook.cloud_status(request_id)["status"] == "created"


def test_status_stuck_in_created_is_reported_as_such(emulator, hook, request_id, retry_waits):
    emulator.faults.inject("cloud_status", kind="stuck_created", times=1)

    stuck = hook.cloud_status(request_id)
    later = hook.cloud_status(request_id)

    assert stuck["status"] == "created"
    assert stuck["progress"] == 0.0
    assert later["status"] == "downloaded"
