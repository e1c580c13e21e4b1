"""No password, API key or session cookie in what OffcloudHook raises or logs, whatever goes wrong."""

from __future__ import annotations

import logging

import pytest

from airflow_provider_offcloud.emulator import DEMO_SINGLE_FILE_TORRENT
from airflow_provider_offcloud.exceptions import OffcloudError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

pytestmark = pytest.mark.integration

SESSION_COOKIE = "connect.sid"


def _refuse_every_credential(emulator) -> None:
    # The password changes on the account page: the connection's password no longer logs in.
    emulator.account.password = "changed-on-the-account-page"
    emulator.faults.expire_sessions()
    emulator.faults.revoke_api_key(emulator.account.api_key)


#: Each scenario sets up a fault on ``cloud_history`` (or on the account) and the hook then reads the history.
SCENARIOS = {
    "lasting_server_error": lambda emulator: emulator.faults.inject("cloud_history", kind="server_error"),
    "lasting_rate_limit": lambda emulator: emulator.faults.inject("cloud_history", kind="rate_limit"),
    "html_page": lambda emulator: emulator.faults.inject("cloud_history", kind="html_page"),
    "bare_string": lambda emulator: emulator.faults.inject("cloud_history", kind="bare_string"),
    "lasting_slowness": lambda emulator: emulator.faults.inject("cloud_history", kind="delay", delay=1.0),
    "lasting_noauth": lambda emulator: emulator.faults.inject("cloud_history", kind="noauth"),
    "credentials_refused": _refuse_every_credential,
}


@pytest.fixture
def recorded_cookies() -> list[str]:
    return []


def _watch_cookies(hook: OffcloudHook, recorded_cookies: list[str]) -> None:
    """Record every session cookie the service hands the hook, the first login's included."""
    session = hook.get_conn()
    recorded_cookies.extend(cookie.value for cookie in session.cookies if cookie.name == SESSION_COOKIE)

    def keep(response, *args, **kwargs) -> None:
        if SESSION_COOKIE in response.cookies:
            recorded_cookies.append(response.cookies[SESSION_COOKIE])

    session.hooks["response"].append(keep)


def _texts_of(error: BaseException) -> list[str]:
    texts = [str(error), repr(error), *(str(arg) for arg in error.args)]
    texts.extend(str(getattr(error, name, "")) for name in ("service_message", "reason"))
    if error.__cause__ is not None:
        texts.extend(_texts_of(error.__cause__))
    return texts


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_secret_in_errors_or_logs(
    emulator, offcloud_connection, retry_waits, recorded_cookies, caplog, auth_style, scenario
):
    offcloud_connection(emulator, auth_style, timeout=0.3)
    secrets = [emulator.account.api_key]
    if auth_style == "password":
        secrets.append(emulator.account.password)
    hook = OffcloudHook(max_attempts=2, backoff_seconds=0.01)
    caplog.set_level(logging.DEBUG)
    hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)
    _watch_cookies(hook, recorded_cookies)
    SCENARIOS[scenario](emulator)

    with pytest.raises(OffcloudError) as caught:
        hook.cloud_history()
    succeeded, message = hook.test_connection()

    if auth_style == "password":
        assert recorded_cookies, "the password login set no session cookie to look for"
    secrets.extend(recorded_cookies)
    # Known limitation (hook docstring): with the key in the query, urllib3's DEBUG lines carry the URL.
    log_records = [
        record
        for record in caplog.records
        if not (auth_style == "api_key_query" and record.name.startswith("urllib3"))
    ]
    logged = "\n".join(record.getMessage() for record in log_records)
    for secret in secrets:
        assert secret not in logged
        assert secret not in message
        for text in _texts_of(caught.value):
            assert secret not in text
    assert isinstance(succeeded, bool)
