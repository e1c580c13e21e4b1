"""What ``offcloud-emulator`` prints while it runs, and how it stops, seen from a real process."""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

import httpx
import pytest

from airflow_provider_offcloud.emulator import DEMO_API_KEY, DEMO_PASSWORD
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

pytestmark = pytest.mark.integration

COMMAND = [sys.executable, "-m", "airflow_provider_offcloud.emulator.cli"]
_ADDRESS_LINE = re.compile(r"^Offcloud emulator on (?P<base_url>http://\S+) for ")
_EXPORT_PREFIX = "export AIRFLOW_CONN_OFFCLOUD_DEFAULT="
_READY_TIMEOUT_SECONDS = 30.0
_STOP_TIMEOUT_SECONDS = 20.0


class RunningCommand:
    """
    ``offcloud-emulator`` in a child process, with its error output read line by line as it comes.

    :param arguments: Command line arguments; ``--port 0`` is added.
    :param temp_dir: Folder the child uses for temporary files, to check what it leaves behind.
    """

    def __init__(self, arguments: list[str], temp_dir: Path) -> None:
        self.process = subprocess.Popen(
            [*COMMAND, "--port", "0", *arguments],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**_child_environment(), "TMPDIR": str(temp_dir)},
        )
        self.lines: list[str] = []
        self._incoming: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read_errors, daemon=True)
        self._reader.start()
        self.base_url = ""

    def _read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._incoming.put(line.rstrip("\n"))
        self._incoming.put(None)

    def wait_for_line(self, pattern: str) -> str:
        """
        Return the first new line containing a text, failing the test when the process ends first.

        :param pattern: Text the line must contain.
        """
        deadline = time.monotonic() + _READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self._incoming.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"offcloud-emulator ended early; it printed: {self.lines}")
            self.lines.append(line)
            if pattern in line:
                return line
        pytest.fail(f"offcloud-emulator never printed {pattern!r}; it printed: {self.lines}")

    def wait_until_ready(self) -> None:
        """Wait for the connection line, printed once the emulator accepts connections."""
        self.wait_for_line(_EXPORT_PREFIX)
        address = next(_ADDRESS_LINE.match(line) for line in self.lines if _ADDRESS_LINE.match(line))
        assert address is not None
        self.base_url = address["base_url"]

    def interrupt(self) -> tuple[int, list[str]]:
        """Send Ctrl-C's signal, wait for the process and return its exit code and every line printed."""
        return self.stop(signal.SIGINT)

    def stop(self, signal_number: int) -> tuple[int, list[str]]:
        """
        Send a signal, wait for the process and return its exit code and every line printed.

        :param signal_number: The signal.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
        try:
            exit_code = self.process.wait(timeout=_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"offcloud-emulator did not stop on signal {signal_number}; it printed: {self.lines}")
        self._reader.join(timeout=_STOP_TIMEOUT_SECONDS)

        # The reader has seen the end of the output: what is left in the queue is all there is.
        while not self._incoming.empty():
            line = self._incoming.get_nowait()
            if line is not None:
                self.lines.append(line)
        return exit_code, self.lines


def _child_environment() -> dict[str, str]:
    # Proxy settings of the machine must not reach the child: it only talks to loopback.
    return {name: value for name, value in os.environ.items() if "proxy" not in name.lower()}


@pytest.fixture
def start_command(tmp_path: Path) -> Iterator[Callable[..., RunningCommand]]:
    """Start the command with given arguments; every process started is stopped after the test."""
    started: list[RunningCommand] = []
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()

    def start(*arguments: str) -> RunningCommand:
        command = RunningCommand(list(arguments), temp_dir)
        started.append(command)
        command.wait_until_ready()
        return command

    yield start

    for command in started:
        if command.process.poll() is None:
            command.process.kill()
            command.process.wait()


def _export_value(lines: list[str]) -> str:
    export_line = next(line.strip() for line in lines if line.strip().startswith(_EXPORT_PREFIX))
    words = shlex.split(export_line)
    assert words[0] == "export"
    return words[1].removeprefix("AIRFLOW_CONN_OFFCLOUD_DEFAULT=")


def test_ready_lines_give_the_api_key_and_a_connection_that_works(start_command, monkeypatch):
    command = start_command()

    connection = json.loads(_export_value(command.lines))
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_DEFAULT", _export_value(command.lines))
    account = OffcloudHook().account_info()

    assert any(DEMO_API_KEY in line for line in command.lines[:2])
    assert connection == {
        "conn_type": "offcloud",
        "host": command.base_url,
        "extra": {"api_key": DEMO_API_KEY},
    }
    assert account["email"] == "demo@example.com"
    assert not any(DEMO_PASSWORD in line for line in command.lines)


def test_ready_lines_show_a_typed_api_key_but_never_the_password(start_command):
    command = start_command("--api-key", "TYPEDKEY000000000000000000000000", "--password", "typed-secret-pw")

    connection = json.loads(_export_value(command.lines))

    assert connection["extra"] == {"api_key": "TYPEDKEY000000000000000000000000"}
    assert not any("typed-secret-pw" in line for line in command.lines)


def _client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url, trust_env=False, timeout=10)


def test_log_requests_prints_each_request_without_secrets(start_command):
    command = start_command("--log-requests")

    with _client(command.base_url) as client:
        client.get("/api/account/info", params={"key": DEMO_API_KEY})
        client.post(
            "/api/login", data={"username": "demo@example.com", "password": DEMO_PASSWORD}, params={"x": "q1"}
        )
        client.get("/api/cloud/history", headers={"Authorization": "Bearer HEADERKEY0000000000000000000000"})
    command.wait_for_line("/api/cloud/history")
    _exit_code, lines = command.interrupt()

    assert "GET /api/account/info account_info 200" in lines
    assert "POST /api/login login 200" in lines
    assert any(line.startswith("GET /api/cloud/history cloud_history ") for line in lines)
    printed = "\n".join(lines)
    assert "key=" not in printed
    assert "q1" not in printed
    assert DEMO_PASSWORD not in printed
    assert "HEADERKEY" not in printed
    assert printed.count(DEMO_API_KEY) == 2


def test_requests_are_not_printed_without_the_switch(start_command):
    command = start_command()

    with _client(command.base_url) as client:
        answered = client.get("/api/account/info", params={"key": DEMO_API_KEY})
    _exit_code, lines = command.interrupt()

    assert answered.status_code == 200
    assert not any("/api/account/info" in line for line in lines)


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["ctrl_c", "sigterm"])
def test_signal_stops_with_one_line_and_removes_the_temporary_folder(start_command, tmp_path, signal_number):
    command = start_command()
    with _client(command.base_url) as client:
        client.post(
            "/api/cloud", params={"key": DEMO_API_KEY}, data={"url": "magnet:?xt=urn:btih:" + "1" * 40}
        )
    temporary_folders = list((tmp_path / "tmp").glob("offcloud-emu-*"))

    exit_code, lines = command.stop(signal_number)

    assert exit_code == 0
    assert lines[-1] == "stopped"
    assert not any("Traceback" in line or "Error" in line for line in lines)
    assert len(temporary_folders) == 1
    assert not temporary_folders[0].exists()


def test_given_data_folder_is_kept_after_ctrl_c(start_command, tmp_path):
    data_dir = tmp_path / "data"
    command = start_command("--data-dir", str(data_dir))
    with _client(command.base_url) as client:
        client.post(
            "/api/cloud", params={"key": DEMO_API_KEY}, data={"url": "magnet:?xt=urn:btih:" + "1" * 40}
        )

    exit_code, _lines = command.interrupt()

    assert exit_code == 0
    assert any(data_dir.rglob("demo-single.bin"))


def _cloud_status(client: httpx.Client, request_id: str) -> str:
    answer = client.post("/api/cloud/status", params={"key": DEMO_API_KEY}, data={"requestId": request_id})
    return str(answer.json()["status"]["status"])


def test_slow_download_switches_keep_a_cloud_download_running(start_command, origin_server):
    # 1 KiB chunks with half a second after each: the 200 KiB file would take well over a minute.
    command = start_command("--download-chunk-delay", "0.5", "--download-chunk-size", "1024")
    with _client(command.base_url) as client:
        submitted = client.post(
            "/api/cloud", params={"key": DEMO_API_KEY}, data={"url": origin_server.url_for("medium.bin")}
        ).json()
        first_status = _cloud_status(client, submitted["requestId"])

    exit_code, lines = command.interrupt()

    assert first_status in {"created", "downloading"}
    assert exit_code == 0
    assert lines[-1] == "stopped"


_UNCACHED_DEMO_MAGNET = "magnet:?xt=urn:btih:" + "3" * 40


def test_uncached_demo_magnet_is_seen_before_it_is_downloaded_by_default(start_command):
    command = start_command()

    with _client(command.base_url) as client:
        submitted = client.post(
            "/api/cloud", params={"key": DEMO_API_KEY}, data={"url": _UNCACHED_DEMO_MAGNET}
        )
        first_status = _cloud_status(client, submitted.json()["requestId"])

    assert submitted.json()["status"] == "created"
    assert first_status in {"created", "downloading"}


def test_uncached_step_delay_zero_finishes_the_uncached_demo_magnet(start_command):
    command = start_command("--uncached-step-delay", "0")

    with _client(command.base_url) as client:
        request_id = client.post(
            "/api/cloud", params={"key": DEMO_API_KEY}, data={"url": _UNCACHED_DEMO_MAGNET}
        ).json()["requestId"]
        deadline = time.monotonic() + 10
        status = _cloud_status(client, request_id)
        while status != "downloaded" and time.monotonic() < deadline:
            time.sleep(0.02)
            status = _cloud_status(client, request_id)

    assert status == "downloaded"
