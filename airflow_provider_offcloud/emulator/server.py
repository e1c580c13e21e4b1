"""The Offcloud emulator as a context manager serving on a free loopback port for tests and demos."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator.app import build_app
from airflow_provider_offcloud.emulator.background_server import BackgroundServer
from airflow_provider_offcloud.emulator.demo import demo_account
from airflow_provider_offcloud.emulator.state import EmulatorOptions, EmulatorState

if TYPE_CHECKING:
    from types import TracebackType

    from airflow_provider_offcloud.emulator.accounts import EmulatorAccount
    from airflow_provider_offcloud.emulator.faults import FaultInjector
    from airflow_provider_offcloud.emulator.request_log import RequestLog
    from airflow_provider_offcloud.emulator.store import TransferItem, TransferStore

_TEMP_PREFIX = "offcloud-emu-"


class OffcloudEmulator:
    """
    A local stand-in for the Offcloud API, serving both API generations on ``127.0.0.1``.

    Use it as a context manager::

        with OffcloudEmulator(seed=7) as emulator:
            requests.post(f"{emulator.base_url}/api/cloud", json={"url": link},
                          headers={"Authorization": f"Bearer {emulator.account.api_key}"})

    Cloud downloads really fetch the submitted link (loopback hosts only by default) and serve the
    result under ``{base_url}/cloud/download/...``; faults are switched through :attr:`faults`.

    :param accounts: Accounts to serve; the demo account with every add-on when left out.
    :param seed: Seed of the request-id generator, for reproducible ids.
    :param data_dir: Folder for downloaded and seeded content; a temporary folder removed on exit
        when left out.
    :param options: Behaviour switches (password login, delays, allowed fetch hosts, ...).
    :param host: Interface to bind; loopback by default.
    :param port: Port to bind; 0 picks a free one.
    """

    def __init__(
        self,
        accounts: list[EmulatorAccount] | None = None,
        *,
        seed: int | None = None,
        data_dir: Path | str | None = None,
        options: EmulatorOptions | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self._owns_data_dir = data_dir is None
        self.data_dir = (
            Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="offcloud-emu-"))
        )
        self.state = EmulatorState(accounts or [demo_account()], self.data_dir, seed=seed, options=options)
        self._server = BackgroundServer(
            build_app(self.state), host=host, port=port, thread_name="offcloud-emulator"
        )
        self._running = False

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running emulator, without a trailing slash."""
        return self._server.base_url

    @property
    def accounts(self) -> list[EmulatorAccount]:
        """The accounts served."""
        return self.state.registry.accounts

    @property
    def account(self) -> EmulatorAccount:
        """The first account (the demo account by default)."""
        return self.state.registry.accounts[0]

    @property
    def faults(self) -> FaultInjector:
        """Switches for injected faults, session expiry and key revocation."""
        return self.state.faults

    @property
    def request_log(self) -> RequestLog:
        """Requests served so far (method, path, route name, status; never credentials)."""
        return self.state.request_log

    @property
    def store(self) -> TransferStore:
        """Every transfer the emulator holds."""
        return self.state.store

    def item(self, request_id: str) -> TransferItem | None:
        """
        Return a transfer by request id, or ``None``.

        :param request_id: The id a submission returned.
        """
        return self.state.store.get(request_id)

    def remote_directory(self, remote_option_id: str, account: EmulatorAccount | None = None) -> Path:
        """
        Return the local folder where a remote account receives remote downloads.

        :param remote_option_id: The remote account's id.
        :param account: Owner of the remote account; the first account when left out.
        """
        owner = account or self.account
        remote = owner.remote_account(remote_option_id)
        if remote is None:
            raise KeyError(f"Account {owner.email} has no remote account {remote_option_id!r}.")
        return self.state.remote_directory(remote)

    def start(self) -> OffcloudEmulator:
        """Start serving; returns the emulator for chaining."""
        if not self._running:
            self._server.start()
            self.state.base_url = self._server.base_url
            self._running = True
        return self

    def stop(self) -> None:
        """Cancel running transfers, stop serving and delete the temporary data folder if any."""
        if self._running:
            try:
                self._server.run_on_loop(self.state.runner.aclose())
            finally:
                self._server.stop()
                self._running = False
        if self._owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> OffcloudEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
