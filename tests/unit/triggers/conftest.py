"""Fixtures for the trigger tests: an emulator on loopback, env-var connections, no real retry pauses."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest

from airflow_provider_offcloud.emulator import DEMO_EMAIL, DEMO_PASSWORD, OffcloudEmulator
from airflow_provider_offcloud.hooks import offcloud as offcloud_hook_module
from airflow_provider_offcloud.hooks import offcloud_async as offcloud_async_module
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.triggers.offcloud import OffcloudDownloadTrigger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

#: Connection ids the fixtures configure.
PASSWORD_CONN_ID = "offcloud_password"
API_KEY_CONN_ID = "offcloud_key"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[OffcloudEmulator]:
    """A running emulator on 127.0.0.1 with the demo account."""
    with OffcloudEmulator(seed=1, data_dir=tmp_path / "emulator") as running:
        yield running


@pytest.fixture(autouse=True)
def no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the clients' retry pauses instead of sleeping through them (Retry-After may say 1 s)."""
    recorded: list[float] = []

    async def record(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(offcloud_async_module, "_sleep", record)
    monkeypatch.setattr(offcloud_hook_module, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Return a function that stores a connection to a base URL in ``AIRFLOW_CONN_<ID>``."""

    def configure(conn_id: str, base_url: str, **fields: Any) -> str:
        connection = {"conn_type": "offcloud", "host": base_url, **fields}
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(connection))
        return conn_id

    return configure


@pytest.fixture
def password_conn(emulator: OffcloudEmulator, connect: Callable[..., str]) -> str:
    """A password (cookie session) connection to the emulator."""
    return connect(PASSWORD_CONN_ID, emulator.base_url, login=DEMO_EMAIL, password=DEMO_PASSWORD)


@pytest.fixture
def api_key_conn(emulator: OffcloudEmulator, connect: Callable[..., str]) -> str:
    """An API-key connection to the emulator."""
    return connect(API_KEY_CONN_ID, emulator.base_url, extra={"api_key": emulator.account.api_key})


@pytest.fixture
def submit(api_key_conn: str) -> Callable[..., dict[str, Any]]:
    """Submit links with the sync hook, as an operator does on the worker before deferring."""
    hook = OffcloudHook(api_key_conn)

    def cloud(url: str) -> dict[str, Any]:
        return dict(hook.cloud_download(url))

    return cloud


@pytest.fixture
def make_trigger() -> Callable[..., OffcloudDownloadTrigger]:
    """Build a trigger with tiny intervals and a short deadline, overridable per test."""

    def build(conn_id: str, request_id: str, **overrides: Any) -> OffcloudDownloadTrigger:
        kwargs: dict[str, Any] = {
            "offcloud_conn_id": conn_id,
            "request_id": request_id,
            "kind": "cloud",
            "deadline": time.time() + 15,
            "poll_interval": 0.01,
            "max_poll_interval": 0.05,
        }
        kwargs.update(overrides)
        return OffcloudDownloadTrigger(**kwargs)

    return build
