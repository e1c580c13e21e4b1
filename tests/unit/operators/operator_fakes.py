"""Fakes shared by the operator and sensor tests: a mocked host's address, a task instance, a state store."""

from __future__ import annotations

from typing import Any

BASE_URL = "http://127.0.0.1:8765"
API_KEY = "OPERATORTESTKEY00000000000000000"
CONN_ID = "offcloud_default"
REQUEST_ID = "aaaaaaaaaaaaaaaaaaaaaaaa"


class FakeTaskInstance:
    """Records XCom pushes; ``try_number`` says which try this is."""

    def __init__(self, try_number: int = 1) -> None:
        self.try_number = try_number
        self.stats_tags: dict[str, str] = {}
        self.pushed: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


class FakeStateStore:
    """The task state store of Airflow 3.3, in memory."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any, **kwargs: Any) -> None:
        self.values[key] = value


def status_answer(status: str = "downloaded", request_id: str = REQUEST_ID, **fields: Any) -> dict[str, Any]:
    """A status answer as the service gives it."""
    return {"status": {"requestId": request_id, "status": status, "fileName": "file.bin", **fields}}
