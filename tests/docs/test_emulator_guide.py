"""The tests shown in the emulator guide: a user's own pytest tests against the local Offcloud emulator."""

from __future__ import annotations

# [START emulator_guide_imports]
import json
import time
from typing import TYPE_CHECKING

import pytest

from airflow_provider_offcloud.emulator import ALL_ADDONS, Addon, OffcloudEmulator, OriginServer, demo_account
from airflow_provider_offcloud.exceptions import OffcloudAuthError, OffcloudNotAvailableError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from airflow_provider_offcloud.normalize import OffcloudItem

# [END emulator_guide_imports]

pytestmark = pytest.mark.integration


# [START emulator_guide_fixtures]
@pytest.fixture
def website(tmp_path: Path) -> Iterator[OriginServer]:
    """A web server on 127.0.0.1 with one file for the emulator to fetch."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "report.csv").write_text("day,rain_mm\n2026-12-01,4.2\n2026-12-02,0.0\n")
    with OriginServer(root) as server:
        yield server


@pytest.fixture
def offcloud(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OffcloudEmulator]:
    """The emulator, with the connection offcloud_default pointing at it through an environment variable."""
    with OffcloudEmulator(seed=1, data_dir=tmp_path / "emulator") as emulator:
        connection = {
            "conn_type": "offcloud",
            "host": emulator.base_url,
            "extra": {"api_key": emulator.account.api_key},
        }
        monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_DEFAULT", json.dumps(connection))
        yield emulator


# [END emulator_guide_fixtures]


# [START emulator_guide_download_test]
def wait_until_downloaded(hook: OffcloudHook, request_id: str, timeout: float = 15.0) -> OffcloudItem:
    """Poll a cloud item every 20 ms until it is final; fail the test when it takes too long."""
    deadline = time.monotonic() + timeout
    while True:
        item = hook.cloud_status(request_id)
        if item["status"] in ("downloaded", "error"):
            return item
        if time.monotonic() > deadline:
            pytest.fail(f"Item {request_id} is still {item['status']!r} after {timeout} s.")
        time.sleep(0.02)


def test_cloud_download_reaches_the_emulator(offcloud: OffcloudEmulator, website: OriginServer) -> None:
    hook = OffcloudHook()  # reads offcloud_default from the environment variable
    submitted = hook.cloud_download(website.url_for("report.csv"))

    item = wait_until_downloaded(hook, submitted["requestId"])

    assert item["status"] == "downloaded"
    assert [entry["name"] for entry in hook.cloud_explore(item["requestId"])] == ["report.csv"]
    assert website.hits["report.csv"] == 1


# [END emulator_guide_download_test]


# [START emulator_guide_fault_test]
def test_a_rate_limited_status_read_is_retried(offcloud: OffcloudEmulator, website: OriginServer) -> None:
    hook = OffcloudHook(backoff_seconds=0)
    submitted = hook.cloud_download(website.url_for("report.csv"))
    offcloud.faults.inject("cloud_status", kind="rate_limit", retry_after=0, times=2)

    hook.cloud_status(submitted["requestId"])

    answers = [entry.status_code for entry in offcloud.request_log.entries(route="cloud_status")]
    assert answers == [429, 429, 200]


def test_a_revoked_key_fails_with_an_auth_error(offcloud: OffcloudEmulator) -> None:
    offcloud.faults.revoke_api_key(offcloud.account.api_key)

    with pytest.raises(OffcloudAuthError):
        OffcloudHook().account_info()


# [END emulator_guide_fault_test]


# [START emulator_guide_addon_test]
def test_a_plan_without_cloud_storage_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, website: OriginServer
) -> None:
    account = demo_account(addons=ALL_ADDONS - {Addon.CLOUD})
    with OffcloudEmulator([account], data_dir=tmp_path / "emulator") as emulator:
        connection = {
            "conn_type": "offcloud",
            "host": emulator.base_url,
            "extra": {"api_key": account.api_key},
        }
        monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_DEFAULT", json.dumps(connection))

        with pytest.raises(OffcloudNotAvailableError) as refusal:
            OffcloudHook().cloud_download(website.url_for("report.csv"))

    assert refusal.value.reason == "cloud"


# [END emulator_guide_addon_test]
