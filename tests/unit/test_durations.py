"""Pauses and limits given to operators, sensors and the trigger are checked before any wait starts."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from airflow_provider_offcloud.exceptions import OffcloudBadInputError
from airflow_provider_offcloud.sensors.offcloud import OffcloudCloudDownloadSensor
from airflow_provider_offcloud.waiting import DEFAULT_POLL_INTERVAL, optional_seconds, positive_seconds


@pytest.mark.parametrize(("value", "seconds"), [(5, 5.0), ("2.5", 2.5), (dt.timedelta(minutes=1), 60.0)])
def test_positive_seconds_reads_numbers_text_and_timedeltas(value, seconds):
    assert positive_seconds(value, "poll_interval") == seconds


@pytest.mark.parametrize("value", [0, -1, math.nan, math.inf, "soon", None, dt.timedelta(0)])
def test_positive_seconds_refuses_what_is_not_a_pause_and_names_it(value):
    with pytest.raises(OffcloudBadInputError, match=r"poll_interval=.* positive number of seconds"):
        positive_seconds(value, "poll_interval")


@pytest.mark.parametrize(("value", "seconds"), [(None, None), (0, 0.0), (dt.timedelta(hours=1), 3600.0)])
def test_optional_seconds_allows_no_limit_and_zero(value, seconds):
    assert optional_seconds(value, "timeout") == seconds


@pytest.mark.parametrize("value", [-0.5, math.nan, -math.inf, math.inf, "later"])
def test_optional_seconds_refuses_negative_and_non_finite_limits(value):
    with pytest.raises(OffcloudBadInputError, match="timeout="):
        optional_seconds(value, "timeout")


def test_sensor_with_a_zero_poke_interval_still_pauses_in_the_triggerer():
    sensor = OffcloudCloudDownloadSensor(task_id="wait", request_id="abc", poke_interval=0)

    assert sensor.trigger_poll_interval == DEFAULT_POLL_INTERVAL
    assert sensor.max_poll_interval >= sensor.trigger_poll_interval


def test_sensor_refuses_a_negative_stuck_after():
    with pytest.raises(OffcloudBadInputError, match="stuck_after"):
        OffcloudCloudDownloadSensor(task_id="wait", request_id="abc", stuck_after=-1)
