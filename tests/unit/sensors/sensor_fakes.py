"""Fakes for the sensor tests: a mocked host's address and a task instance that records XCom pushes."""

from __future__ import annotations

from typing import Any

BASE_URL = "http://127.0.0.1:8766"
API_KEY = "SENSORTESTKEY0000000000000000000"
CONN_ID = "offcloud_default"
REQUEST_ID = "dddddddddddddddddddddddd"


class FakeTaskInstance:
    """Records XCom pushes."""

    def __init__(self) -> None:
        self.pushed: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


def status_answer(status: str, **fields: Any) -> dict[str, Any]:
    """A status answer as the service gives it."""
    return {"status": {"requestId": REQUEST_ID, "status": status, **fields}}
