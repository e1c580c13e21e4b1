"""Fixtures for operator tests: an API-key connection to a mocked host, a fake task and state store."""

from __future__ import annotations

import json

import pytest
from operator_fakes import API_KEY, BASE_URL, CONN_ID, FakeStateStore, FakeTaskInstance

from airflow_provider_offcloud import waiting
from airflow_provider_offcloud.hooks import offcloud as offcloud_hook_module


@pytest.fixture(autouse=True)
def connection(monkeypatch: pytest.MonkeyPatch) -> str:
    """An API-key connection to a host that requests-mock answers for."""
    connection = {"conn_type": "offcloud", "host": BASE_URL, "extra": {"api_key": API_KEY}}
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(connection))
    return CONN_ID


@pytest.fixture(autouse=True)
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the pauses of the sync wait loop and of the hook's retries instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(waiting, "_sleep", recorded.append)
    monkeypatch.setattr(offcloud_hook_module, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def ti() -> FakeTaskInstance:
    return FakeTaskInstance()


@pytest.fixture
def store() -> FakeStateStore:
    return FakeStateStore()
