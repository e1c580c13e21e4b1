"""Accounts of the Offcloud emulator: plans, add-ons, remote accounts, keys and login sessions."""

from __future__ import annotations

import enum
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from airflow_provider_offcloud.emulator.seeds import SeededTorrent


class Addon(str, enum.Enum):
    """An add-on an Offcloud plan may include; the value is the ``not_available`` reason."""

    PREMIUM = "premium"
    LINKS = "links"
    PROXY = "proxy"
    VIDEO = "video"
    CLOUD = "cloud"


ALL_ADDONS: frozenset[Addon] = frozenset(Addon)


@dataclass(frozen=True)
class RemoteAccount:
    """
    A remote storage account (FTP, Google Drive, ...) that remote downloads are sent to.

    The emulator stores what a remote download delivers in a local folder per remote account.

    :param remote_option_id: Identifier clients pass as ``remoteOptionId``.
    :param type: Kind of remote storage as the service names it (``ftp``, ``gdrive``, ...).
    :param username: User name shown in the account list.
    :param host: Host shown in the account list; it is never contacted.
    :param port: Port shown in the account list.
    :param status: Account status shown in the account list.
    :param directory: Local folder receiving the files; a folder under the emulator's data directory
        when left out.
    """

    remote_option_id: str
    type: str = "ftp"
    username: str = "demo"
    host: str = "127.0.0.1"
    port: int = 21
    status: str = "active"
    directory: Path | None = None


@dataclass
class EmulatorAccount:
    """
    One Offcloud account served by the emulator.

    :param email: Login e-mail, also returned by the account routes.
    :param password: Password for the cookie login routes.
    :param api_key: API key accepted as Bearer token or ``key``/``apiKey``/``apikey`` parameter.
    :param addons: Add-ons the plan includes; a missing one makes the matching routes answer
        ``{"not_available": "<add-on>"}``.
    :param remote_accounts: Remote storage accounts usable by remote downloads.
    :param seeded_torrents: Torrents whose magnets resolve to local content for this account.
    :param expiration_date: Date the plan runs out, as shown by the account routes.
    :param user_id: Identifier in the old 24-hex form; derived from the e-mail when left out.
    :param numeric_user_id: Identifier in the new numeric form of ``/api/account/info``; derived from
        ``user_id`` when left out.
    """

    email: str
    password: str
    api_key: str
    addons: frozenset[Addon] = ALL_ADDONS
    remote_accounts: tuple[RemoteAccount, ...] = ()
    seeded_torrents: tuple[SeededTorrent, ...] = ()
    expiration_date: date = date(2030, 12, 31)
    user_id: str = ""
    numeric_user_id: int = 0
    _seeds_by_hash: dict[str, SeededTorrent] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        # The id only has to be stable for one e-mail, so a digest of it is enough.
        if not self.user_id:
            self.user_id = hashlib.sha1(self.email.encode()).hexdigest()[:24]
        if not self.numeric_user_id:
            self.numeric_user_id = 100000000 + int(self.user_id[:6], 16) % 899999999
        self._seeds_by_hash = {seed.info_hash: seed for seed in self.seeded_torrents}

    def has_addon(self, addon: Addon) -> bool:
        """
        Tell whether the plan includes an add-on.

        :param addon: The add-on asked about.
        """
        return addon in self.addons

    def seeded_torrent(self, info_hash: str) -> SeededTorrent | None:
        """
        Return the seeded torrent with this info hash, or ``None``.

        :param info_hash: Lower-case 40-hex info hash.
        """
        return self._seeds_by_hash.get(info_hash)

    def remote_account(self, remote_option_id: str) -> RemoteAccount | None:
        """
        Return the remote account with this id, or ``None``.

        :param remote_option_id: The ``remoteOptionId`` a client sent.
        """
        for remote in self.remote_accounts:
            if remote.remote_option_id == remote_option_id:
                return remote
        return None


class AccountRegistry:
    """
    Looks accounts up by API key, e-mail and session cookie; revokes keys and expires sessions.

    Tests change keys and sessions from their own thread while the server thread reads them, so
    every change happens under a lock and replaces whole dictionaries.

    :param accounts: The accounts the emulator serves.
    """

    def __init__(self, accounts: list[EmulatorAccount]) -> None:
        if not accounts:
            raise ValueError("The emulator needs at least one account.")
        self.accounts = list(accounts)
        self._lock = threading.Lock()
        self._by_key = {account.api_key: account for account in accounts}
        self._by_email = {account.email.lower(): account for account in accounts}
        self._sessions: dict[str, EmulatorAccount] = {}

    def by_api_key(self, api_key: str) -> EmulatorAccount | None:
        """
        Return the account owning an API key that has not been revoked.

        :param api_key: The key a client sent.
        """
        return self._by_key.get(api_key)

    def check_password(self, email: str, password: str) -> EmulatorAccount | None:
        """
        Return the account when the e-mail and password match, else ``None``.

        :param email: E-mail sent as ``username``.
        :param password: Password sent as ``password``.
        """
        account = self._by_email.get(email.strip().lower())
        if account is None or not secrets.compare_digest(account.password, password):
            return None
        return account

    def open_session(self, account: EmulatorAccount) -> str:
        """
        Create a login session and return its ``connect.sid`` cookie value.

        :param account: The account that logged in.
        """
        session_id = "s%3A" + secrets.token_urlsafe(24)
        with self._lock:
            self._sessions = {**self._sessions, session_id: account}
        return session_id

    def by_session(self, session_id: str) -> EmulatorAccount | None:
        """
        Return the account of a live session, or ``None`` for unknown or expired sessions.

        :param session_id: The ``connect.sid`` cookie value.
        """
        return self._sessions.get(session_id)

    def expire_sessions(self) -> None:
        """Forget every login session, as when the service expires all cookies."""
        with self._lock:
            self._sessions = {}

    def revoke_api_key(self, api_key: str) -> None:
        """
        Stop accepting an API key; requests using it then answer 401 ``NOAUTH``.

        :param api_key: The key to revoke.
        """
        with self._lock:
            self._by_key = {key: account for key, account in self._by_key.items() if key != api_key}

    def restore_api_key(self, account: EmulatorAccount) -> None:
        """
        Accept an account's API key again after a revocation.

        :param account: The account whose key is restored.
        """
        with self._lock:
            self._by_key = {**self._by_key, account.api_key: account}
