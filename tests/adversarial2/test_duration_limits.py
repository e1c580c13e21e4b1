"""Durations accepted when a DAG is parsed must still work when the task defers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from airflow.providers.common.compat.sdk import TaskDeferred
from second_review_support import connection_value

from airflow_provider_offcloud.operators.offcloud import OffcloudCloudDownloadOperator
from airflow_provider_offcloud.sensors.offcloud import OffcloudCloudDownloadSensor

BASE = "http://127.0.0.1:9"
CONN_ID = "offcloud_second_review"
#: Finite, so every check of "a positive finite number of seconds" lets them through.
TOO_LONG_FOR_A_TIMEDELTA = [dt.timedelta.max, 10.0**14]


class _TaskInstance:
    def xcom_push(self, key: str, value: Any) -> None:
        """Accept the request id the sensor pushes for its extra link."""


@pytest.mark.parametrize("timeout", TOO_LONG_FOR_A_TIMEDELTA)
def test_deferrable_sensor_with_a_very_long_timeout_defers_or_is_refused_at_parse_time(
    requests_mock, monkeypatch, timeout
):
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(BASE))
    requests_mock.post(f"{BASE}/api/cloud/status", json={"status": {"requestId": "abc", "status": "queued"}})
    try:
        sensor = OffcloudCloudDownloadSensor(
            task_id="wait", request_id="abc", offcloud_conn_id=CONN_ID, deferrable=True, timeout=timeout
        )
    except ValueError:
        return

    with pytest.raises(TaskDeferred):
        sensor.execute({"ti": _TaskInstance()})  # type: ignore[typeddict-item]


@pytest.mark.parametrize("timeout", TOO_LONG_FOR_A_TIMEDELTA)
def test_operator_refuses_a_timeout_it_cannot_defer_with(timeout):
    try:
        operator = OffcloudCloudDownloadOperator(task_id="submit", url=f"{BASE}/file.bin", timeout=timeout)
    except ValueError:
        return

    # What _execute_deferrable hands to defer().
    assert operator.timeout is not None
    assert dt.timedelta(seconds=operator.timeout) > dt.timedelta(0)
