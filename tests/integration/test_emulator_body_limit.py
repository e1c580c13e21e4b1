"""Request bodies above the emulator's cap are refused with HTTP 413 instead of being read into memory."""

from __future__ import annotations

import json

import httpx
import pytest

from airflow_provider_offcloud.emulator import EmulatorOptions

pytestmark = pytest.mark.integration

CAP = 4096


@pytest.fixture
def capped_client(emulator_factory):
    emulator = emulator_factory(options=EmulatorOptions(max_request_body_bytes=CAP))
    headers = {"Authorization": f"Bearer {emulator.account.api_key}"}
    with httpx.Client(base_url=emulator.base_url, headers=headers, trust_env=False, timeout=10) as client:
        yield emulator, client


def _padded_submission(size: int) -> bytes:
    body = json.dumps({"url": "http://127.0.0.1:9/file.bin", "padding": ""}).encode()
    return body.replace(b'"padding": ""', b'"padding": "' + b"x" * (size - len(body)) + b'"')


def test_a_declared_length_above_the_cap_is_refused(capped_client):
    emulator, client = capped_client

    reply = client.post(
        "/api/cloud", content=_padded_submission(CAP + 1), headers={"Content-Type": "application/json"}
    )

    assert reply.status_code == 413
    assert str(CAP) in reply.json()["error"]
    assert emulator.request_log.entries()[-1].status_code == 413


def test_a_chunked_body_growing_past_the_cap_is_refused(capped_client):
    _emulator, client = capped_client
    body = _padded_submission(CAP * 4)

    def chunks():
        for start in range(0, len(body), 1024):
            yield body[start : start + 1024]

    reply = client.post("/api/cloud", content=chunks(), headers={"Content-Type": "application/json"})

    assert "content-length" not in {name.lower() for name in reply.request.headers}
    assert reply.status_code == 413
    assert "too large" in reply.json()["error"]


def test_a_body_at_the_cap_is_read_as_usual(capped_client):
    _emulator, client = capped_client

    reply = client.post(
        "/api/cloud", content=_padded_submission(CAP), headers={"Content-Type": "application/json"}
    )

    assert reply.status_code == 200
    assert reply.json()["requestId"]


def test_the_default_cap_refuses_a_body_of_several_mebibytes(emulator, emulator_client):
    size = emulator.state.options.max_request_body_bytes + 1

    reply = emulator_client.post(
        "/api/cloud", content=_padded_submission(size), headers={"Content-Type": "application/json"}
    )

    assert reply.status_code == 413
