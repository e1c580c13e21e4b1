"""File names from the listing must not let one file of an item overwrite or corrupt another."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from adversarial_support import connection_json

from airflow_provider_offcloud.transfers.errors import OffcloudUnsafePathError
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

if TYPE_CHECKING:
    from pathlib import Path

BASE = "http://127.0.0.1:9"
CONTENTS = {"/f/real": b"AAAAAAAA", "/f/decoy": b"XXXX"}


def _serve_with_ranges(request: Any, context: Any) -> bytes:
    """Answer like a real file server: the whole file, or 206 with the tail a ``Range`` asks for."""
    data = CONTENTS[request.path]
    asked = request.headers.get("Range")
    if not asked:
        return data
    matched = re.match(r"bytes=(\d+)-", asked)
    assert matched is not None, asked
    start = int(matched.group(1))
    context.status_code = 206
    context.headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
    return data[start:]


def test_a_listed_file_named_like_a_partial_file_cannot_corrupt_its_neighbour(
    requests_mock, monkeypatch, tmp_path: Path
):
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(BASE))
    requests_mock.post(
        f"{BASE}/api/cloud/status", json={"status": {"requestId": "abc", "status": "downloaded"}}
    )
    requests_mock.get(
        f"{BASE}/api/cloud/explore/abc",
        json={
            "files": [
                {"name": ".a.bin.offcloud-partial", "size": 4, "url": f"{BASE}/f/decoy"},
                {"name": "a.bin", "size": 8, "url": f"{BASE}/f/real"},
            ]
        },
    )
    requests_mock.get(re.compile(rf"{re.escape(BASE)}/f/\w+"), content=_serve_with_ranges)
    operator = OffcloudToStorageOperator(
        task_id="land", request_id="abc", offcloud_conn_id="offcloud_adv", destination=f"file://{tmp_path}/"
    )

    with pytest.raises(OffcloudUnsafePathError, match=r"\.a\.bin\.offcloud-partial"):
        operator.execute({})

    # Refused before anything was written: neither file nor any temporary file is in the destination.
    assert list(tmp_path.iterdir()) == []
    assert [request.path for request in requests_mock.request_history if "/f/" in request.path] == []
