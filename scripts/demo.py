"""
The one-command demo: a real data file goes through Offcloud (the local emulator by default) into storage.

What it does, in order:

1. Fetches a real public data set that ships inside a package on the Python package index: the Seattle
   weather table (daily observations 2012-2015 from public-domain NOAA data) of ``vega-datasets`` 0.9.0
   (MIT licence), and puts it on a local file server on 127.0.0.1.
2. Starts the local Offcloud emulator on 127.0.0.1, slowed down so that the wait is long enough to be
   seen, and points the ``offcloud_default`` connection at it through an environment variable.
3. Runs the example DAG ``offcloud_cloud_ingest`` with ``airflow dags test``: submit the link, wait in a
   deferrable sensor (the trigger runs inline), land the file, check it downstream.
4. Prints what landed where (path, size, SHA-256) and a one-line verdict.

Pointed at the real service: set ``OFFCLOUD_API_KEY`` (the account's API key) and ``OFFCLOUD_DEMO_URL``
(the link to fetch); the emulator and the local file server are then not started.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from airflow_provider_offcloud.emulator import DEMO_API_KEY, OffcloudEmulator, OriginServer
from airflow_provider_offcloud.emulator.state import EmulatorOptions

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".demo"
DAG_ID = "offcloud_cloud_ingest"
DATA_PACKAGE = "vega-datasets==0.9.0"
DATA_MEMBER = "vega_datasets/_data/seattle-weather.csv"


def fetch_data_set(cache: Path) -> Path:
    """
    Download the data package's wheel from the package index (once) and take the CSV file out of it.

    :param cache: Folder for the wheel and the extracted file.
    :return: The extracted CSV file.
    """
    target = cache / "origin" / Path(DATA_MEMBER).name
    if target.exists():
        return target

    wheels = cache / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), DATA_PACKAGE],
        check=True,
    )
    (wheel,) = wheels.glob("vega_datasets-*.whl")
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive, archive.open(DATA_MEMBER) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    return target


def sha256_of(path: Path) -> str:
    """
    Return the SHA-256 of a file, read in chunks.

    :param path: The file.
    """
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def airflow_environment(home: Path, connection: dict[str, object]) -> dict[str, str]:
    """
    Build the environment of the ``airflow`` commands: a private home, the example DAGs, the connection.

    :param home: ``AIRFLOW_HOME`` for the demo.
    :param connection: The ``offcloud_default`` connection in JSON form.
    """
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW_CONN_OFFCLOUD_DEFAULT": json.dumps(connection),
    }


def run_dag(environment: dict[str, str], conf: dict[str, object], log_path: Path, timeout: int) -> bool:
    """
    Run the example DAG with ``airflow dags test`` and keep its output in a log file.

    :param environment: Environment of the command.
    :param conf: The run's params.
    :param log_path: Where the command's output goes.
    :param timeout: Seconds before the run is stopped.
    :return: Whether the command succeeded.
    """
    airflow = str(Path(sys.executable).with_name("airflow"))
    with log_path.open("wb") as log:
        subprocess.run(
            [airflow, "db", "migrate"], env=environment, stdout=log, stderr=subprocess.STDOUT, check=True
        )
        try:
            result = subprocess.run(
                [airflow, "dags", "test", DAG_ID, "--conf", json.dumps(conf)],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
    return result.returncode == 0


def landed_files(destination: Path) -> list[Path]:
    """
    List the files the run wrote under the destination folder.

    :param destination: The destination folder.
    """
    return sorted(path for path in destination.rglob("*") if path.is_file() and not path.name.startswith("."))


def report(destination: Path, source: Path | None, log_path: Path, succeeded: bool, seconds: float) -> bool:
    """
    Print what landed where and the verdict.

    :param destination: The destination folder.
    :param source: The original file, when the demo served it itself (to compare bytes).
    :param log_path: The run's log, pointed to on failure.
    :param succeeded: Whether ``airflow dags test`` succeeded.
    :param seconds: How long the run took.
    :return: Whether the demo as a whole succeeded.
    """
    files = landed_files(destination)
    print()
    for path in files:
        with path.open(newline="") as stream:
            rows = sum(1 for _ in csv.reader(stream)) - 1 if path.suffix == ".csv" else None
        row_text = f", {rows} data rows" if rows is not None else ""
        print(f"landed  {path}  {path.stat().st_size} bytes  sha256 {sha256_of(path)}{row_text}")

    log_text = log_path.read_text(errors="replace")
    deferred = "DEFERRED" in log_text and "OffcloudDownloadTrigger" in log_text
    identical = source is None or any(sha256_of(path) == sha256_of(source) for path in files)
    if succeeded and files and identical:
        how = "after a deferred wait in the trigger" if deferred else "(no deferral seen in the log)"
        compared = "byte-identical to the source" if source is not None else "verified by the DAG"
        landed = f"{len(files)} file(s) landed in {destination}"
        print(f"VERDICT: OK - {landed}, {compared}, {how}, in {seconds:.0f} s.")
        return True
    print(
        f"VERDICT: FAILED - see {log_path} (DAG run {'succeeded' if succeeded else 'failed'}, "
        f"{len(files)} file(s) landed, identical={identical})."
    )
    return False


def main() -> int:
    """Run the demo against the emulator, or against the real service when its two variables are set."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--timeout", type=int, default=600, help="seconds before the DAG run is stopped")
    arguments = parser.parse_args()

    home = WORK / "airflow-home"
    destination = WORK / "landed"
    for folder in (home, destination):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    log_path = WORK / "dags-test.log"
    started = time.monotonic()

    api_key, real_url = os.environ.get("OFFCLOUD_API_KEY"), os.environ.get("OFFCLOUD_DEMO_URL")
    if api_key and real_url:
        print(f"Running {DAG_ID} against https://offcloud.com for {real_url} ...", flush=True)
        connection = {"conn_type": "offcloud", "host": "offcloud.com", "extra": {"api_key": api_key}}
        conf = {"url": real_url, "destination": destination.as_uri() + "/"}
        succeeded = run_dag(airflow_environment(home, connection), conf, log_path, arguments.timeout)
        return 0 if report(destination, None, log_path, succeeded, time.monotonic() - started) else 1

    source = fetch_data_set(WORK / "cache")
    print(f"Data set: {source.name} from {DATA_PACKAGE} ({source.stat().st_size} bytes).", flush=True)
    # Small chunks with a pause make the emulator's download take a few seconds, so the sensor defers.
    options = EmulatorOptions(download_chunk_size=4096, download_chunk_delay=0.25)
    with OriginServer(source.parent) as origin, OffcloudEmulator(options=options) as emulator:
        print(f"Emulator on {emulator.base_url}, file server on {origin.base_url}.", flush=True)
        connection = {"conn_type": "offcloud", "host": emulator.base_url, "extra": {"api_key": DEMO_API_KEY}}
        conf = {
            "url": origin.url_for(source.name),
            "destination": destination.as_uri() + "/",
            "expected_sha256": sha256_of(source),
        }
        print(f"Running {DAG_ID} with airflow dags test (log: {log_path}) ...", flush=True)
        succeeded = run_dag(airflow_environment(home, connection), conf, log_path, arguments.timeout)
    return 0 if report(destination, source, log_path, succeeded, time.monotonic() - started) else 1


if __name__ == "__main__":
    sys.exit(main())
