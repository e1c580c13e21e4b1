"""Fixtures for the hook's unit tests: env-var connections, a fake Offcloud host and recorded retry pauses."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from hook_fakes import API_KEY, BASE_URL, EMAIL, LOGIN_URL, PASSWORD, SESSION_ID

from airflow_provider_offcloud.hooks import offcloud as offcloud_hook_module
from airflow_provider_offcloud.protocol import SESSION_COOKIE

if TYPE_CHECKING:
    from collections.abc import Callable

    import requests_mock as requests_mock_module


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """Return a function that stores an ``offcloud`` connection in ``AIRFLOW_CONN_<ID>`` and returns it."""

    def configure(conn_id: str = "offcloud_default", **fields: Any) -> dict[str, Any]:
        connection = {"conn_type": "offcloud", "host": BASE_URL, **fields}
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(connection))
        return connection

    return configure


@pytest.fixture
def password_connection(connect: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A connection that logs in with e-mail and password."""
    return connect(login=EMAIL, password=PASSWORD)


@pytest.fixture
def api_key_connection(connect: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A connection that authenticates with an API key in the ``Authorization`` header."""
    return connect(extra={"api_key": API_KEY})


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every retry pause instead of sleeping."""
    recorded: list[float] = []
    monkeypatch.setattr(offcloud_hook_module, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def login_ok(requests_mock: requests_mock_module.Mocker) -> Any:
    """The password login route, answering as the classic service did, with a session cookie."""
    return requests_mock.post(
        LOGIN_URL,
        json={"email": EMAIL, "userId": "53f89e52822c8bf413000008"},
        cookies={SESSION_COOKIE: SESSION_ID},
    )
