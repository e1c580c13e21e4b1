"""OffcloudHook sign-in against the emulator: cookie sessions, where the API key goes, expiry, revocation."""

from __future__ import annotations

import json

import pytest

from airflow_provider_offcloud.emulator import DEMO_SINGLE_FILE_TORRENT, EmulatorOptions
from airflow_provider_offcloud.exceptions import OffcloudAuthError, OffcloudSessionExpiredError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

pytestmark = pytest.mark.integration

LOGIN_ROUTE = "login"


def _make_hook() -> OffcloudHook:
    return OffcloudHook(max_attempts=3, backoff_seconds=0.01)


def _logins(emulator) -> int:
    return len(emulator.request_log.entries(LOGIN_ROUTE))


def _record_requests(hook: OffcloudHook) -> list:
    """Collect every request the hook's session sends from now on (``requests.PreparedRequest``)."""
    sent: list = []
    hook.get_conn().hooks["response"].append(lambda response, *args, **kwargs: sent.append(response.request))
    return sent


# -- password (cookie session) ----------------------------------------------------------------------------


def test_password_session_logs_in_once_for_many_calls(emulator, offcloud_connection, retry_waits):
    offcloud_connection(emulator, "password")
    hook = _make_hook()

    hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)
    hook.cloud_history()
    hook.account_info()
    hook.list_proxies()

    assert _logins(emulator) == 1
    assert hook.get_conn().cookies.get("connect.sid")


def test_password_login_sends_the_cookie_and_no_key(emulator, offcloud_connection, retry_waits):
    offcloud_connection(emulator, "password")
    hook = _make_hook()
    sent = _record_requests(hook)

    hook.cloud_history()

    assert "connect.sid=" in sent[0].headers["Cookie"]
    assert "Authorization" not in sent[0].headers
    assert "key=" not in sent[0].url


def test_wrong_password_is_an_auth_error_naming_the_fields(emulator, offcloud_connection, monkeypatch):
    connection = offcloud_connection(emulator, "password")
    wrong_password = "not-the-password-1234"
    connection["password"] = wrong_password
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_DEFAULT", json.dumps(connection))

    with pytest.raises(OffcloudAuthError, match="Login and Password") as caught:
        _make_hook().cloud_history()

    assert "The credentials entered are wrong." in str(caught.value)
    assert wrong_password not in str(caught.value)


def test_password_login_gone_tells_to_set_an_api_key(emulator_factory, offcloud_connection, retry_waits):
    emulator = emulator_factory(options=EmulatorOptions(password_login=False))
    offcloud_connection(emulator, "password")
    hook = _make_hook()

    with pytest.raises(OffcloudAuthError, match="api_key") as from_login:
        hook.login()
    with pytest.raises(OffcloudAuthError, match="api_key"):
        hook.cloud_history()
    succeeded, message = hook.test_connection()

    assert "no longer offers password login" in str(from_login.value)
    assert not isinstance(from_login.value, OffcloudSessionExpiredError)
    assert succeeded is False
    assert "api_key" in message
    assert len(emulator.request_log.entries("cloud_history")) == 0


def test_api_key_still_works_where_password_login_is_gone(emulator_factory, offcloud_connection, retry_waits):
    emulator = emulator_factory(options=EmulatorOptions(password_login=False))
    offcloud_connection(emulator, "api_key_header")

    assert _make_hook().test_connection()[0] is True


def test_expired_session_costs_exactly_one_more_login(emulator, offcloud_connection, retry_waits):
    offcloud_connection(emulator, "password")
    hook = _make_hook()
    hook.cloud_history()
    emulator.faults.expire_sessions()

    history = hook.cloud_history()
    hook.account_info()

    assert history == []
    assert _logins(emulator) == 2
    statuses = [entry.status_code for entry in emulator.request_log.entries("cloud_history")]
    assert statuses == [200, 401, 200]


def test_check_login_reports_an_expired_session_without_logging_in(
    emulator, offcloud_connection, retry_waits
):
    offcloud_connection(emulator, "password")
    hook = _make_hook()
    assert hook.check_login() is True
    emulator.faults.expire_sessions()

    assert hook.check_login() is False
    assert _logins(emulator) == 1


def test_refused_right_after_a_fresh_login_is_an_auth_error(emulator, offcloud_connection, retry_waits):
    offcloud_connection(emulator, "password")
    hook = _make_hook()
    hook.login()
    emulator.faults.inject("cloud_history", kind="noauth")

    with pytest.raises(OffcloudAuthError, match="right after a fresh login"):
        hook.cloud_history()

    assert _logins(emulator) == 2
    assert len(emulator.request_log.entries("cloud_history")) == 2


def test_single_noauth_answer_is_cured_by_one_login(emulator, offcloud_connection, retry_waits):
    offcloud_connection(emulator, "password")
    hook = _make_hook()
    hook.login()
    emulator.faults.inject("cloud_history", kind="noauth", times=1)

    assert hook.cloud_history() == []
    assert _logins(emulator) == 2


# -- API key ----------------------------------------------------------------------------------------------


def test_api_key_in_bearer_header(emulator, offcloud_connection, retry_waits):
    offcloud_connection(emulator, "api_key_header")
    hook = _make_hook()
    sent = _record_requests(hook)

    hook.cloud_history()
    hook.account_info()

    assert [request.headers["Authorization"] for request in sent] == [
        f"Bearer {emulator.account.api_key}"
    ] * 2
    assert not any("key=" in request.url for request in sent)
    assert "Cookie" not in sent[0].headers
    assert _logins(emulator) == 0


def test_api_key_in_query(emulator, offcloud_connection, retry_waits):
    offcloud_connection(emulator, "api_key_query")
    hook = _make_hook()
    sent = _record_requests(hook)

    hook.cloud_history()
    hook.check_cache([DEMO_SINGLE_FILE_TORRENT.info_hash])

    assert all(f"key={emulator.account.api_key}" in request.url for request in sent)
    assert not any("Authorization" in request.headers for request in sent)
    assert _logins(emulator) == 0


@pytest.mark.parametrize("auth_style", ["api_key_header", "api_key_query"])
def test_revoked_key_fails_without_any_login(emulator, offcloud_connection, retry_waits, auth_style):
    offcloud_connection(emulator, auth_style)
    hook = _make_hook()
    hook.cloud_history()
    emulator.faults.revoke_api_key(emulator.account.api_key)

    with pytest.raises(OffcloudAuthError, match="revoked") as caught:
        hook.cloud_history()
    succeeded, message = hook.test_connection()

    assert "api_key" in str(caught.value)
    assert not isinstance(caught.value, OffcloudSessionExpiredError)
    assert succeeded is False
    assert "revoked" in message
    assert _logins(emulator) == 0
    assert retry_waits == []


def test_connection_without_credentials_is_refused_before_sending(emulator, monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_OFFCLOUD_DEFAULT", f'{{"conn_type": "offcloud", "host": "{emulator.base_url}"}}'
    )

    with pytest.raises(OffcloudAuthError, match="no credentials"):
        _make_hook().cloud_history()

    assert emulator.request_log.entries() == []
