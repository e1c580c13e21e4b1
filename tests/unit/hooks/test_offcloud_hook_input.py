"""Bad values are refused before anything is sent, and the UI's Test button never raises."""

from __future__ import annotations

import pytest
import requests
from hook_fakes import API_KEY, BASE_URL, EMAIL, LOGIN_URL, PASSWORD, SESSION_ID, html_page

from airflow_provider_offcloud.exceptions import OffcloudAuthError, OffcloudBadInputError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.protocol import SESSION_COOKIE

BAD_LINKS = [
    "",
    "   ",
    "ftp://x",
    "javascript:alert(1)",
    "https://example.com/a file.zip",
    "magnet:?dn=no-topic",
    "magnet:?xt=",
    "magnet:?xt=urn:btih:abc def",
    "http://",
    "example.com/file.zip",
    None,
    42,
]
BAD_REQUEST_IDS = ["", "   ", None, "a/b", "../etc", "id with space", "x?y=1", True, ["r1"]]
BAD_HASHES = ["", "not-a-hash", "a" * 39, "g" * 40, "magnet:?dn=x", 123, None]


@pytest.fixture
def hook(api_key_connection) -> OffcloudHook:
    return OffcloudHook()


def assert_named(error: pytest.ExceptionInfo[OffcloudBadInputError], value: object) -> None:
    assert repr(value) in str(error.value)


class TestBadInputSendsNothing:
    @pytest.mark.parametrize("link", BAD_LINKS)
    @pytest.mark.parametrize("method", ["cloud_download", "instant_download"])
    def test_bad_links(self, hook, requests_mock, method, link):
        with pytest.raises(OffcloudBadInputError) as caught:
            getattr(hook, method)(link)

        assert_named(caught, link)
        assert requests_mock.call_count == 0

    @pytest.mark.parametrize("link", BAD_LINKS)
    def test_bad_links_for_remote(self, hook, requests_mock, link):
        with pytest.raises(OffcloudBadInputError) as caught:
            hook.remote_download(link, remote_option_id="acc-1")

        assert_named(caught, link)
        assert requests_mock.call_count == 0

    @pytest.mark.parametrize("remote_option_id", ["", "  ", None])
    def test_empty_remote_option_id(self, hook, requests_mock, remote_option_id):
        with pytest.raises(OffcloudBadInputError, match="remote_option_id") as caught:
            hook.remote_download("https://example.com/file", remote_option_id=remote_option_id)

        assert_named(caught, remote_option_id)
        assert requests_mock.call_count == 0

    @pytest.mark.parametrize("request_id", BAD_REQUEST_IDS)
    @pytest.mark.parametrize(
        "method",
        ["cloud_status", "remote_status", "cloud_explore", "remove_cloud_download", "retry_cloud_download"],
    )
    def test_bad_request_ids(self, hook, requests_mock, method, request_id):
        with pytest.raises(OffcloudBadInputError) as caught:
            getattr(hook, method)(request_id)

        assert_named(caught, request_id)
        assert requests_mock.call_count == 0

    @pytest.mark.parametrize("bad_value", BAD_HASHES)
    def test_bad_cache_values(self, hook, requests_mock, bad_value):
        good = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"

        with pytest.raises(OffcloudBadInputError) as caught:
            hook.check_cache([good, bad_value])

        assert_named(caught, bad_value)
        assert requests_mock.call_count == 0

    def test_cache_check_of_none_is_bad_input(self, hook, requests_mock):
        with pytest.raises(OffcloudBadInputError, match="None"):
            hook.check_cache(None)  # type: ignore[arg-type]

        assert requests_mock.call_count == 0

    def test_bad_input_with_a_password_connection_does_not_even_log_in(
        self, password_connection, requests_mock
    ):
        with pytest.raises(OffcloudBadInputError):
            OffcloudHook().cloud_download("ftp://x")

        assert requests_mock.call_count == 0


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/file.zip",
        "HTTP://EXAMPLE.COM/FILE",
        "http://127.0.0.1:8000/a?b=c#d",
        "  https://example.com/padded  ",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a&dn=a%20b",
    ],
)
def test_good_links_are_sent_trimmed(hook, requests_mock, link):
    requests_mock.post(f"{BASE_URL}/api/cloud", json={"requestId": "r1", "status": "created"})

    hook.cloud_download(link)

    assert requests_mock.last_request.json() == {"url": link.strip()}


class TestTestConnection:
    def test_api_key_success_names_the_account(self, hook, requests_mock):
        requests_mock.get(f"{BASE_URL}/api/account/info", json={"email": EMAIL, "is_premium": True})

        ok, message = hook.test_connection()

        assert ok is True
        assert EMAIL in message
        assert "premium" in message

    def test_password_success(self, password_connection, requests_mock):
        requests_mock.post(LOGIN_URL, json={"email": EMAIL}, cookies={SESSION_COOKIE: SESSION_ID})

        assert OffcloudHook().test_connection() == (True, f"Logged in to {BASE_URL} as {EMAIL}.")

    def test_refused_key(self, hook, requests_mock):
        requests_mock.get(f"{BASE_URL}/api/account/info", status_code=401, json={"error": "NOAUTH"})

        ok, message = hook.test_connection()

        assert ok is False
        assert "api_key" in message
        assert API_KEY not in message

    def test_removed_password_login(self, password_connection, requests_mock):
        requests_mock.post(LOGIN_URL, status_code=404, text=html_page("Not Found"))
        requests_mock.post(f"{BASE_URL}/api/login", status_code=404, text=html_page("Not Found"))

        ok, message = OffcloudHook().test_connection()

        assert ok is False
        assert "api_key" in message

    @pytest.mark.parametrize(
        "fault",
        [
            {"exc": requests.ConnectionError("Connection refused")},
            {"exc": requests.exceptions.ChunkedEncodingError("broken body")},
            {"exc": requests.exceptions.InvalidURL("bad url")},
            {"status_code": 503, "text": html_page("Maintenance")},
        ],
        ids=["connection-error", "chunked", "invalid-url", "maintenance"],
    )
    def test_faults_become_false_with_a_reason(self, hook, requests_mock, fault):
        requests_mock.get(f"{BASE_URL}/api/account/info", **fault)

        ok, message = OffcloudHook(max_attempts=1).test_connection()

        assert ok is False
        assert message

    @pytest.mark.parametrize(
        "fields",
        [
            {"host": "ftp://offcloud.test", "extra": {"api_key": API_KEY}},
            {"host": "https://off cloud.test", "extra": {"api_key": API_KEY}},
            {"host": "https://offcloud.test:notaport", "extra": {"api_key": API_KEY}},
            {"extra": {"api_key": API_KEY, "timeout": "soon"}},
            {"extra": {}},
            {"login": EMAIL},
        ],
        ids=["ftp-host", "host-with-space", "bad-port", "bad-timeout", "no-credentials", "no-password"],
    )
    def test_bad_connections_become_false_with_a_reason(self, connect, requests_mock, fields):
        connect(**fields)

        ok, message = OffcloudHook().test_connection()

        assert ok is False
        assert "Connection" in message or "connection" in message
        assert requests_mock.call_count == 0

    def test_missing_connection_becomes_false(self, requests_mock):
        ok, message = OffcloudHook("no_such_offcloud_connection").test_connection()

        assert ok is False
        assert "no_such_offcloud_connection" in message
        assert "AIRFLOW_CONN_NO_SUCH_OFFCLOUD_CONNECTION" in message, "say how to define it"
        assert requests_mock.call_count == 0


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"extra": {}}, OffcloudAuthError),
        ({"login": EMAIL}, OffcloudAuthError),
        ({"password": PASSWORD}, OffcloudAuthError),
        ({"host": "ftp://x", "extra": {"api_key": API_KEY}}, OffcloudBadInputError),
    ],
)
def test_unusable_connections_raise_before_any_request(connect, requests_mock, fields, error):
    connect(**fields)

    with pytest.raises(error):
        OffcloudHook().cloud_history()

    assert requests_mock.call_count == 0
