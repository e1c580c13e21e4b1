"""A listing where one file's name is another file's folder is refused before anything is written."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from second_review_support import connection_value

from airflow_provider_offcloud.transfers.errors import OffcloudUnsafePathError
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator

if TYPE_CHECKING:
    from pathlib import Path

BASE = "http://127.0.0.1:9"
CONN_ID = "offcloud_second_review"


def test_a_file_named_like_another_files_folder_is_refused_before_copying(
    requests_mock, monkeypatch, tmp_path: Path
):
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", connection_value(BASE))
    requests_mock.post(
        f"{BASE}/api/cloud/status", json={"status": {"requestId": "abc", "status": "downloaded"}}
    )
    requests_mock.get(
        f"{BASE}/api/cloud/explore/abc",
        json={
            "files": [
                {"name": "notes", "path": "notes", "size": 4, "url": f"{BASE}/f/one"},
                {"name": "a.txt", "path": "notes/a.txt", "size": 4, "url": f"{BASE}/f/two"},
            ]
        },
    )
    requests_mock.get(re.compile(rf"{re.escape(BASE)}/f/\w+"), content=b"DATA")
    operator = OffcloudToStorageOperator(
        task_id="land", request_id="abc", offcloud_conn_id=CONN_ID, destination=f"file://{tmp_path}/"
    )

    with pytest.raises(OffcloudUnsafePathError):
        operator.execute({})

    assert list(tmp_path.iterdir()) == []
