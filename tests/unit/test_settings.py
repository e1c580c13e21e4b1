"""Reading an ``offcloud`` connection into settings: host forms, extras, their checks, and secret hiding."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_offcloud.exceptions import OffcloudAuthError, OffcloudBadInputError
from airflow_provider_offcloud.settings import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_RETRY_SECONDS,
    DEFAULT_TIMEOUT_SECONDS,
    OffcloudSettings,
)

PASSWORD = "correct-horse-battery-staple"
API_KEY = "VHK7abcdEFGH1234ijklMNOP5678qrst"


def connection(**fields: Any) -> SimpleNamespace:
    """Something with the attributes of an ``airflow.sdk.Connection``."""
    values: dict[str, Any] = {
        "conn_id": "offcloud_test",
        "host": "127.0.0.1",
        "schema": "http",
        "port": 8765,
        "login": None,
        "password": None,
        "extra_dejson": {"api_key": API_KEY},
    }
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("host", "schema", "port", "expected"),
    [
        ("offcloud.com", None, None, "https://offcloud.com"),
        ("offcloud.com", "", None, "https://offcloud.com"),
        ("https://offcloud.com/", None, None, "https://offcloud.com"),
        ("  https://offcloud.com//  ", None, None, "https://offcloud.com"),
        ("127.0.0.1", "http", 8765, "http://127.0.0.1:8765"),
        ("127.0.0.1", "HTTP", 8765, "http://127.0.0.1:8765"),
        ("http://127.0.0.1:8765", None, None, "http://127.0.0.1:8765"),
        ("http://127.0.0.1:8765", "https", 9999, "http://127.0.0.1:8765"),
        ("localhost:8765", "http", None, "http://localhost:8765"),
        ("https://proxy.example/offcloud/", None, None, "https://proxy.example/offcloud"),
        ("[::1]", "http", 8765, "http://[::1]:8765"),
        (None, None, None, "https://offcloud.com"),
    ],
)
def test_host_forms(host, schema, port, expected):
    settings = OffcloudSettings.from_connection(connection(host=host, schema=schema, port=port))

    assert settings.base_url == expected


@pytest.mark.parametrize(
    ("host", "schema"),
    [
        ("ftp://offcloud.com", None),
        ("offcloud.com", "ftp"),
        ("https://", None),
        ("https://off cloud.com", None),
        ("off cloud.com", None),
        ("https://offcloud.com:notaport", None),
        ("https://offcloud.com:99999", None),
        ("https://user:secret@offcloud.com", None),
    ],
)
def test_bad_hosts_name_the_value(host, schema):
    with pytest.raises(OffcloudBadInputError) as caught:
        OffcloudSettings.from_connection(connection(host=host, schema=schema, port=None))

    if "secret" not in host:
        assert repr(host) in str(caught.value)
    assert "secret" not in str(caught.value)


def test_defaults():
    settings = OffcloudSettings.from_connection(connection(extra_dejson={"api_key": API_KEY}))

    assert settings.api_key_location == "header"
    assert settings.timeout == DEFAULT_TIMEOUT_SECONDS
    assert settings.verify is True
    assert settings.max_attempts == DEFAULT_MAX_ATTEMPTS
    assert settings.max_retry_seconds == DEFAULT_MAX_RETRY_SECONDS
    assert settings.uses_api_key


def test_extras_are_read_and_given_extras_win():
    extras = {
        "api_key": f"  {API_KEY} ",
        "api_key_location": " Query ",
        "timeout": "12.5",
        "verify": "false",
        "max_attempts": "3",
        "max_retry_seconds": 40,
    }

    settings = OffcloudSettings.from_connection(connection(extra_dejson={"api_key": "ignored"}), extras)

    assert settings.api_key == API_KEY
    assert settings.api_key_location == "query"
    assert settings.timeout == 12.5
    assert settings.verify is False
    assert settings.max_attempts == 3
    assert settings.max_retry_seconds == 40


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        ("0", False),
        ("", True),
        ("/etc/ssl/ca.pem", "/etc/ssl/ca.pem"),
    ],
)
def test_verify(raw, expected):
    settings = OffcloudSettings.from_connection(connection(extra_dejson={"api_key": API_KEY, "verify": raw}))

    assert settings.verify == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("api_key_location", "cookie"),
        ("api_key_location", "body"),
        ("timeout", "soon"),
        ("timeout", 0),
        ("timeout", -1),
        ("timeout", "nan"),
        ("timeout", "inf"),
        ("timeout", None),
        ("max_attempts", 0),
        ("max_attempts", "0.5"),
        ("max_attempts", "2.5"),
        ("max_attempts", "many"),
        ("max_retry_seconds", "-5"),
        ("max_retry_seconds", "nan"),
    ],
)
def test_bad_extras_name_the_value(name, value):
    extras = {"api_key": API_KEY, name: value}

    with pytest.raises(OffcloudBadInputError) as caught:
        OffcloudSettings.from_connection(connection(extra_dejson=extras))

    assert name in str(caught.value)
    assert repr(value) in str(caught.value)
    assert "offcloud_test" in str(caught.value)


@pytest.mark.parametrize(
    "fields",
    [
        {"extra_dejson": {}},
        {"extra_dejson": {"api_key": "   "}},
        {"extra_dejson": {"api_key": None}},
        {"extra_dejson": {}, "login": "me@example.com"},
        {"extra_dejson": {}, "password": PASSWORD},
    ],
)
def test_missing_credentials(fields):
    settings = OffcloudSettings.from_connection(connection(**fields))

    with pytest.raises(OffcloudAuthError, match="offcloud_test") as caught:
        settings.require_credentials("offcloud_test")

    assert "api_key" in str(caught.value)


@pytest.mark.parametrize(
    "fields",
    [
        {"extra_dejson": {"api_key": API_KEY}},
        {"extra_dejson": {}, "login": "me@example.com", "password": PASSWORD},
    ],
)
def test_present_credentials_pass(fields):
    OffcloudSettings.from_connection(connection(**fields)).require_credentials("offcloud_test")


def test_secrets_are_listed_and_kept_out_of_the_repr():
    settings = OffcloudSettings.from_connection(
        connection(login="me@example.com", password=PASSWORD, extra_dejson={"api_key": API_KEY})
    )

    assert set(settings.secrets) == {PASSWORD, API_KEY}
    for text in (repr(settings), str(settings)):
        assert PASSWORD not in text
        assert API_KEY not in text
        assert "me@example.com" in text


def test_a_password_login_uses_no_key():
    settings = OffcloudSettings.from_connection(
        connection(login="me@example.com", password=PASSWORD, extra_dejson={})
    )

    assert not settings.uses_api_key
    assert settings.secrets == (PASSWORD,)
