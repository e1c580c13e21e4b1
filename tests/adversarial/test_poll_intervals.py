"""Poll intervals that are not positive finite numbers must be refused or corrected before any wait."""

from __future__ import annotations

import math

import pytest

from airflow_provider_offcloud.operators.offcloud import OffcloudCloudDownloadOperator
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

BAD_INTERVALS = [float("nan"), 0.0, -1.0]


@pytest.mark.parametrize("interval", BAD_INTERVALS)
def test_trigger_refuses_or_corrects_a_bad_poll_interval(interval):
    try:
        trigger = OffcloudDownloadTrigger(
            offcloud_conn_id="offcloud_adv", request_id="abc", poll_interval=interval
        )
    except ValueError:
        return

    assert math.isfinite(trigger.poll_interval)
    assert trigger.poll_interval > 0


@pytest.mark.parametrize("interval", BAD_INTERVALS)
def test_operator_refuses_or_corrects_a_bad_poll_interval(interval):
    try:
        operator = OffcloudCloudDownloadOperator(
            task_id="submit", url="http://127.0.0.1:9/file.bin", poll_interval=interval
        )
    except ValueError:
        return

    assert math.isfinite(operator.poll_interval)
    assert operator.poll_interval > 0


def test_trigger_refuses_or_corrects_a_nan_max_poll_interval():
    try:
        trigger = OffcloudDownloadTrigger(
            offcloud_conn_id="offcloud_adv",
            request_id="abc",
            poll_interval=30,
            max_poll_interval=float("nan"),
        )
    except ValueError:
        return

    assert math.isfinite(trigger.max_poll_interval)
    assert trigger.max_poll_interval >= trigger.poll_interval
