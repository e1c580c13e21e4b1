"""What every benchmark shares: the emulator process and its controls, resource readings, summaries."""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

#: The project's root folder; benchmarks run from there.
ROOT = Path(__file__).resolve().parent.parent

_STARTUP_TIMEOUT_SECONDS = 30.0


def free_loopback_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mib() -> float:
    """The highest resident memory of this process so far, in MiB (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_socket_count() -> int:
    """How many sockets this process holds open now, read from ``/proc/self/fd``."""
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                count += 1
        except OSError:
            continue
    return count


@dataclass(frozen=True)
class Spread:
    """
    The median of several runs with their minimum and maximum.

    :param median: Median value.
    :param low: Smallest value.
    :param high: Largest value.
    :param runs: How many values.
    """

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        """
        Summarise values.

        :param values: One value per run; at least one.
        """
        return cls(statistics.median(values), min(values), max(values), len(values))

    def as_dict(self) -> dict[str, float]:
        """The summary as JSON-ready numbers."""
        return {"median": self.median, "min": self.low, "max": self.high, "runs": self.runs}


def run_python_json(arguments: list[str], *, env: dict[str, str] | None = None, timeout: float = 600) -> Any:
    """
    Run a Python module or script in a fresh interpreter and read the JSON it prints on its last line.

    :param arguments: Arguments after the interpreter (``["-m", "bench.x", ...]``).
    :param env: Environment; this process's environment when ``None``.
    :param timeout: Seconds before the run is abandoned.
    """
    completed = subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(arguments)} failed with exit code {completed.returncode}:\n{completed.stderr[-3000:]}"
        )
    return json.loads(lines[-1])


class BenchEmulator:
    """
    The emulator of :mod:`bench.emulator_process` in its own process, and a client for its bench routes.

    Running it apart keeps its CPU time out of the figures of the process being measured.

    :param uncached_step_delay: Seconds per progress step of an uncached torrent.
    :param port: Port to use; a free one when ``None``.
    """

    def __init__(self, uncached_step_delay: float = 0.02, port: int | None = None) -> None:
        self.port = port or free_loopback_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data_dir = Path(tempfile.gettempdir()) / f"offcloud-bench-emulator-{self.port}"
        self.uncached_step_delay = uncached_step_delay
        self._process: subprocess.Popen[bytes] | None = None
        self._client = httpx.Client(base_url=self.base_url, timeout=120.0, trust_env=False)

    @classmethod
    def attach(cls, port: int) -> BenchEmulator:
        """
        Return a client for an emulator another process started, without starting or stopping anything.

        :param port: The emulator's port on 127.0.0.1.
        """
        return cls(port=port)

    def start(self) -> BenchEmulator:
        """Start the process and wait until it answers."""
        command = [sys.executable, "-m", "bench.emulator_process", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir)]
        command += ["--uncached-step-delay", str(self.uncached_step_delay)]
        self._process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + _STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                error = self._process.stderr.read().decode() if self._process.stderr else ""
                raise RuntimeError(f"The benchmark emulator exited at start:\n{error[-2000:]}")
            try:
                self._client.get("/bench/counts", timeout=1.0)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"The benchmark emulator on {self.base_url} did not answer within 30 s.")

    def stop(self) -> None:
        """Stop the process and delete its data folder."""
        self._client.close()
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> BenchEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget request counts, connections, finish times and faults."""
        self._client.post("/bench/reset").raise_for_status()

    def counts(self) -> dict[str, Any]:
        """Requests per route (``routes``), request times (``times``) and client ``connections``."""
        reply = self._client.get("/bench/counts")
        reply.raise_for_status()
        return dict(reply.json())

    def create_items(self, finish_at: list[float | None]) -> list[str]:
        """
        Create cloud items that turn ``downloaded`` at the given epoch times (``None``: never).

        :param finish_at: One entry per item.
        """
        reply = self._client.post("/bench/items", json={"finish_at": finish_at})
        reply.raise_for_status()
        return list(reply.json()["request_ids"])

    def finished_at(self) -> dict[str, float]:
        """Epoch seconds at which each scheduled item really turned ``downloaded``."""
        reply = self._client.get("/bench/finished")
        reply.raise_for_status()
        return {key: float(value) for key, value in reply.json().items()}

    def create_file_item(self, size: int, name: str) -> tuple[str, str]:
        """
        Create a downloaded item holding one sparse file; return its request id and download link.

        :param size: File size in bytes.
        :param name: File name.
        """
        reply = self._client.post("/bench/file", json={"size": size, "name": name})
        reply.raise_for_status()
        body = reply.json()
        return str(body["request_id"]), str(body["url"])

    def inject_fault(self, route: str, kind: str, **options: Any) -> None:
        """
        Make a route misbehave (see ``FaultInjector.inject``).

        :param route: Route name.
        :param kind: Fault kind.
        :param options: Further keyword arguments of the fault.
        """
        self._client.post("/bench/fault", json={"route": route, "kind": kind, **options}).raise_for_status()
