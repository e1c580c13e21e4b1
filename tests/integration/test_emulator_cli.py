"""The ``offcloud-emulator`` command: documented switches and a served account shaped by them."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from airflow_provider_offcloud.emulator.cli import build_parser

pytestmark = pytest.mark.integration

COMMAND = [sys.executable, "-m", "airflow_provider_offcloud.emulator.cli"]
SWITCHES = [
    "--host",
    "--port",
    "--email",
    "--password",
    "--api-key",
    "--without-premium",
    "--without-links",
    "--without-proxy",
    "--without-video",
    "--without-cloud",
    "--no-password-login",
    "--proxy-list-envelope",
    "--aria2-control-files",
    "--no-detailed-explore",
    "--premium-required-402",
    "--download-chunk-delay",
    "--download-chunk-size",
    "--uncached-step-delay",
    "--log-requests",
    "--seed",
    "--data-dir",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_help_documents_every_switch():
    result = subprocess.run([*COMMAND, "--help"], capture_output=True, text=True, timeout=60, check=True)

    for switch in SWITCHES:
        assert switch in result.stdout
    assert "127.0.0.1" in result.stdout


@pytest.fixture
def cli_emulator(tmp_path):
    """The command running with a custom account that lacks the cloud add-on."""
    port = _free_port()
    arguments = [
        "--port",
        str(port),
        "--email",
        "ops@example.com",
        "--password",
        "secret-pass",
        "--api-key",
        "CLIKEY00000000000000000000000000",
        "--without-cloud",
        "--no-password-login",
        "--seed",
        "3",
        "--data-dir",
        str(tmp_path),
    ]
    process = subprocess.Popen([*COMMAND, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base_url}/api/check", trust_env=False, timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                error_output = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"offcloud-emulator did not start: {error_output}")
            time.sleep(0.1)
    yield base_url
    process.terminate()
    process.wait(timeout=10)


def test_command_serves_the_configured_account(cli_emulator):
    with httpx.Client(
        base_url=cli_emulator, params={"key": "CLIKEY00000000000000000000000000"}, trust_env=False
    ) as client:
        info = client.get("/api/account/info").json()
        refused = client.post("/api/cloud", data={"url": "magnet:?xt=urn:btih:" + "1" * 40})
        login = client.post("/api/login", data={"username": "ops@example.com", "password": "secret-pass"})

    assert info["email"] == "ops@example.com"
    assert refused.json() == {"not_available": "cloud"}
    assert login.status_code == 404


def test_switches_named_in_the_emulator_guide_exist():
    guide = (Path(__file__).resolve().parents[2] / "docs" / "emulator.rst").read_text(encoding="utf-8")
    known = {switch for action in build_parser()._actions for switch in action.option_strings}

    # Switches appear as inline literals (``--log-requests``) or in commands starting with the program.
    command_lines = [line for line in guide.splitlines() if line.strip().startswith("offcloud-emulator ")]
    named = set(re.findall(r"``(--[a-z][a-z0-9-]*)", guide))
    named |= {word for line in command_lines for word in line.split() if word.startswith("--")}

    assert named, "the guide should show how to use the command's switches"
    assert named <= known, f"the guide names switches the command does not have: {sorted(named - known)}"


def test_a_port_in_use_is_refused_with_one_line_saying_what_to_do(capsys):
    import socket

    from airflow_provider_offcloud.emulator.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        status = main(["--host", "127.0.0.1", "--port", str(port)])

    error = capsys.readouterr().err.strip()
    assert status == 2
    assert f"cannot listen on 127.0.0.1:{port}" in error
    assert "--port 0" in error
    assert "Traceback" not in error
