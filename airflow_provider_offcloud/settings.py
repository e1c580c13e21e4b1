"""Read an Airflow Connection of type ``offcloud`` into the settings both the sync and async clients use."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import SplitResult, urlsplit

from airflow_provider_offcloud.exceptions import OffcloudAuthError, OffcloudBadInputError
from airflow_provider_offcloud.protocol import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from collections.abc import Mapping

ApiKeyLocation = Literal["header", "query"]

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_MAX_RETRY_SECONDS = 120.0


@dataclass(frozen=True)
class OffcloudSettings:
    """
    Everything needed to talk to Offcloud for one connection. Secrets are left out of the repr.

    :param base_url: Scheme, host and optional port of the API, without a trailing slash.
    :param email: Account e-mail for the password (cookie session) flow.
    :param password: Account password for the password flow.
    :param api_key: API key; when set it is used instead of the password flow.
    :param api_key_location: ``header`` sends ``Authorization: Bearer <key>``; ``query`` sends ``?key=``.
    :param timeout: Seconds to wait for the service to connect and to answer.
    :param verify: TLS verification: ``True``, ``False`` or the path of a CA bundle.
    :param max_attempts: How many times a transient fault is tried before giving up.
    :param max_retry_seconds: Upper bound of the time spent retrying one call.
    """

    base_url: str = DEFAULT_BASE_URL
    email: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    api_key_location: ApiKeyLocation = "header"
    timeout: float = DEFAULT_TIMEOUT_SECONDS
    verify: bool | str = True
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_retry_seconds: float = DEFAULT_MAX_RETRY_SECONDS

    @property
    def uses_api_key(self) -> bool:
        """Whether calls authenticate with the API key rather than a password session."""
        return bool(self.api_key)

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret values of these settings, for masking."""
        return tuple(value for value in (self.password, self.api_key) if value)

    def with_retry_budget(
        self, max_attempts: int | None = None, max_retry_seconds: float | None = None
    ) -> OffcloudSettings:
        """
        Return these settings with the retry budget a hook was given in place of the connection's.

        :param max_attempts: Tries per call; ``None`` keeps the connection's.
        :param max_retry_seconds: Time budget of those tries; ``None`` keeps the connection's.
        """
        settings = self
        if max_attempts is not None:
            settings = replace(settings, max_attempts=max_attempts)
        if max_retry_seconds is not None:
            settings = replace(settings, max_retry_seconds=max_retry_seconds)
        return settings

    def require_credentials(self, conn_id: str) -> None:
        """
        Refuse to go on without an API key or an e-mail and password.

        :param conn_id: The connection id, named in the message.
        """
        if not self.api_key and not (self.email and self.password):
            raise OffcloudAuthError(
                f"Connection {conn_id!r} has no credentials: set the extra 'api_key' (recommended; the "
                "key is on https://offcloud.com/#/account), or Login (account e-mail) and Password."
            )

    @classmethod
    def from_connection(cls, connection: Any, extras: Mapping[str, Any] | None = None) -> OffcloudSettings:
        """
        Build settings from an Airflow Connection.

        The API address is ``host`` (a bare host name or a full URL), with ``schema`` as the scheme
        (``https`` when not set, as in Airflow's HTTP provider) and ``port`` when set.

        :param connection: An ``airflow.sdk.Connection`` (or anything with the same attributes).
        :param extras: The connection's extras, when the caller has already read them.
        """
        extra = dict(extras if extras is not None else (connection.extra_dejson or {}))
        conn_id = getattr(connection, "conn_id", None) or "offcloud"
        return cls(
            base_url=_base_url(connection.host, connection.schema, connection.port),
            email=connection.login or None,
            password=connection.password or None,
            api_key=_optional_text(extra.get("api_key")),
            api_key_location=_api_key_location(extra.get("api_key_location", "header"), conn_id),
            timeout=_positive_number(extra.get("timeout", DEFAULT_TIMEOUT_SECONDS), "timeout", conn_id),
            verify=_verify(extra.get("verify", True)),
            max_attempts=_positive_whole_number(
                extra.get("max_attempts", DEFAULT_MAX_ATTEMPTS), "max_attempts", conn_id
            ),
            max_retry_seconds=_positive_number(
                extra.get("max_retry_seconds", DEFAULT_MAX_RETRY_SECONDS), "max_retry_seconds", conn_id
            ),
        )


def _base_url(host: str | None, schema: str | None, port: int | None) -> str:
    if not host:
        return DEFAULT_BASE_URL
    text = host.strip().rstrip("/")
    if "://" not in text:
        text = f"{(schema or 'https').strip().lower()}://{text}"
    parts = urlsplit(text)
    if "@" in parts.netloc:
        # Never echo the value: user:password@ in the host would put a secret in the message.
        raise OffcloudBadInputError(
            "The connection host holds user:password@ credentials: put the account e-mail in Login, the "
            "password in Password (or the key in the extra 'api_key'), and only the address in Host."
        )
    if (
        parts.scheme not in ("http", "https")
        or not _is_host_name(parts.hostname)
        or not _has_valid_port(parts)
    ):
        raise OffcloudBadInputError(
            f"Connection host {host!r} is not an API address: use a host name such as offcloud.com "
            "or a URL such as https://offcloud.com or http://127.0.0.1:8765 (the local emulator)."
        )
    netloc = parts.netloc
    if port and parts.port is None:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _is_host_name(hostname: str | None) -> bool:
    """Whether ``hostname`` could name a machine: no spaces or URL delimiters, and not a bare scheme."""
    if not hostname or hostname in ("http", "https"):
        return False
    # International names stay allowed; only what can never be part of a host is refused.
    return re.search(r"[\s<>\"{}|\\^`/?#@]", hostname) is None


def _has_valid_port(parts: SplitResult) -> bool:
    try:
        return parts.port is None or parts.port > 0
    except ValueError:
        return False


def _api_key_location(value: Any, conn_id: str) -> ApiKeyLocation:
    text = str(value or "header").strip().lower()
    if text not in ("header", "query"):
        raise OffcloudBadInputError(
            f"Connection {conn_id!r} has api_key_location={value!r}: use 'header' (Authorization: Bearer, "
            "the default) or 'query' (?key=, the older form)."
        )
    return "header" if text == "header" else "query"


def _positive_number(value: Any, name: str, conn_id: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    # NaN compares false with everything and infinity never ends a wait: both are refused.
    if not math.isfinite(number) or number <= 0:
        raise OffcloudBadInputError(f"Connection {conn_id!r} has {name}={value!r}: use a positive number.")
    return number


def _positive_whole_number(value: Any, name: str, conn_id: str) -> int:
    number = _positive_number(value, name, conn_id)
    if number != int(number):
        raise OffcloudBadInputError(
            f"Connection {conn_id!r} has {name}={value!r}: use a whole number from 1."
        )
    return int(number)


def _verify(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() in ("true", "1", "yes", ""):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    return text


def _optional_text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None
