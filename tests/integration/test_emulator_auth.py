"""The emulator's authentication: cookie login, API key in every accepted place, NOAUTH, 404 login."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_offcloud.emulator import DEMO_API_KEY, DEMO_EMAIL, DEMO_PASSWORD, EmulatorOptions

pytestmark = pytest.mark.integration


def _client(emulator, **kwargs) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, trust_env=False, timeout=10, **kwargs)


@pytest.mark.parametrize("path", ["/api/login", "/api/login/classic"])
@pytest.mark.parametrize("body_style", ["form", "json"])
def test_password_login_sets_session_cookie_that_authenticates(emulator, path, body_style):
    credentials = {"username": DEMO_EMAIL, "password": DEMO_PASSWORD}
    with _client(emulator) as client:
        body = {"data": credentials} if body_style == "form" else {"json": credentials}
        reply = client.post(path, **body)

        assert reply.status_code == 200
        assert reply.json() == {"email": DEMO_EMAIL, "userId": emulator.account.user_id}
        assert len(reply.json()["userId"]) == 24
        assert "connect.sid" in client.cookies

        assert client.get("/api/check").json() == {"loggedIn": 1}
        assert client.post("/api/login/check").json() == {"loggedIn": 1}
        assert client.post("/api/key").json() == {"email": DEMO_EMAIL, "apiKey": DEMO_API_KEY}
        assert client.get("/api/cloud/history").status_code == 200


def test_wrong_password_is_refused_without_cookie(emulator):
    with _client(emulator) as client:
        reply = client.post("/api/login", data={"username": DEMO_EMAIL, "password": "wrong"})

        assert reply.json() == {"error": "The credentials entered are wrong."}
        assert "connect.sid" not in client.cookies
        assert client.get("/api/login/check").json() == {"loggedIn": 0}


def test_login_without_email_asks_for_valid_address(emulator):
    with _client(emulator) as client:
        reply = client.post("/api/login", data={"username": "not-an-email", "password": "x"})

    assert reply.json() == {"error": "Please enter a valid email address."}


@pytest.mark.parametrize("parameter", ["key", "apiKey", "apikey"])
def test_api_key_accepted_in_query_and_bodies(emulator, parameter):
    with _client(emulator) as client:
        in_query = client.get("/api/cloud/history", params={parameter: DEMO_API_KEY})
        in_form = client.post("/api/cloud/status", data={parameter: DEMO_API_KEY, "requestId": "0" * 24})
        in_json = client.post("/api/cloud/status", json={parameter: DEMO_API_KEY, "requestId": "0" * 24})

    assert in_query.status_code == 200
    assert in_query.json() == []
    # Authenticated, so the unknown id is what fails, not the key.
    assert in_form.json() == {"error": "transfer not found"}
    assert in_json.json() == {"error": "transfer not found"}


def test_bearer_key_authenticates(emulator):
    with _client(emulator, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as client:
        assert client.get("/api/account/info").json()["email"] == DEMO_EMAIL
        assert client.get("/api/check").json() == {"loggedIn": 1}


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({}, id="missing"),
        pytest.param({"headers": {"Authorization": "Bearer WRONGKEY000000000000000000000000"}}, id="bearer"),
        pytest.param({"headers": {"Authorization": f"Basic {DEMO_API_KEY}"}}, id="other-scheme"),
        pytest.param({"params": {"key": "WRONGKEY000000000000000000000000"}}, id="query"),
        pytest.param({"headers": {"Cookie": "connect.sid=s%3Aforged"}}, id="cookie"),
    ],
)
def test_bad_credentials_answer_401_noauth(emulator, request_kwargs):
    with _client(emulator) as client:
        reply = client.get("/api/account/info", **request_kwargs)

    assert reply.status_code == 401
    assert reply.json() == {"error": "NOAUTH"}


def test_wrong_bearer_wins_over_valid_key_parameter(emulator):
    with _client(emulator, headers={"Authorization": "Bearer nope"}) as client:
        reply = client.get("/api/account/info", params={"key": DEMO_API_KEY})

    assert reply.status_code == 401


def test_revoked_key_answers_noauth(emulator):
    with _client(emulator, headers={"Authorization": f"Bearer {DEMO_API_KEY}"}) as client:
        assert client.get("/api/account/info").status_code == 200
        emulator.faults.revoke_api_key(DEMO_API_KEY)
        reply = client.get("/api/account/info")

    assert reply.status_code == 401
    assert reply.json() == {"error": "NOAUTH"}


def test_session_expiry_stops_every_cookie(emulator):
    with _client(emulator) as first, _client(emulator) as second:
        for client in (first, second):
            client.post("/api/login", data={"username": DEMO_EMAIL, "password": DEMO_PASSWORD})
            assert client.get("/api/check").json() == {"loggedIn": 1}

        emulator.faults.expire_sessions()

        for client in (first, second):
            assert client.get("/api/check").json() == {"loggedIn": 0}
            assert client.get("/api/cloud/history").status_code == 401


def test_password_login_can_be_switched_off(emulator_factory):
    emulator = emulator_factory(options=EmulatorOptions(password_login=False))
    with _client(emulator) as client:
        for path in ("/api/login", "/api/login/classic", "/api/key"):
            reply = client.post(path, data={"username": DEMO_EMAIL, "password": DEMO_PASSWORD})
            assert reply.status_code == 404
            assert reply.headers["content-type"].startswith("text/html")

        # The API key keeps working.
        assert client.get("/api/account/info", params={"key": DEMO_API_KEY}).status_code == 200
