"""A real, small Airflow deployment for end-to-end tests: API server, scheduler, DAG processor, triggerer."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AirflowCluster:
    """
    Airflow 3 with the LocalExecutor on SQLite, each component in its own process group on loopback.

    :param home: Folder for ``AIRFLOW_HOME``, the database and the components' logs.
    :param dags_folder: Folder the DAG processor parses.
    :param environment: Extra environment variables for every component (connections, settings).
    """

    def __init__(self, home: Path, dags_folder: Path, environment: dict[str, str]) -> None:
        self.home = home
        self.port = free_port()
        self.database = home / "airflow.db"
        self.environment = {
            **os.environ,
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.database}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.port}",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            # A killed triggerer's waits move to a new one once it misses heartbeats for this long.
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "5",
            **environment,
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, IO[bytes]] = {}
        self._starts: dict[str, int] = {}

    def airflow(self, *arguments: str, timeout: float = 120) -> str:
        """
        Run one ``airflow`` command to completion and return its standard output.

        :param arguments: The command's arguments.
        :param timeout: Seconds before the command is killed.
        """
        result = subprocess.run(
            [self._airflow_executable(), *arguments],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(arguments)} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def start(self) -> None:
        """Create the database and start every component."""
        self.airflow("db", "migrate", timeout=300)
        for component in COMPONENTS:
            self.start_component(component)

    def start_component(self, component: str) -> None:
        """
        Start one component in a process group of its own, logging to ``<home>/<component>-<n>.log``.

        :param component: One of :data:`COMPONENTS`.
        """
        self._starts[component] = self._starts.get(component, 0) + 1
        log_file = (self.home / f"{component}-{self._starts[component]}.log").open("wb")
        arguments = [self._airflow_executable(), component]
        if component == "api-server":
            arguments += ["--host", "127.0.0.1", "--port", str(self.port)]
        self._logs[component] = log_file
        self.processes[component] = subprocess.Popen(
            arguments, env=self.environment, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill_component(self, component: str, sig: int = signal.SIGKILL) -> None:
        """
        Kill a component's whole process group and wait for it.

        :param component: One of :data:`COMPONENTS`.
        :param sig: The signal; SIGKILL by default, like a crashed machine.
        """
        process = self.processes.pop(component, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        self._logs.pop(component).close()

    def stop(self) -> None:
        """Stop every component: SIGTERM first, SIGKILL for what does not stop."""
        for component in list(self.processes):
            self.kill_component(component, signal.SIGTERM)

    def log_text(self, component: str) -> str:
        """
        Return everything every run of a component has logged so far.

        :param component: One of :data:`COMPONENTS`.
        """
        texts = []
        for number in range(1, self._starts.get(component, 0) + 1):
            path = self.home / f"{component}-{number}.log"
            if path.exists():
                texts.append(path.read_text(errors="replace"))
        return "\n".join(texts)

    def query(self, sql: str, *parameters: object) -> list[tuple[object, ...]]:
        """
        Read from the metadata database, read-only.

        :param sql: A SELECT statement.
        :param parameters: Its parameters.
        """
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        """
        Wait until the DAG processor has parsed a DAG, failing early on an import error.

        :param dag_id: The DAG to wait for.
        :param timeout: Seconds to wait.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if self._table_exists("dag") and self.query("SELECT 1 FROM dag WHERE dag_id = ?", dag_id):
                return
            if self._table_exists("import_error"):
                errors = self.query("SELECT filename, stacktrace FROM import_error")
                if errors:
                    raise AssertionError(f"DAG import errors: {errors}")
            time.sleep(1)
        raise AssertionError(f"DAG {dag_id} was not parsed within {timeout} s")

    def trigger(self, dag_id: str, conf: dict[str, object]) -> str:
        """
        Unpause and trigger a DAG; return the run id.

        :param dag_id: The DAG to run.
        :param conf: The run's configuration (its params).
        """
        self.airflow("dags", "unpause", dag_id)
        output = self.airflow("dags", "trigger", dag_id, "--conf", json.dumps(conf), "--output", "json")
        # Airflow may log warnings on standard output before the JSON line.
        (json_line,) = [line for line in output.splitlines() if line.startswith("[{")]
        return str(json.loads(json_line)[0]["dag_run_id"])

    def task_state(self, dag_id: str, run_id: str, task_id: str) -> str | None:
        """
        Return a task instance's current state, or ``None`` when it has none yet.

        :param dag_id: The DAG.
        :param run_id: The run.
        :param task_id: The task.
        """
        rows = self.query(
            "SELECT state FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ?",
            dag_id,
            run_id,
            task_id,
        )
        return str(rows[0][0]) if rows and rows[0][0] is not None else None

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        """
        Return a DAG run's state.

        :param dag_id: The DAG.
        :param run_id: The run.
        """
        rows = self.query("SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?", dag_id, run_id)
        return str(rows[0][0]) if rows else None

    def check_alive(self) -> None:
        """Fail with the component's log when one of them has died on its own."""
        for component, process in self.processes.items():
            if process.poll() is not None:
                log_tail = self.log_text(component)[-4000:]
                raise AssertionError(f"Airflow {component} exited with {process.returncode}:\n{log_tail}")

    def _table_exists(self, table: str) -> bool:
        if not self.database.exists():
            return False
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", table))

    @staticmethod
    def _airflow_executable() -> str:
        return str(Path(sys.executable).with_name("airflow"))
