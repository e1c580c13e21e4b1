"""The cloud download operator: submission once across tries, sync waits, deferral, and its callback."""

from __future__ import annotations

import datetime as dt

import pytest
from airflow.providers.common.compat.sdk import TaskDeferred
from operator_fakes import BASE_URL, CONN_ID, REQUEST_ID, FakeTaskInstance, status_answer

from airflow_provider_offcloud.exceptions import (
    OffcloudAuthError,
    OffcloudDownloadFailedError,
    OffcloudError,
    OffcloudNotAvailableError,
    OffcloudStuckError,
)
from airflow_provider_offcloud.operators.offcloud import OffcloudCloudDownloadOperator
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

try:
    from airflow.sdk import ResumableJobMixin as _sdk_resumable_job_mixin  # noqa: F401
except ImportError:  # Airflow before 3.3: the compat stand-in has no task state store
    SDK_RESUMES_JOBS = False
else:
    SDK_RESUMES_JOBS = True

needs_task_state_store = pytest.mark.skipif(
    not SDK_RESUMES_JOBS, reason="the task state store and ResumableJobMixin arrived in Airflow 3.3"
)

MAGNET = "magnet:?xt=urn:btih:4444444444444444444444444444444444444444&dn=movie"
FILES = [{"name": "movie.mkv", "path": "movie/movie.mkv", "size": 10, "url": f"{BASE_URL}/dl/1"}]
SUBMITTED = {"requestId": REQUEST_ID, "status": "created", "fileName": "movie", "originalLink": MAGNET}


def operator(**kwargs) -> OffcloudCloudDownloadOperator:
    kwargs.setdefault("task_id", "fetch")
    kwargs.setdefault("url", MAGNET)
    kwargs.setdefault("poll_interval", 0.01)
    kwargs.setdefault("max_poll_interval", 0.02)
    return OffcloudCloudDownloadOperator(**kwargs)


@pytest.fixture
def service(requests_mock):
    """The routes a cloud download uses; tests replace answers as needed."""
    routes = {
        "submit": requests_mock.post(f"{BASE_URL}/api/cloud", json=SUBMITTED),
        "status": requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("downloaded")),
        "explore": requests_mock.get(f"{BASE_URL}/api/cloud/explore/{REQUEST_ID}", json={"files": FILES}),
        "history": requests_mock.get(f"{BASE_URL}/api/cloud/history", json=[]),
    }
    return routes


class TestSynchronousWait:
    @needs_task_state_store
    def test_submits_waits_and_returns_the_item_with_its_files(
        self, requests_mock, service, ti, store, pauses
    ):
        service["status"] = requests_mock.post(
            f"{BASE_URL}/api/cloud/status",
            [
                {"json": status_answer("created")},
                {"json": status_answer("downloading", amount=5, fileSize=10)},
                {"json": status_answer("downloaded", fileSize=10)},
            ],
        )

        result = operator(deferrable=False).execute({"ti": ti, "task_state_store": store})

        assert result["status"] == "downloaded"
        assert result["requestId"] == REQUEST_ID
        assert result["files"][0]["path"] == "movie/movie.mkv"
        assert ti.pushed["request_id"] == REQUEST_ID
        assert store.values == {"offcloud_request_id": REQUEST_ID}
        assert service["submit"].call_count == 1
        assert len(pauses) == 2, "one pause between each pair of status reads"

    @needs_task_state_store
    def test_retry_reconnects_to_the_stored_item_instead_of_submitting(self, service, ti, store):
        store.set("offcloud_request_id", REQUEST_ID)

        result = operator(deferrable=False).execute({"ti": ti, "task_state_store": store})

        assert service["submit"].call_count == 0
        assert result["status"] == "downloaded"
        assert result["files"] == FILES
        assert ti.pushed["request_id"] == REQUEST_ID

    @needs_task_state_store
    def test_retry_after_a_failed_item_submits_again(self, requests_mock, service, ti, store):
        store.set("offcloud_request_id", "bbbbbbbbbbbbbbbbbbbbbbbb")
        requests_mock.post(
            f"{BASE_URL}/api/cloud/status",
            [
                {"json": status_answer("error", "bbbbbbbbbbbbbbbbbbbbbbbb")},
                {"json": status_answer("downloaded")},
            ],
        )

        result = operator(deferrable=False).execute({"ti": ti, "task_state_store": store})

        assert service["submit"].call_count == 1
        assert result["requestId"] == REQUEST_ID

    def test_retry_without_a_state_store_reconnects_to_the_item_found_in_history(
        self, requests_mock, service
    ):
        requests_mock.get(
            f"{BASE_URL}/api/cloud/history",
            json=[{"requestId": REQUEST_ID, "status": "downloading", "originalLink": MAGNET}],
        )
        retry = FakeTaskInstance(try_number=2)

        result = operator(deferrable=False).execute({"ti": retry})

        assert service["submit"].call_count == 0
        assert result["requestId"] == REQUEST_ID
        assert result["status"] == "downloaded"

    def test_error_item_fails_with_offclouds_message(self, requests_mock, service, ti, store):
        requests_mock.post(
            f"{BASE_URL}/api/cloud/status", json=status_answer("error", errorMessage="Bad torrent.")
        )

        with pytest.raises(OffcloudDownloadFailedError, match="Bad torrent"):
            operator(deferrable=False).execute({"ti": ti, "task_state_store": store})

    def test_item_stuck_in_created_fails_retryably(self, requests_mock, service, ti, store):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("created"))

        with pytest.raises(OffcloudStuckError, match="no progress"):
            operator(deferrable=False, stuck_after=0).execute({"ti": ti, "task_state_store": store})

    def test_timeout_stops_waiting_and_says_a_retry_resubmits_nothing(
        self, requests_mock, service, ti, store
    ):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("queued"))

        with pytest.raises(OffcloudError, match="does not submit the link again"):
            operator(deferrable=False, timeout=0).execute({"ti": ti, "task_state_store": store})

    def test_transient_faults_while_waiting_are_waited_out(self, requests_mock, service, ti, store):
        requests_mock.post(
            f"{BASE_URL}/api/cloud/status",
            [{"status_code": 503, "text": "busy"}] * 6 + [{"json": status_answer("downloaded")}],
        )

        result = operator(deferrable=False).execute({"ti": ti, "task_state_store": store})

        assert result["status"] == "downloaded"

    def test_without_waiting_returns_the_submitted_item(self, service, ti, store):
        result = operator(wait_for_completion=False, deferrable=True).execute(
            {"ti": ti, "task_state_store": store}
        )

        assert result["status"] == "created"
        assert "files" not in result
        assert service["status"].call_count == 0

    def test_not_available_fails_at_once_with_the_reason(self, requests_mock, service, ti, store):
        requests_mock.post(f"{BASE_URL}/api/cloud", json={"not_available": "cloud"})

        with pytest.raises(OffcloudNotAvailableError, match="not_available='cloud'"):
            operator(deferrable=False).execute({"ti": ti, "task_state_store": store})

    def test_refused_key_fails_at_once(self, requests_mock, service, ti, store):
        requests_mock.post(f"{BASE_URL}/api/cloud", status_code=401, json={"error": "NOAUTH"})

        with pytest.raises(OffcloudAuthError, match="API key"):
            operator(deferrable=False).execute({"ti": ti, "task_state_store": store})


class TestDeferral:
    def test_defers_after_storing_and_pushing_the_request_id(self, service, ti, store):
        task = operator(deferrable=True, timeout=dt.timedelta(minutes=5), stuck_after=600)

        with pytest.raises(TaskDeferred) as deferred:
            task.execute({"ti": ti, "task_state_store": store})

        trigger = deferred.value.trigger
        assert isinstance(trigger, OffcloudDownloadTrigger)
        assert deferred.value.method_name == "execute_complete"
        assert deferred.value.timeout == dt.timedelta(minutes=5)
        _, kwargs = trigger.serialize()
        assert kwargs["request_id"] == REQUEST_ID
        assert kwargs["offcloud_conn_id"] == CONN_ID
        assert kwargs["kind"] == "cloud"
        assert kwargs["stuck_after"] == 600
        assert kwargs["deadline"] == pytest.approx(kwargs["waiting_since"] + 300)
        assert ti.pushed["request_id"] == REQUEST_ID
        assert store.values["offcloud_request_id"] == REQUEST_ID

    def test_deferred_retry_with_a_stored_id_does_not_submit(self, requests_mock, service, ti, store):
        store.set("offcloud_request_id", REQUEST_ID)
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("downloading"))

        with pytest.raises(TaskDeferred):
            operator(deferrable=True).execute({"ti": ti, "task_state_store": store})

        assert service["submit"].call_count == 0

    def test_retry_without_a_state_store_reuses_the_item_found_in_history(self, requests_mock, service):
        requests_mock.get(
            f"{BASE_URL}/api/cloud/history",
            json=[
                {"requestId": "cccccccccccccccccccccccc", "status": "error", "originalLink": MAGNET},
                {"requestId": REQUEST_ID, "status": "downloading", "originalLink": MAGNET + "&tr=udp://x"},
            ],
        )
        retry = FakeTaskInstance(try_number=2)

        with pytest.raises(TaskDeferred) as deferred:
            operator(deferrable=True).execute({"ti": retry})

        assert service["submit"].call_count == 0
        assert deferred.value.trigger.request_id == REQUEST_ID
        assert retry.pushed["request_id"] == REQUEST_ID

    def test_first_try_without_a_state_store_does_not_read_history(self, service):
        first = FakeTaskInstance(try_number=1)

        with pytest.raises(TaskDeferred):
            operator(deferrable=True).execute({"ti": first})

        assert service["history"].call_count == 0
        assert service["submit"].call_count == 1

    def test_cached_item_finishes_without_deferring(self, requests_mock, service, ti, store):
        requests_mock.post(f"{BASE_URL}/api/cloud", json={**SUBMITTED, "status": "downloaded"})

        result = operator(deferrable=True).execute({"ti": ti, "task_state_store": store})

        assert result["files"] == FILES


class TestExecuteComplete:
    def test_success_returns_the_item_with_files(self, service, ti):
        event = {"status": "success", "request_id": REQUEST_ID, "item": {**SUBMITTED, "status": "downloaded"}}

        result = operator().execute_complete({"ti": ti}, event)

        assert result["status"] == "downloaded"
        assert result["files"] == FILES
        assert ti.pushed["request_id"] == REQUEST_ID

    @pytest.mark.parametrize(
        ("event", "error", "words"),
        [
            (
                {
                    "status": "error",
                    "reason": "download_failed",
                    "request_id": REQUEST_ID,
                    "item_status": "canceled",
                    "service_message": "Cancelled by the user.",
                },
                OffcloudDownloadFailedError,
                "Cancelled by the user",
            ),
            (
                {"status": "error", "reason": "not_available", "not_available": "premium", "message": "m"},
                OffcloudNotAvailableError,
                "premium",
            ),
            (
                {"status": "error", "reason": "auth", "message": "Key refused."},
                OffcloudAuthError,
                "Key refused",
            ),
            ({"status": "stuck", "message": "No progress for 600 s."}, OffcloudStuckError, "No progress"),
            ({"status": "timeout", "message": "Too slow."}, OffcloudError, "Too slow"),
            (
                {"status": "success", "item": {**SUBMITTED, "status": "queued"}},
                OffcloudError,
                "without a downloaded",
            ),
            ({"status": "done"}, OffcloudError, "unknown status"),
            ("success", OffcloudError, "not an event"),
        ],
    )
    def test_anything_but_an_explicit_success_fails(self, ti, event, error, words):
        with pytest.raises(error, match=words):
            operator().execute_complete({"ti": ti}, event)
