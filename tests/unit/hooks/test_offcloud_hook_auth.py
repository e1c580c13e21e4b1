"""How OffcloudHook authenticates: lazy password login, one re-login, API key placement, refusals."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException
from hook_fakes import API_KEY, BASE_URL, EMAIL, LOGIN_URL, PASSWORD, SESSION_ID, html_page, requests_to

from airflow_provider_offcloud.exceptions import OffcloudAuthError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.protocol import SESSION_COOKIE

if TYPE_CHECKING:
    from collections.abc import Iterator

STATUS_URL = f"{BASE_URL}/api/cloud/status"
STATUS_ANSWER = {"status": {"requestId": "r1", "status": "downloaded"}}
NOAUTH = {"json": {"error": "NOAUTH"}, "status_code": 401}


def login_requests(requests_mock) -> list[Any]:
    return requests_to(requests_mock, "/api/login/classic") + requests_to(requests_mock, "/api/login")


@pytest.mark.usefixtures("password_connection")
class TestPasswordLogin:
    def test_many_calls_cost_one_login(self, requests_mock, login_ok):
        requests_mock.post(STATUS_URL, json=STATUS_ANSWER)
        requests_mock.get(f"{BASE_URL}/api/cloud/history", json=[])
        hook = OffcloudHook()

        for _ in range(3):
            hook.cloud_status("r1")
        hook.cloud_history()

        assert login_ok.call_count == 1
        assert parse_qs(login_ok.last_request.text) == {"username": [EMAIL], "password": [PASSWORD]}
        for request in requests_mock.request_history[1:]:
            assert f"{SESSION_COOKIE}={SESSION_ID}" in request.headers["Cookie"]
            assert "Authorization" not in request.headers

    def test_login_returns_who_we_are_and_no_secret(self, requests_mock, login_ok):
        result = OffcloudHook().login()

        assert result == {"email": EMAIL, "userId": "53f89e52822c8bf413000008"}

    @pytest.mark.parametrize(
        "refusal",
        [
            NOAUTH,
            {"json": {"error": "NOAUTH"}, "status_code": 200},
            {"text": "Forbidden", "status_code": 403},
        ],
        ids=["401-noauth", "noauth-under-200", "403"],
    )
    def test_expired_session_logs_in_exactly_once_more_and_replays(self, requests_mock, login_ok, refusal):
        requests_mock.post(STATUS_URL, [refusal, {"json": STATUS_ANSWER}])
        hook = OffcloudHook()

        item = hook.cloud_status("r1")

        assert item["status"] == "downloaded"
        assert login_ok.call_count == 2
        assert len(requests_to(requests_mock, "/api/cloud/status")) == 2

    def test_refusal_right_after_a_fresh_login_is_an_auth_error_with_advice(self, requests_mock, login_ok):
        requests_mock.post(STATUS_URL, **NOAUTH)

        with pytest.raises(OffcloudAuthError, match="right after a fresh login") as caught:
            OffcloudHook().cloud_status("r1")

        assert "api_key" in str(caught.value)
        assert isinstance(caught.value, AirflowFailException)
        assert login_ok.call_count == 2
        assert len(requests_to(requests_mock, "/api/cloud/status")) == 2

    def test_missing_password_routes_tell_to_set_an_api_key(self, requests_mock):
        requests_mock.post(LOGIN_URL, status_code=404, text=html_page("404 Not Found"))
        requests_mock.post(f"{BASE_URL}/api/login", status_code=404, text=html_page("404 Not Found"))

        with pytest.raises(OffcloudAuthError, match="api_key"):
            OffcloudHook().cloud_history()

        assert len(login_requests(requests_mock)) == 2
        assert not requests_to(requests_mock, "/api/cloud/history")

    def test_plain_text_404_on_the_login_routes_also_tells_to_set_an_api_key(self, requests_mock):
        # The 2026 service was reported to answer a plain 404 (no HTML page) for the removed routes.
        requests_mock.post(LOGIN_URL, status_code=404, text="Not Found")
        requests_mock.post(f"{BASE_URL}/api/login", status_code=404, text="")

        with pytest.raises(OffcloudAuthError, match="api_key"):
            OffcloudHook().login()

    def test_fallback_login_route_is_used_and_remembered_for_the_relogin(self, requests_mock):
        requests_mock.post(LOGIN_URL, status_code=404, text=html_page("Not Found"))
        login = requests_mock.post(
            f"{BASE_URL}/api/login", json={"email": EMAIL}, cookies={SESSION_COOKIE: SESSION_ID}
        )
        requests_mock.post(STATUS_URL, [NOAUTH, {"json": STATUS_ANSWER}])

        OffcloudHook().cloud_status("r1")

        assert login.call_count == 2
        assert len(requests_to(requests_mock, "/api/login/classic")) == 1

    @pytest.mark.parametrize(
        "answer",
        [
            {"json": {"error": "The credentials entered are wrong."}},
            {"json": {"error": "Please enter a valid email address."}, "status_code": 400},
            {"json": {"error": "NOAUTH"}, "status_code": 401},
        ],
        ids=["wrong-password-200", "bad-email-400", "noauth-401"],
    )
    def test_refused_credentials_name_login_and_password(self, requests_mock, answer):
        requests_mock.post(LOGIN_URL, **answer)

        with pytest.raises(OffcloudAuthError) as caught:
            OffcloudHook().cloud_history()

        message = str(caught.value)
        assert "Login" in message
        assert "Password" in message
        assert PASSWORD not in message
        assert len(login_requests(requests_mock)) == 1

    def test_login_without_a_cookie_is_an_auth_error(self, requests_mock):
        requests_mock.post(LOGIN_URL, json={"email": EMAIL})

        with pytest.raises(OffcloudAuthError, match="api_key"):
            OffcloudHook().login()

    @pytest.mark.parametrize("answer", [{"text": ""}, {"json": ["unexpected"]}], ids=["empty", "array"])
    def test_login_answer_that_is_not_an_object_does_not_crash(self, requests_mock, answer):
        requests_mock.post(LOGIN_URL, cookies={SESSION_COOKIE: SESSION_ID}, **answer)

        assert OffcloudHook().login() == {"email": None, "userId": None}

    @pytest.mark.parametrize(("answer", "expected"), [({"loggedIn": 1}, True), ({"loggedIn": 0}, False)])
    def test_check_login(self, requests_mock, login_ok, answer, expected):
        requests_mock.get(f"{BASE_URL}/api/check", json=answer)

        assert OffcloudHook().check_login() is expected

    def test_check_login_reports_an_expired_session_without_logging_in_again(self, requests_mock, login_ok):
        requests_mock.get(f"{BASE_URL}/api/check", **NOAUTH)

        assert OffcloudHook().check_login() is False
        assert login_ok.call_count == 1

    def test_close_forgets_the_session(self, requests_mock, login_ok):
        requests_mock.post(STATUS_URL, json=STATUS_ANSWER)
        hook = OffcloudHook()

        hook.cloud_status("r1")
        hook.close()
        hook.cloud_status("r1")

        assert login_ok.call_count == 2


class TestApiKey:
    def test_key_travels_as_bearer_header_and_no_login_happens(self, requests_mock, api_key_connection):
        requests_mock.post(STATUS_URL, json=STATUS_ANSWER)
        requests_mock.get(f"{BASE_URL}/api/account/info", json={"email": EMAIL, "is_premium": True})
        hook = OffcloudHook()

        hook.cloud_status("r1")
        hook.account_info()

        assert not login_requests(requests_mock)
        for request in requests_mock.request_history:
            assert request.headers["Authorization"] == f"Bearer {API_KEY}"
            assert "key" not in parse_qs(urlsplit(request.url).query)

    def test_key_travels_in_the_query_when_asked(self, requests_mock, connect):
        connect(extra={"api_key": API_KEY, "api_key_location": "query"})
        requests_mock.post(STATUS_URL, json=STATUS_ANSWER)
        requests_mock.get(f"{BASE_URL}/api/cloud/explore/r1", json=[])

        OffcloudHook().cloud_status("r1")
        OffcloudHook().cloud_explore("r1")

        assert not login_requests(requests_mock)
        for request in requests_mock.request_history:
            assert parse_qs(urlsplit(request.url).query)["key"] == [API_KEY]
            assert "Authorization" not in request.headers

    def test_key_wins_over_a_password(self, requests_mock, connect):
        connect(login=EMAIL, password=PASSWORD, extra={"api_key": API_KEY})
        requests_mock.post(STATUS_URL, json=STATUS_ANSWER)

        OffcloudHook().cloud_status("r1")

        assert requests_mock.call_count == 1
        assert requests_mock.last_request.headers["Authorization"] == f"Bearer {API_KEY}"

    @pytest.mark.parametrize(
        "refusal",
        [NOAUTH, {"json": {"error": "NOAUTH"}}, {"text": "Forbidden", "status_code": 403}],
        ids=["401", "noauth-under-200", "403"],
    )
    def test_refused_key_is_an_auth_error_without_any_login(self, requests_mock, api_key_connection, refusal):
        requests_mock.post(STATUS_URL, **refusal)

        with pytest.raises(OffcloudAuthError, match="api_key") as caught:
            OffcloudHook().cloud_status("r1")

        assert API_KEY not in str(caught.value)
        assert not login_requests(requests_mock)
        assert requests_mock.call_count == 1

    def test_login_with_a_key_checks_it_on_the_account(self, requests_mock, api_key_connection):
        requests_mock.get(f"{BASE_URL}/api/account/info", json={"user_id": 7, "email": EMAIL})

        assert OffcloudHook().login() == {"email": EMAIL, "userId": "7"}
        assert not login_requests(requests_mock)

    def test_check_login_with_a_refused_key_is_false(self, requests_mock, api_key_connection):
        requests_mock.get(f"{BASE_URL}/api/account/info", **NOAUTH)

        assert OffcloudHook().check_login() is False


class _CookieService(BaseHTTPRequestHandler):
    """
    A two-route service on loopback that sets its session cookie without ``Path``, as many servers do.

    requests_mock never stores cookies in the session's jar the way a real answer does, so this one case
    needs a real socket.
    """

    cookies_seen: ClassVar[list[str | None]] = []

    def log_message(self, *args: Any) -> None:
        """Keep test output quiet."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/api/login"):
            body: dict[str, Any] = {"email": EMAIL, "userId": "u1"}
            cookie_header = f"{SESSION_COOKIE}={SESSION_ID}; HttpOnly"
        else:
            type(self).cookies_seen.append(self.headers.get("Cookie"))
            body, cookie_header = STATUS_ANSWER, ""
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if cookie_header:
            self.send_header("Set-Cookie", cookie_header)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def cookie_service() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _CookieService)
    _CookieService.cookies_seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_cookie_without_path_from_a_real_answer_is_sent_back(connect, cookie_service):
    connect(host=cookie_service, login=EMAIL, password=PASSWORD)
    hook = OffcloudHook()

    hook.cloud_status("r1")
    hook.cloud_status("r1")

    assert len(_CookieService.cookies_seen) == 2
    for header in _CookieService.cookies_seen:
        assert header is not None
        assert f"{SESSION_COOKIE}={SESSION_ID}" in header
