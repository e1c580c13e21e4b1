"""Fixtures for integration tests: a running Offcloud emulator and a local origin file server."""

from __future__ import annotations

import json
import random
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from airflow_provider_offcloud.emulator import EmulatorOptions, OffcloudEmulator, OriginServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

#: Files the ``origin_server`` fixture serves, by path inside its root folder.
ORIGIN_SMALL_FILE = "small.txt"
ORIGIN_MEDIUM_FILE = "medium.bin"
ORIGIN_LARGE_FILE = "large.bin"
ORIGIN_NESTED_FILE = "folder/name with spaces.bin"

#: Ways a connection can authenticate: password (cookie session), API key as Bearer header or as ``?key=``.
AUTH_STYLES = ("password", "api_key_header", "api_key_query")

_LARGE_FILE_SIZE = 3 * 1024 * 1024 + 123
_FINAL_STATUSES = ("downloaded", "error")


def _write_origin_files(root: Path) -> None:
    # Fixed seed: the same bytes on every run, so a failure can be reproduced.
    generator = random.Random(20240501)
    (root / ORIGIN_SMALL_FILE).write_bytes(b"Hello from the origin server.\n")
    (root / ORIGIN_MEDIUM_FILE).write_bytes(generator.randbytes(200 * 1024 + 7))
    (root / ORIGIN_LARGE_FILE).write_bytes(generator.randbytes(_LARGE_FILE_SIZE))
    nested = root / ORIGIN_NESTED_FILE
    nested.parent.mkdir(parents=True)
    nested.write_bytes(generator.randbytes(4096))


@pytest.fixture
def origin_server(tmp_path: Path) -> Iterator[OriginServer]:
    """
    A file server on ``127.0.0.1`` standing in for the websites cloud downloads fetch from.

    It serves ``small.txt`` (a line of text), ``medium.bin`` (about 200 KiB), ``large.bin``
    (a little over 3 MiB) and ``folder/name with spaces.bin`` (4 KiB) from a temporary folder
    (``origin_server.root``). ``origin_server.url_for(path)`` is a file's URL,
    ``origin_server.status_url(404)`` answers that HTTP status, ``origin_server.drop_url_for(path)``
    sends half a file and drops the connection, and ``origin_server.hits[path]`` counts fetches.
    """
    root = tmp_path / "origin"
    root.mkdir()
    _write_origin_files(root)
    with OriginServer(root) as server:
        yield server


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[OffcloudEmulator]:
    """
    A running Offcloud emulator on ``127.0.0.1`` with the demo account and every add-on.

    Demo account: ``demo@example.com`` / ``demo-password``, API key
    ``DEMOKEY0000000000000000000000000``, one remote account (``DEMO_REMOTE_OPTION_ID``) and the
    demo torrents of :mod:`airflow_provider_offcloud.emulator.demo`. Request ids are reproducible
    (seed 1). Faults are switched with ``emulator.faults.inject(route, kind=...)``; requests are in
    ``emulator.request_log.entries()``.
    """
    with OffcloudEmulator(seed=1, data_dir=tmp_path / "emulator") as running:
        yield running


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[Callable[..., OffcloudEmulator]]:
    """
    Start emulators with custom accounts or options; each is stopped when the test ends.

    Call it with :class:`~airflow_provider_offcloud.emulator.OffcloudEmulator` keyword arguments,
    e.g. ``emulator_factory(options=EmulatorOptions(password_login=False))``.
    """
    started: list[OffcloudEmulator] = []

    def start(**kwargs: object) -> OffcloudEmulator:
        kwargs.setdefault("seed", 1)
        kwargs.setdefault("data_dir", tmp_path / f"emulator-{len(started)}")
        kwargs.setdefault("options", EmulatorOptions())
        running = OffcloudEmulator(**kwargs).start()  # type: ignore[arg-type]
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def emulator_client(emulator: OffcloudEmulator) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` aimed at the ``emulator`` fixture, sending the demo API key as Bearer token."""
    headers = {"Authorization": f"Bearer {emulator.account.api_key}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers, trust_env=False, timeout=10) as client:
        yield client


@pytest.fixture
def wait_for_transfer() -> Callable[..., dict[str, Any]]:
    """
    Poll a status route until a transfer is ``downloaded`` or ``error``; returns the inner status.

    Call it as ``wait_for_transfer(client, request_id)``; pass ``status_path="/api/remote/status"``
    for remote transfers. Fails the test when the transfer is not final within ``timeout`` seconds.
    """

    def wait(
        client: httpx.Client, request_id: str, status_path: str = "/api/cloud/status", timeout: float = 15.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = client.post(status_path, json={"requestId": request_id}).json()["status"]
            if status["status"] in _FINAL_STATUSES:
                return dict(status)
            if time.monotonic() > deadline:
                pytest.fail(f"Transfer {request_id} still {status['status']!r} after {timeout} s.")
            time.sleep(0.02)

    return wait


@pytest.fixture(params=AUTH_STYLES)
def auth_style(request: pytest.FixtureRequest) -> str:
    """Each way of authenticating in turn: ``password``, ``api_key_header``, ``api_key_query``."""
    return str(request.param)


@pytest.fixture
def offcloud_connection(monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, Any]]:
    """
    Point the ``offcloud_default`` connection (``AIRFLOW_CONN_OFFCLOUD_DEFAULT``) at a running emulator.

    Call it as ``offcloud_connection(emulator, "password")``; the style is one of :data:`AUTH_STYLES`
    and keyword arguments become extras (``timeout=0.2``). Returns the connection as set.
    """

    def point(
        emulator: OffcloudEmulator, auth_style: str = "api_key_header", **extras: Any
    ) -> dict[str, Any]:
        if auth_style not in AUTH_STYLES:
            raise ValueError(f"auth_style must be one of {AUTH_STYLES}, not {auth_style!r}.")
        account = emulator.account
        connection: dict[str, Any] = {"conn_type": "offcloud", "host": emulator.base_url}
        if auth_style == "password":
            connection.update(login=account.email, password=account.password)
        else:
            location = "header" if auth_style == "api_key_header" else "query"
            extras = {"api_key": account.api_key, "api_key_location": location, **extras}
        if extras:
            connection["extra"] = extras
        monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_DEFAULT", json.dumps(connection))
        return connection

    return point


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Seconds the hook would have slept between retries, recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr("airflow_provider_offcloud.hooks.offcloud._sleep", waits.append)
    return waits
