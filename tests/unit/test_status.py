"""Offcloud statuses: parsing every spelling seen and the groups waiters act on."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.status import OffcloudStatus


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("created", OffcloudStatus.CREATED),
        ("queued", OffcloudStatus.QUEUED),
        ("downloading", OffcloudStatus.DOWNLOADING),
        ("processing", OffcloudStatus.PROCESSING),
        ("downloaded", OffcloudStatus.DOWNLOADED),
        ("error", OffcloudStatus.ERROR),
        ("canceled", OffcloudStatus.CANCELED),
        (" Downloaded ", OffcloudStatus.DOWNLOADED),
        ("ERROR", OffcloudStatus.ERROR),
        ("cancelled", OffcloudStatus.CANCELED),
        ("failed", OffcloudStatus.ERROR),
        ("fragile", OffcloudStatus.ERROR),
        ("dead", OffcloudStatus.ERROR),
        ("ready", OffcloudStatus.DOWNLOADED),
        ("completed", OffcloudStatus.DOWNLOADED),
        ("finished", OffcloudStatus.DOWNLOADED),
        ("pending", OffcloudStatus.QUEUED),
        ("something new", OffcloudStatus.QUEUED),
        ("", OffcloudStatus.QUEUED),
        (None, OffcloudStatus.QUEUED),
        (OffcloudStatus.ERROR, OffcloudStatus.ERROR),
    ],
)
def test_parse(raw, expected):
    assert OffcloudStatus.parse(raw) is expected


@pytest.mark.parametrize(
    ("status", "success", "failure", "terminal"),
    [
        (OffcloudStatus.CREATED, False, False, False),
        (OffcloudStatus.QUEUED, False, False, False),
        (OffcloudStatus.DOWNLOADING, False, False, False),
        (OffcloudStatus.PROCESSING, False, False, False),
        (OffcloudStatus.DOWNLOADED, True, False, True),
        (OffcloudStatus.ERROR, False, True, True),
        (OffcloudStatus.CANCELED, False, True, True),
    ],
)
def test_groups(status, success, failure, terminal):
    assert (status.is_success, status.is_failure, status.is_terminal) == (success, failure, terminal)


def test_members_compare_equal_to_the_service_words():
    assert OffcloudStatus.DOWNLOADED == "downloaded"
    assert OffcloudStatus("canceled").value == "canceled"
