"""Constants and helpers shared by the hook's unit tests: a fake Offcloud host and its credentials."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests_mock as requests_mock_module

BASE_URL = "https://offcloud.test"
EMAIL = "owner@example.com"
PASSWORD = "correct-horse-battery-staple"
API_KEY = "VHK7abcdEFGH1234ijklMNOP5678qrst"
SESSION_ID = "s%3AsessionCookieValue.signature42"
LOGIN_URL = f"{BASE_URL}/api/login/classic"


def html_page(title: str) -> str:
    """An HTML error page like the ones the service's web framework answers with."""
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"


def requests_to(
    requests_mock: requests_mock_module.Mocker, path: str, method: str | None = None
) -> list[Any]:
    """The recorded requests for one path (and verb), in order."""
    return [
        request
        for request in requests_mock.request_history
        if request.path == path.lower() and (method is None or request.method == method)
    ]
