"""Measures how many ``POST /api/cloud/status`` requests per second the emulator serves on loopback."""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time

import httpx

from airflow_provider_offcloud.emulator.demo import DEMO_API_KEY, DEMO_SINGLE_FILE_TORRENT

_STARTUP_TIMEOUT_SECONDS = 20.0


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_emulator(port: int) -> subprocess.Popen[bytes]:
    # A separate process, so the server and the load generator do not share one interpreter lock.
    command = [sys.executable, "-m", "airflow_provider_offcloud.emulator.cli", "--port", str(port)]
    return subprocess.Popen([*command, "--seed", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_until_ready(base_url: str) -> None:
    deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base_url}/api/check", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"The emulator on {base_url} did not start within {_STARTUP_TIMEOUT_SECONDS} s.")


def _submit_cached_item(base_url: str) -> str:
    reply = httpx.post(
        f"{base_url}/api/cloud",
        json={"url": DEMO_SINGLE_FILE_TORRENT.magnet},
        headers={"Authorization": f"Bearer {DEMO_API_KEY}"},
    )
    reply.raise_for_status()
    return str(reply.json()["requestId"])


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status_code = int(head[9:12])
    content_length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            content_length = int(line[15:])
    await reader.readexactly(content_length)
    return status_code


async def _client(port: int, request: bytes, stop_at: float, counts: dict[str, int]) -> None:
    # A raw keep-alive connection: a full HTTP client library would cost more CPU than the server.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            writer.write(request)
            status_code = await _read_response(reader)
            counts["ok" if status_code == 200 else "failed"] += 1
    finally:
        writer.close()


async def _measure(port: int, request_id: str, connections: int, seconds: float) -> dict[str, int]:
    body = json.dumps({"requestId": request_id}).encode()
    request = (
        b"POST /api/cloud/status HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"Authorization: Bearer " + DEMO_API_KEY.encode() + b"\r\n"
        b"Content-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    counts = {"ok": 0, "failed": 0}
    stop_at = time.monotonic() + seconds
    await asyncio.gather(*(_client(port, request, stop_at, counts) for _ in range(connections)))
    return counts


def measure_rate(seconds: float = 5.0, connections: int = 16) -> dict[str, float]:
    """
    Start an emulator process, load its status route for a fixed time and return what it served.

    :param seconds: Length of the measurement.
    :param connections: Concurrent keep-alive connections.
    """
    port = _free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    emulator_process = _start_emulator(port)
    try:
        _wait_until_ready(base_url)
        request_id = _submit_cached_item(base_url)

        # A short warm-up so connection setup is not part of the figure.
        asyncio.run(_measure(port, request_id, connections, 0.5))
        started = time.monotonic()
        counts = asyncio.run(_measure(port, request_id, connections, seconds))
        elapsed = time.monotonic() - started
    finally:
        emulator_process.terminate()
        emulator_process.wait(timeout=10)
    return {
        "requests_per_second": counts["ok"] / elapsed,
        "ok": counts["ok"],
        "failed": counts["failed"],
        "connections": connections,
        "seconds": elapsed,
    }


def main() -> int:
    """Print the status requests per second the emulator serves on loopback."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the measurement (default: 5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default: 16)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    arguments = parser.parse_args()

    result = measure_rate(arguments.seconds, arguments.connections)
    if arguments.json:
        print(json.dumps(result))
    else:
        details = f"{result['ok']:.0f} ok, {result['failed']:.0f} failed, {arguments.connections} connections"
        print(
            f"POST /api/cloud/status: {result['requests_per_second']:,.0f} requests/s "
            f"({details}, {result['seconds']:.1f} s)"
        )
    return 0 if result["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
