"""The ready lines of ``offcloud-emulator``: a connection line that pastes into a shell, no password."""

from __future__ import annotations

import json
import shlex

from airflow_provider_offcloud.emulator import demo_account
from airflow_provider_offcloud.emulator.banner import connection_export_line, ready_lines


def test_export_line_defines_the_default_connection_as_json():
    words = shlex.split(connection_export_line("http://127.0.0.1:9000", "KEY1"))

    name, _, value = words[1].partition("=")

    assert words[0] == "export"
    assert name == "AIRFLOW_CONN_OFFCLOUD_DEFAULT"
    assert json.loads(value) == {
        "conn_type": "offcloud",
        "host": "http://127.0.0.1:9000",
        "extra": {"api_key": "KEY1"},
    }


def test_export_line_survives_a_key_with_shell_characters():
    odd_key = "it's $HOME `x`"

    words = shlex.split(connection_export_line("http://127.0.0.1:9000", odd_key, conn_id="my_offcloud"))

    name, _, value = words[1].partition("=")
    assert name == "AIRFLOW_CONN_MY_OFFCLOUD"
    assert json.loads(value)["extra"]["api_key"] == odd_key


def test_ready_lines_show_address_and_key_but_not_password():
    account = demo_account(email="ops@example.com", password="hunter2-secret", api_key="KEY2")

    lines = ready_lines("http://127.0.0.1:9000", account)

    text = "\n".join(lines)
    assert "http://127.0.0.1:9000" in lines[0]
    assert "ops@example.com" in lines[0]
    assert "KEY2" in text
    assert "hunter2-secret" not in text
