"""The lines ``offcloud-emulator`` prints once it listens: address, account, API key, connection to copy."""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow_provider_offcloud.emulator.accounts import EmulatorAccount

#: Connection id the printed ``export`` line defines; the provider's hooks use it by default.
DEFAULT_CONN_ID = "offcloud_default"


def connection_export_line(base_url: str, api_key: str, conn_id: str = DEFAULT_CONN_ID) -> str:
    """
    Return a shell line defining an Airflow connection to the emulator through an environment variable.

    :param base_url: The emulator's address, which becomes the connection's host.
    :param api_key: The account's API key.
    :param conn_id: Connection id; the variable is ``AIRFLOW_CONN_`` followed by it in upper case.
    """
    connection = {"conn_type": "offcloud", "host": base_url, "extra": {"api_key": api_key}}
    # Quoted for the shell, so a key given on the command line with odd characters still pastes safely.
    return f"export AIRFLOW_CONN_{conn_id.upper()}={shlex.quote(json.dumps(connection))}"


def ready_lines(base_url: str, account: EmulatorAccount) -> list[str]:
    """
    Return what the command prints when it is ready to serve.

    The API key is printed: it is the local demo key or one the user typed. The password never is.

    :param base_url: The emulator's address.
    :param account: The account served.
    """
    return [
        f"Offcloud emulator on {base_url} for {account.email}",
        f"API key: {account.api_key}",
        "Point Airflow at it with:",
        f"  {connection_export_line(base_url, account.api_key)}",
    ]
