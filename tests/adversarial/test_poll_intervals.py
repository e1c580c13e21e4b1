"""Poll intervals that are not positive finite numbers must be refused or corrected before any wait."""

from __future__ import annotations

import math

import pytest

from airflow_provider_offcloud.operators.offcloud import OffcloudCloudDownloadOperator
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

BAD_INTERVALS = [float("nan"), 0.0, -1.0]


@pytest.mark.xfail(
    strict=True,
    reason="OffcloudDownloadTrigger takes any poll_interval: with 0 or a negative value the shared "
    "poller reads the history back to back (tens of thousands of requests a second), and with nan "
    "SharedPoller._run finds no due waiter yet never awaits anything, freezing the triggerer's loop",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="the cloud operator takes poll_interval nan, 0 or negative and passes it to the trigger "
    "(deferrable) or to wait_for_item (a negative pause makes time.sleep raise ValueError)",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="OffcloudDownloadTrigger keeps max_poll_interval=nan (max(nan, poll_interval) is nan); "
    "next_poll_interval then returns nan for a queued item and the shared poller spins without "
    "awaiting, freezing the triggerer's event loop",
)
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
