"""The cloud and remote download sensors: pokes, progress lines, deferral and the callback."""

from __future__ import annotations

import datetime as dt

import pytest
from airflow.providers.common.compat.sdk import (
    AirflowSensorTimeout,
    AirflowSkipException,
    PokeReturnValue,
    TaskDeferred,
)
from sensor_fakes import BASE_URL, REQUEST_ID, status_answer

from airflow_provider_offcloud.exceptions import (
    OffcloudAuthError,
    OffcloudDownloadFailedError,
    OffcloudNotAvailableError,
    OffcloudStuckError,
)
from airflow_provider_offcloud.sensors.offcloud import (
    OffcloudCloudDownloadSensor,
    OffcloudRemoteDownloadSensor,
)


def sensor(cls=OffcloudCloudDownloadSensor, **kwargs):
    kwargs.setdefault("task_id", "wait")
    kwargs.setdefault("request_id", REQUEST_ID)
    kwargs.setdefault("poke_interval", 0.01)
    return cls(**kwargs)


class TestPoke:
    def test_downloaded_item_is_the_return_value(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("downloaded", fileSize=7))

        done = sensor().poke({"ti": ti})

        assert isinstance(done, PokeReturnValue)
        assert done.is_done
        assert done.xcom_value["requestId"] == REQUEST_ID
        assert done.xcom_value["fileSize"] == 7

    def test_progress_is_logged_at_each_poke(self, requests_mock, ti, capsys):
        requests_mock.post(
            f"{BASE_URL}/api/cloud/status",
            json=status_answer("downloading", amount=512 * 1024, fileSize=1024 * 1024, downloadingSpeed=2048),
        )
        task = sensor()

        assert task.poke({"ti": ti}) is False

        assert "downloading, 50.0%, 512.0 KiB of 1.0 MiB, at 2.0 KiB/s" in capsys.readouterr().out

    def test_error_item_fails_at_once_with_offclouds_message(self, requests_mock, ti):
        requests_mock.post(
            f"{BASE_URL}/api/remote/status", json=status_answer("error", errorMessage="Disk quota exceeded.")
        )

        with pytest.raises(OffcloudDownloadFailedError, match="Disk quota exceeded"):
            sensor(OffcloudRemoteDownloadSensor).poke({"ti": ti})

    def test_transient_fault_counts_as_not_yet(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", status_code=503, text="busy")

        assert sensor().poke({"ti": ti}) is False

    def test_item_without_progress_is_stuck(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("created"))
        task = sensor(stuck_after=dt.timedelta(seconds=0))

        with pytest.raises(OffcloudStuckError):
            task.poke({"ti": ti})

    def test_refused_key_fails_the_task_in_poke_mode(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", status_code=401, json={"error": "NOAUTH"})

        with pytest.raises(OffcloudAuthError):
            sensor(deferrable=False).execute({"ti": ti})

    def test_not_available_with_soft_fail_skips(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json={"not_available": "premium"})

        with pytest.raises(AirflowSkipException):
            sensor(deferrable=False, soft_fail=True).execute({"ti": ti})


class TestDeferral:
    def test_defers_with_the_sensor_timeout_and_pushes_the_request_id(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("queued"))
        task = sensor(deferrable=True, timeout=120, stuck_after=600, max_poll_interval=5)

        with pytest.raises(TaskDeferred) as deferred:
            task.execute({"ti": ti})

        assert deferred.value.timeout == dt.timedelta(seconds=120)
        _, kwargs = deferred.value.trigger.serialize()
        assert kwargs["deadline"] == pytest.approx(kwargs["waiting_since"] + 120, abs=1)
        assert kwargs["poll_interval"] == 0.01
        assert kwargs["max_poll_interval"] == 5
        assert ti.pushed["request_id"] == REQUEST_ID

    def test_finished_item_does_not_defer(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=status_answer("downloaded"))

        assert sensor(deferrable=True).execute({"ti": ti})["status"] == "downloaded"

    def test_not_available_before_deferring_fails_or_skips(self, requests_mock, ti):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json={"not_available": "cloud"})

        with pytest.raises(OffcloudNotAvailableError):
            sensor(deferrable=True).execute({"ti": ti})
        with pytest.raises(AirflowSkipException):
            sensor(deferrable=True, soft_fail=True).execute({"ti": ti})


class TestExecuteComplete:
    def test_success_returns_the_item(self, ti):
        item = {"requestId": REQUEST_ID, "status": "downloaded", "fileSize": 3}
        event = {"status": "success", "request_id": REQUEST_ID, "item": item}

        assert sensor().execute_complete({"ti": ti}, event) == item

    def test_timeout_is_a_sensor_timeout(self, ti):
        with pytest.raises(AirflowSensorTimeout, match="deadline"):
            sensor().execute_complete({"ti": ti}, {"status": "timeout", "message": "Missed the deadline."})

    def test_timeout_with_soft_fail_skips(self, ti):
        task = sensor(soft_fail=True)
        event = {"status": "timeout", "message": "Missed the deadline."}

        with pytest.raises(AirflowSkipException):
            task.resume_execution("execute_complete", {"event": event}, {"ti": ti})

    def test_error_event_fails_with_offclouds_message(self, ti):
        event = {
            "status": "error",
            "reason": "download_failed",
            "request_id": REQUEST_ID,
            "item_status": "error",
            "service_message": "Torrent has no seeders.",
        }

        with pytest.raises(OffcloudDownloadFailedError, match="no seeders"):
            sensor().execute_complete({"ti": ti}, event)
