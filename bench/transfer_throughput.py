"""
Transfer throughput: one large file from the emulator to a local ``ObjectStoragePath``, against ``curl -o``.

The provider's side runs :class:`OffcloudToStorageOperator` ``execute()`` in a fresh interpreter (status,
listing, ranged streaming with hashing, size check, rename); the reference is ``curl -o`` of the same link,
or, when curl is missing, ``requests`` with ``shutil.copyfileobj`` (marked as such). Runs alternate between
the two so that the machine's drift hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BenchEmulator, Spread, peak_rss_mib, run_python_json

#: The connection the copy uses; set as an environment variable for the child process.
CONN_ID = "bench_offcloud"

MIB = 1024 * 1024


def reference_client() -> str:
    """``curl`` when it is installed, else the minimal Python reference client."""
    return "curl" if shutil.which("curl") else "requests + shutil.copyfileobj"


def _reference_copy(url: str, target: Path) -> float:
    """Copy a link with the reference client and return the seconds it took."""
    curl = shutil.which("curl")
    started = time.perf_counter()
    if curl:
        subprocess.run([curl, "-s", "-f", "-o", str(target), url], check=True)
    else:
        import requests

        with requests.get(url, stream=True, timeout=60) as response, target.open("wb") as handle:
            response.raise_for_status()
            shutil.copyfileobj(response.raw, handle, 1024 * 1024)
    return time.perf_counter() - started


def _provider_copy(emulator: BenchEmulator, request_id: str, target_dir: Path) -> dict[str, Any]:
    """Run the transfer operator in a fresh interpreter; return its timing and peak memory."""
    connection = {"conn_type": "offcloud", "host": emulator.base_url, "extra": {"api_key": _api_key()}}
    env = {**os.environ, f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(connection)}
    arguments = ["-m", "bench.transfer_throughput", "--copy", request_id, "--target-dir", str(target_dir)]
    return dict(run_python_json(arguments, env=env))


def _api_key() -> str:
    from airflow_provider_offcloud.emulator.demo import DEMO_API_KEY

    return DEMO_API_KEY


def copy_in_this_process(request_id: str, target_dir: Path) -> dict[str, Any]:
    """
    Copy an item with the transfer operator's ``execute()`` and report seconds, bytes and peak RSS.

    :param request_id: The item.
    :param target_dir: Local destination folder.
    """
    from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

    operator = OffcloudToStorageOperator(
        task_id="copy",
        request_id=request_id,
        destination=f"file://{target_dir}/",
        offcloud_conn_id=CONN_ID,
        if_exists="overwrite",
    )
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    results = operator.execute(context={})  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "bytes": sum(result["size"] for result in results),
        "peak_rss_mib": peak_rss_mib(),
        "rss_before_copy_mib": rss_before,
    }


def measure(sizes: list[int], runs: int) -> dict[str, Any]:
    """
    Measure each size ``runs`` times for both clients, then one resumed copy of the largest size.

    :param sizes: File sizes in bytes; the largest is also used for the resume.
    :param runs: Runs per size and client.
    """
    scratch = Path(tempfile.mkdtemp(prefix="offcloud-bench-transfer-", dir=_scratch_root()))
    results: dict[str, Any] = {
        "reference_client": reference_client(),
        "scratch": str(scratch.parent),
        "sizes": {},
    }
    try:
        with BenchEmulator() as emulator:
            for size in sizes:
                request_id, url = emulator.create_file_item(size, f"bench-{size // MIB}MiB.bin")
                provider_rates, reference_rates, rss = [], [], []
                for _ in range(runs):
                    reference_seconds = _reference_copy(url, scratch / "reference.bin")
                    (scratch / "reference.bin").unlink()
                    reference_rates.append(size / MIB / reference_seconds)

                    outcome = _provider_copy(emulator, request_id, scratch / "provider")
                    shutil.rmtree(scratch / "provider")
                    if outcome["bytes"] != size:
                        raise RuntimeError(f"The transfer wrote {outcome['bytes']} bytes instead of {size}.")
                    provider_rates.append(size / MIB / outcome["seconds"])
                    rss.append(outcome["peak_rss_mib"])
                results["sizes"][str(size)] = {
                    "provider_mib_per_second": Spread.of(provider_rates).as_dict(),
                    "reference_mib_per_second": Spread.of(reference_rates).as_dict(),
                    "ratio": Spread.of(
                        [p / r for p, r in zip(provider_rates, reference_rates, strict=True)]
                    ).as_dict(),
                    "peak_rss_mib": Spread.of(rss).as_dict(),
                }

            results["resume"] = _measure_resume(emulator, max(sizes), scratch, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


def _measure_resume(emulator: BenchEmulator, size: int, scratch: Path, runs: int) -> dict[str, Any]:
    """Copy clean and with the connection dropped at half the file, alternately; compare time and requests."""
    request_id, _url = emulator.create_file_item(size, f"bench-resume-{size // MIB}MiB.bin")
    clean_seconds, dropped_seconds, downloads = [], [], []
    for _ in range(runs):
        clean_seconds.append(_provider_copy(emulator, request_id, scratch / "provider")["seconds"])
        shutil.rmtree(scratch / "provider")

        emulator.reset()
        emulator.inject_fault("file_download", "drop_connection", after_bytes=size // 2, times=1)
        dropped = _provider_copy(emulator, request_id, scratch / "provider")
        shutil.rmtree(scratch / "provider")
        if dropped["bytes"] != size:
            raise RuntimeError(f"The resumed transfer wrote {dropped['bytes']} bytes instead of {size}.")
        dropped_seconds.append(dropped["seconds"])
        downloads.append(emulator.counts()["routes"].get("file_download", 0))
    return {
        "size": size,
        "clean_seconds": Spread.of(clean_seconds).as_dict(),
        "dropped_seconds": Spread.of(dropped_seconds).as_dict(),
        "extra_seconds": Spread.of(
            [d - c for d, c in zip(dropped_seconds, clean_seconds, strict=True)]
        ).as_dict(),
        "download_requests": max(downloads),
    }


def _scratch_root() -> str | None:
    """
    Write to memory (``/dev/shm``) when it has room, so disk write-back does not set the pace of either
    client; else to the temporary folder.
    """
    shared_memory = Path("/dev/shm")
    if shared_memory.is_dir() and shutil.disk_usage(shared_memory).free > 4 * 1024 * MIB:
        return str(shared_memory)
    return None


def main() -> int:
    """Measure (parent) or copy once (child, ``--copy``); print one JSON line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes-mib", type=int, nargs="+", default=[64, 1024], help="file sizes in MiB")
    parser.add_argument("--runs", type=int, default=3, help="runs per size and client (default: 3)")
    parser.add_argument("--copy", metavar="REQUEST_ID", help=argparse.SUPPRESS)
    parser.add_argument("--target-dir", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.copy:
        result = copy_in_this_process(arguments.copy, arguments.target_dir)
    else:
        result = measure([size * MIB for size in arguments.sizes_mib], arguments.runs)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
