"""Which faults OffcloudHook retries, how long it waits, and which submissions it refuses to replay."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import urllib3
from hook_fakes import BASE_URL, html_page, requests_to

from airflow_provider_offcloud.exceptions import (
    OffcloudRequestRejectedError,
    OffcloudTransientError,
    OffcloudUnreachableError,
)
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

pytestmark = pytest.mark.usefixtures("api_key_connection")

STATUS_URL = f"{BASE_URL}/api/cloud/status"
CLOUD_URL = f"{BASE_URL}/api/cloud"
REMOTE_URL = f"{BASE_URL}/api/remote"
HISTORY_URL = f"{BASE_URL}/api/cloud/history"
MAGNET_HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET = f"magnet:?xt=urn:btih:{MAGNET_HASH}&dn=ubuntu"
DONE = {"json": {"status": {"requestId": "r1", "status": "downloaded"}}}
SUBMITTED = {"json": {"requestId": "new-id", "status": "created", "originalLink": MAGNET}}


def refused_connection() -> requests.ConnectionError:
    """The error requests raises when nothing listens on the port: the request was never sent."""
    no_connection: Any = None
    reason = urllib3.exceptions.NewConnectionError(
        no_connection, "Failed to establish a new connection: [Errno 111]"
    )
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(no_connection, "/api/remote", reason))


def dropped_connection() -> requests.ConnectionError:
    """The error requests raises when the service closes the connection after the request went out."""
    return requests.ConnectionError(
        urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))
    )


TRANSIENT_FAULTS = [
    pytest.param({"exc": dropped_connection()}, id="connection-dropped"),
    pytest.param({"exc": refused_connection()}, id="connection-refused"),
    pytest.param({"exc": requests.ConnectTimeout("connect timed out")}, id="connect-timeout"),
    pytest.param({"exc": requests.ReadTimeout("read timed out")}, id="read-timeout"),
    pytest.param({"status_code": 500, "text": "Internal Server Error"}, id="500-text"),
    pytest.param({"status_code": 502, "text": html_page("502 Bad Gateway")}, id="502-html"),
    pytest.param({"status_code": 503, "json": {"error": "Service Unavailable"}}, id="503-json"),
    pytest.param({"status_code": 504, "text": ""}, id="504-empty"),
    pytest.param({"status_code": 429, "json": {"error": "rate limit exceeded"}}, id="429"),
]


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
def test_reads_are_retried_after_transient_faults(requests_mock, sleeps, fault):
    requests_mock.post(STATUS_URL, [fault, fault, DONE])

    item = OffcloudHook(max_attempts=5).cloud_status("r1")

    assert item["status"] == "downloaded"
    assert requests_mock.call_count == 3
    assert len(sleeps) == 2
    assert all(pause > 0 for pause in sleeps)


@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
def test_retries_stop_after_max_attempts(requests_mock, sleeps, fault):
    requests_mock.post(STATUS_URL, **fault)

    with pytest.raises(OffcloudTransientError):
        OffcloudHook(max_attempts=3).cloud_status("r1")

    assert requests_mock.call_count == 3
    assert len(sleeps) == 2


def test_max_attempts_comes_from_the_connection(requests_mock, connect, sleeps):
    connect(extra={"api_key": "k" * 32, "max_attempts": 2})
    requests_mock.post(STATUS_URL, status_code=503, text="busy")

    with pytest.raises(OffcloudTransientError):
        OffcloudHook().cloud_status("r1")

    assert requests_mock.call_count == 2


def test_retry_after_is_honoured(requests_mock, sleeps):
    requests_mock.post(
        STATUS_URL, [{"status_code": 429, "text": "slow down", "headers": {"Retry-After": "7"}}, DONE]
    )

    OffcloudHook().cloud_status("r1")

    assert sleeps == [7]


def test_a_huge_retry_after_is_capped_at_a_minute(requests_mock, sleeps):
    requests_mock.post(
        STATUS_URL, [{"status_code": 503, "text": "down", "headers": {"Retry-After": "3600"}}, DONE]
    )

    OffcloudHook(max_retry_seconds=120).cloud_status("r1")

    assert sleeps == [60]


def test_a_retry_after_beyond_the_time_budget_gives_up_at_once(requests_mock, sleeps):
    requests_mock.post(
        STATUS_URL, [{"status_code": 503, "text": "down", "headers": {"Retry-After": "3600"}}, DONE]
    )

    with pytest.raises(OffcloudTransientError):
        OffcloudHook(max_retry_seconds=30).cloud_status("r1")

    assert sleeps == []
    assert requests_mock.call_count == 1


def test_backoff_grows_between_tries(requests_mock, sleeps):
    requests_mock.post(STATUS_URL, status_code=502, text="bad gateway")

    with pytest.raises(OffcloudTransientError):
        OffcloudHook(max_attempts=4, backoff_seconds=1.0).cloud_status("r1")

    # Exponential back-off with up to one back-off unit of jitter: 1-2 s, 2-3 s, 4-5 s.
    assert len(sleeps) == 3
    assert 1 <= sleeps[0] <= 2
    assert 2 <= sleeps[1] <= 3
    assert 4 <= sleeps[2] <= 5


def test_permanent_refusals_are_not_retried(requests_mock, sleeps):
    requests_mock.post(STATUS_URL, status_code=400, json={"error": "Missing required parameter: requestId"})

    with pytest.raises(OffcloudRequestRejectedError):
        OffcloudHook().cloud_status("r1")

    assert requests_mock.call_count == 1
    assert sleeps == []


class TestSubmissions:
    @pytest.mark.parametrize(
        "fault",
        [
            pytest.param({"status_code": 502, "text": html_page("502 Bad Gateway")}, id="502"),
            pytest.param({"status_code": 500, "text": "Internal Server Error"}, id="500"),
            pytest.param({"exc": requests.ReadTimeout("read timed out")}, id="read-timeout"),
            pytest.param({"exc": dropped_connection()}, id="connection-dropped"),
        ],
    )
    def test_remote_submission_is_not_replayed_after_an_ambiguous_fault(self, requests_mock, sleeps, fault):
        requests_mock.post(REMOTE_URL, [fault, SUBMITTED])

        with pytest.raises(OffcloudTransientError):
            OffcloudHook().remote_download(MAGNET, remote_option_id="acc-1")

        assert requests_mock.call_count == 1
        assert sleeps == []

    @pytest.mark.parametrize(
        "fault",
        [
            pytest.param({"exc": refused_connection()}, id="connection-refused"),
            pytest.param({"exc": requests.ConnectTimeout("connect timed out")}, id="connect-timeout"),
            pytest.param({"status_code": 429, "text": "too many"}, id="429"),
        ],
    )
    def test_remote_submission_is_replayed_when_it_surely_did_nothing(self, requests_mock, sleeps, fault):
        requests_mock.post(REMOTE_URL, [fault, SUBMITTED])

        item = OffcloudHook().remote_download(MAGNET, remote_option_id="acc-1")

        assert item["requestId"] == "new-id"
        assert requests_mock.call_count == 2

    def test_instant_submission_is_not_replayed_after_a_502(self, requests_mock):
        requests_mock.post(
            f"{BASE_URL}/api/instant", [{"status_code": 502, "text": "bad gateway"}, SUBMITTED]
        )

        with pytest.raises(OffcloudTransientError):
            OffcloudHook().instant_download("https://host.example/file")

        assert requests_mock.call_count == 1

    def test_cloud_submission_returns_the_item_history_already_holds(self, requests_mock, sleeps):
        requests_mock.post(CLOUD_URL, [{"status_code": 502, "text": "bad gateway"}, SUBMITTED])
        requests_mock.get(
            HISTORY_URL,
            json=[
                {"requestId": "other", "status": "downloaded", "originalLink": "https://x.example/a"},
                {
                    "requestId": "existing-id",
                    "status": "downloading",
                    "originalLink": f"magnet:?xt=urn:btih:{MAGNET_HASH.upper()}&tr=udp%3A%2F%2Ft.example",
                },
            ],
        )

        item = OffcloudHook().cloud_download(MAGNET)

        assert item["requestId"] == "existing-id"
        assert len(requests_to(requests_mock, "/api/cloud", "POST")) == 1
        assert sleeps == [], "the item was found: there is nothing to wait for"

    def test_cloud_submission_matches_a_torrent_named_by_hash(self, requests_mock):
        requests_mock.post(CLOUD_URL, exc=requests.ReadTimeout("read timed out"))
        requests_mock.get(
            HISTORY_URL, json=[{"requestId": "existing-id", "originalLink": f"{MAGNET_HASH.upper()}.torrent"}]
        )

        assert OffcloudHook().cloud_download(MAGNET)["requestId"] == "existing-id"
        assert len(requests_to(requests_mock, "/api/cloud", "POST")) == 1

    def test_cloud_submission_is_sent_again_when_history_lacks_it(self, requests_mock):
        requests_mock.post(CLOUD_URL, [{"status_code": 502, "text": "bad gateway"}, SUBMITTED])
        requests_mock.get(HISTORY_URL, json=[])

        item = OffcloudHook().cloud_download(MAGNET)

        assert item["requestId"] == "new-id"
        assert len(requests_to(requests_mock, "/api/cloud", "POST")) == 2
        assert len(requests_to(requests_mock, "/api/cloud/history", "GET")) == 1

    def test_cloud_submission_refused_by_rate_limit_is_replayed_without_reading_history(self, requests_mock):
        requests_mock.post(CLOUD_URL, [{"status_code": 429, "text": "slow down"}, SUBMITTED])

        assert OffcloudHook().cloud_download(MAGNET)["requestId"] == "new-id"
        assert requests_to(requests_mock, "/api/cloud/history") == []

    def test_cloud_submission_is_not_replayed_when_history_cannot_be_read(self, requests_mock):
        requests_mock.post(CLOUD_URL, [{"status_code": 502, "text": "bad gateway"}, SUBMITTED])
        requests_mock.get(HISTORY_URL, status_code=400, json={"error": "User is not allowed this operation."})

        with pytest.raises(OffcloudTransientError):
            OffcloudHook().cloud_download(MAGNET)

        assert len(requests_to(requests_mock, "/api/cloud", "POST")) == 1


def test_unreachable_service_is_reported_as_unreachable(requests_mock):
    requests_mock.post(STATUS_URL, exc=refused_connection())

    with pytest.raises(OffcloudUnreachableError, match="/api/cloud/status"):
        OffcloudHook(max_attempts=2).cloud_status("r1")
