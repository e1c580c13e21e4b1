"""The account's credentials go to the API's own origin only, redirects included."""

from __future__ import annotations

import json

import pytest
from transfer_doubles import API, API_KEY, CDN

from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.transfers.links import DownloadLinkOpener

COOKIE = "s%3Asession-value"


def _opener(conn_id: str) -> DownloadLinkOpener:
    return DownloadLinkOpener(OffcloudHook(conn_id), timeout=5)


def _fetch(opener: DownloadLinkOpener, url: str) -> None:
    with opener.open(url, {"Range": "bytes=0-"}) as response:
        assert response.status_code == 200


@pytest.fixture
def password_connection(monkeypatch: pytest.MonkeyPatch, requests_mock) -> str:
    monkeypatch.setenv(
        "AIRFLOW_CONN_OFFCLOUD_PASSWORD_TEST",
        json.dumps({"conn_type": "offcloud", "host": API, "login": "me@example.org", "password": "pw"}),
    )
    requests_mock.post(
        f"{API}/api/login/classic",
        json={"email": "me@example.org", "userId": "1"},
        headers={"Set-Cookie": f"connect.sid={COOKIE}; Path=/; HttpOnly"},
    )
    return "offcloud_password_test"


def test_a_link_on_the_api_origin_carries_the_api_key(offcloud_connection, requests_mock):
    requests_mock.get(f"{API}/cloud/download/abc/a.bin", content=b"x")

    _fetch(_opener(offcloud_connection), f"{API}/cloud/download/abc/a.bin")

    assert requests_mock.last_request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert requests_mock.last_request.headers["Range"] == "bytes=0-"


def test_a_link_on_another_origin_carries_no_credentials(offcloud_connection, requests_mock):
    requests_mock.get(f"{CDN}/obj/tok/a.bin", content=b"x")

    _fetch(_opener(offcloud_connection), f"{CDN}/obj/tok/a.bin")

    assert "Authorization" not in requests_mock.last_request.headers
    assert "Cookie" not in requests_mock.last_request.headers


def test_a_redirect_to_another_origin_drops_the_credentials(offcloud_connection, requests_mock):
    requests_mock.get(
        f"{API}/cloud/download/abc/a.bin", status_code=302, headers={"Location": f"{CDN}/obj/a"}
    )
    requests_mock.get(f"{CDN}/obj/a", content=b"x")

    _fetch(_opener(offcloud_connection), f"{API}/cloud/download/abc/a.bin")

    first, second = requests_mock.request_history
    assert first.headers["Authorization"] == f"Bearer {API_KEY}"
    assert "Authorization" not in second.headers
    assert second.headers["Range"] == "bytes=0-"


def test_the_session_cookie_stays_on_the_api_origin_even_on_the_same_host(password_connection, requests_mock):
    requests_mock.get(f"{API}/cloud/download/abc/a.bin", content=b"x")
    requests_mock.get(f"{CDN}/obj/a", content=b"x")
    opener = _opener(password_connection)

    _fetch(opener, f"{API}/cloud/download/abc/a.bin")
    _fetch(opener, f"{CDN}/obj/a")

    on_api, on_cdn = (request for request in requests_mock.request_history if "login" not in request.path)
    assert f"connect.sid={COOKIE}" in on_api.headers["Cookie"]
    assert "Cookie" not in on_cdn.headers


def test_a_query_key_is_added_only_on_the_api_origin(monkeypatch, requests_mock):
    monkeypatch.setenv(
        "AIRFLOW_CONN_OFFCLOUD_QUERY_KEY_TEST",
        json.dumps(
            {"conn_type": "offcloud", "host": API, "extra": {"api_key": API_KEY, "api_key_location": "query"}}
        ),
    )
    requests_mock.get(f"{API}/cloud/download/abc/a.bin", content=b"x")
    requests_mock.get(f"{CDN}/obj/a", content=b"x")
    opener = _opener("offcloud_query_key_test")

    _fetch(opener, f"{API}/cloud/download/abc/a.bin")
    _fetch(opener, f"{CDN}/obj/a")

    on_api, on_cdn = requests_mock.request_history
    assert on_api.qs == {"key": [API_KEY.lower()]}
    assert on_cdn.qs == {}
