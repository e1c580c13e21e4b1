"""Fixtures for transfer tests: an env-var Offcloud connection and pauses recorded instead of slept."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from airflow.sdk import ObjectStoragePath
from airflow.sdk.io import attach
from fsspec.implementations.memory import MemoryFileSystem
from transfer_doubles import API, API_KEY, CONN_ID

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def offcloud_connection(monkeypatch: pytest.MonkeyPatch) -> str:
    """An API-key connection pointing at a loopback address that requests-mock answers for."""
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{CONN_ID.upper()}",
        json.dumps({"conn_type": "offcloud", "host": API, "extra": {"api_key": API_KEY}}),
    )
    return CONN_ID


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the pauses between tries instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr("airflow_provider_offcloud.transfers.streaming._sleep", recorded.append)
    monkeypatch.setattr("airflow_provider_offcloud.hooks.offcloud._sleep", recorded.append)
    return recorded


@pytest.fixture
def memory_folder(request: pytest.FixtureRequest) -> Iterator[ObjectStoragePath]:
    """A folder on fsspec's in-memory filesystem: an object store that cannot append."""
    attach(protocol="memory", fs=MemoryFileSystem())
    folder = ObjectStoragePath(f"memory://transfer-tests/{request.node.name}/")
    yield folder
    MemoryFileSystem().rm(f"/transfer-tests/{request.node.name}", recursive=True)
