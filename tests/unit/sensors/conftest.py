"""Fixtures for sensor tests: an API-key connection to a mocked host and no real retry pauses."""

from __future__ import annotations

import json

import pytest
from sensor_fakes import API_KEY, BASE_URL, CONN_ID, FakeTaskInstance

from airflow_provider_offcloud.hooks import offcloud as offcloud_hook_module


@pytest.fixture(autouse=True)
def connection(monkeypatch: pytest.MonkeyPatch) -> str:
    """An API-key connection to a host that requests-mock answers for."""
    connection = {"conn_type": "offcloud", "host": BASE_URL, "extra": {"api_key": API_KEY}}
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(connection))
    return CONN_ID


@pytest.fixture(autouse=True)
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the hook's retry pauses instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(offcloud_hook_module, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def ti() -> FakeTaskInstance:
    return FakeTaskInstance()
