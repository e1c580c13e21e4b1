"""Airflow's own command line sees the provider and accepts connections of its type."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def airflow_cli(tmp_path_factory):
    """Run the ``airflow`` command of this interpreter against a fresh SQLite home."""
    home = tmp_path_factory.mktemp("airflow-home")
    environment = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }
    airflow = shutil.which("airflow", path=str(Path(sys.executable).parent))
    assert airflow, "the airflow command is not installed next to this interpreter"

    def run(*arguments: str) -> str:
        result = subprocess.run(
            [airflow, *arguments], env=environment, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    run("db", "migrate")
    return run


def test_providers_list_shows_the_provider(airflow_cli):
    providers = json.loads(airflow_cli("providers", "list", "--output", "json"))

    (ours,) = [provider for provider in providers if provider["package_name"] == "airflow-provider-offcloud"]
    assert ours["version"]


def test_connection_of_type_offcloud_can_be_added_and_read_back(airflow_cli):
    airflow_cli(
        "connections", "add", "offcloud_cli_check",
        "--conn-type", "offcloud",
        "--conn-host", "http://127.0.0.1:8765",
        "--conn-extra", json.dumps({"api_key": "CLIKEY000000000000000000000000000"}),
    )  # fmt: skip

    listed = json.loads(airflow_cli("connections", "get", "offcloud_cli_check", "--output", "json"))

    assert listed[0]["conn_type"] == "offcloud"
    assert listed[0]["host"] == "http://127.0.0.1:8765"


def test_connection_type_is_known_to_the_providers_manager(airflow_cli):
    hooks = airflow_cli("providers", "hooks", "--output", "json")

    assert "offcloud" in hooks
    assert "airflow_provider_offcloud.hooks.offcloud.OffcloudHook" in hooks
