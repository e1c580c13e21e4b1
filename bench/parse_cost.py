"""
DAG-parse cost: what importing a provider's operators adds to a fresh interpreter that has ``airflow.sdk``.

Each run is a new interpreter that imports ``airflow.sdk`` first, then times the provider's imports alone.
The reference is ``apache-airflow-providers-http`` (operator and sensor). It is not part of the project's
pinned environment, so it is installed once, with ``pip --target``, into a throw-away folder that only
the measuring interpreters put on their path; nothing is added to the project's environment or lock.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, Spread

#: The reference provider and the packages it needs beyond the pinned environment.
HTTP_PROVIDER_PACKAGES = (
    "apache-airflow-providers-http==6.3.0",
    "requests-toolbelt==1.0.0",
    "aiohttp==3.14.5",
    "aiohappyeyeballs==2.7.1",
    "aiosignal==1.4.0",
    "frozenlist==1.8.0",
    "multidict==7.2.1",
    "propcache==0.5.4",
    "yarl==1.25.1",
)
HTTP_PROVIDER_DIR = Path(tempfile.gettempdir()) / "offcloud-bench-http-provider-6.3.0"

OUR_MODULES = (
    "airflow_provider_offcloud.operators.offcloud",
    "airflow_provider_offcloud.sensors.offcloud",
    "airflow_provider_offcloud.transfers.offcloud_to_storage",
)
HTTP_MODULES = ("airflow.providers.http.operators.http", "airflow.providers.http.sensors.http")

_TIMED_IMPORT = """
import importlib, json, sys, time
started = time.perf_counter()
import airflow.sdk
sdk_seconds = time.perf_counter() - started
started = time.perf_counter()
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps({"sdk": sdk_seconds, "added": time.perf_counter() - started}))
"""


def ensure_http_provider() -> Path | None:
    """Install the reference provider into its throw-away folder once; ``None`` when pip cannot."""
    marker = HTTP_PROVIDER_DIR / ".complete"
    if marker.exists():
        return HTTP_PROVIDER_DIR
    command = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps"]
    command += ["--target", str(HTTP_PROVIDER_DIR), *HTTP_PROVIDER_PACKAGES]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        print(
            f"Could not install the http provider for comparison:\n{completed.stderr[-1500:]}",
            file=sys.stderr,
        )
        return None
    marker.touch()
    return HTTP_PROVIDER_DIR


def _timed_import(modules: tuple[str, ...], extra_path: Path | None) -> dict[str, float]:
    env = dict(os.environ)
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-c", _TIMED_IMPORT, *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def heaviest_imports(modules: tuple[str, ...], limit: int = 5) -> list[tuple[str, float]]:
    """
    Outside modules that cost most (``python -X importtime``, cumulative) among those imported after
    ``airflow.sdk``, up to three levels below the provider's own modules.

    :param modules: The provider's modules.
    :param limit: How many to list.
    """
    script = "import airflow.sdk\nimport " + ", ".join(modules)
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = completed.stderr.splitlines()
    after_sdk = next(index for index, line in enumerate(lines) if line.rstrip().endswith("| airflow.sdk"))
    pattern = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)")
    costs = []
    for line in lines[after_sdk + 1 :]:
        match = pattern.match(line)
        if match and len(match[2]) <= 6 and not match[3].startswith("airflow_provider_offcloud"):
            costs.append((match[3], int(match[1]) / 1_000_000))
    return sorted(costs, key=lambda cost: cost[1], reverse=True)[:limit]


def measure(runs: int) -> dict[str, Any]:
    """
    Time both providers ``runs`` times each, alternating, and list where our time goes.

    :param runs: Fresh interpreters per provider.
    """
    http_dir = ensure_http_provider()
    ours, http, sdk = [], [], []
    for _ in range(runs):
        timing = _timed_import(OUR_MODULES, None)
        ours.append(timing["added"])
        sdk.append(timing["sdk"])
        if http_dir is not None:
            http.append(_timed_import(HTTP_MODULES, http_dir)["added"])
    return {
        "ours_seconds": Spread.of(ours).as_dict(),
        "http_seconds": Spread.of(http).as_dict() if http else None,
        "sdk_seconds": Spread.of(sdk).as_dict(),
        "heaviest": heaviest_imports(OUR_MODULES),
    }


def main() -> int:
    """Print the measurement as one JSON line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="fresh interpreters per provider (default: 7)")
    print(json.dumps(measure(parser.parse_args().runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
