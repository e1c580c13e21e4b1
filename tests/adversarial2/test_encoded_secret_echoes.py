"""A key the service echoes back in the form it travelled in (percent-encoded) is scrubbed as well."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

import pytest
from second_review_support import Answer, json_answer

from airflow_provider_offcloud.exceptions import OffcloudApiError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.hooks.offcloud_async import OffcloudAsyncHook

if TYPE_CHECKING:
    from second_review_support import Received

CONN_ID = "offcloud_second_review"
#: A key with characters that a query string has to percent-encode.
ODD_KEY = "k3y+with/slash=and&more"


def _every_spelling(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)]


def _not_found_page_with_the_request(request: Received) -> Answer:
    """A framework-style 'cannot find' answer repeating the request line, query string included."""
    return json_answer({"error": f"Cannot find {request.method} {request.path}"}, status=400)


def _connection(base_url: str) -> str:
    return json.dumps(
        {
            "conn_type": "offcloud",
            "host": base_url,
            "extra": {"api_key": ODD_KEY, "api_key_location": "query", "max_attempts": 1},
        }
    )


def _leaks(text: str) -> list[str]:
    return [spelling for spelling in _every_spelling(ODD_KEY) if spelling in text]


def test_sync_hook_scrubs_a_percent_encoded_echo_of_the_key(local_server, monkeypatch):
    server = local_server(_not_found_page_with_the_request)
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", _connection(server.base_url))

    with pytest.raises(OffcloudApiError) as refusal:
        OffcloudHook(CONN_ID).cloud_status("abc")

    assert "key=" in server.received[-1].path
    assert _leaks(f"{refusal.value} {refusal.value.service_message}") == []


async def test_async_hook_scrubs_a_percent_encoded_echo_of_the_key(local_server, monkeypatch):
    server = local_server(_not_found_page_with_the_request)
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", _connection(server.base_url))

    async with OffcloudAsyncHook(CONN_ID) as hook:
        with pytest.raises(OffcloudApiError) as refusal:
            await hook.cloud_status("abc")

    assert "key=" in server.received[-1].path
    assert _leaks(f"{refusal.value} {refusal.value.service_message}") == []
