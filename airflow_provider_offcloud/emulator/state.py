"""Everything one running emulator shares between its routes: accounts, transfers, faults, options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator.accounts import AccountRegistry
from airflow_provider_offcloud.emulator.body_limit import DEFAULT_MAX_REQUEST_BODY_BYTES
from airflow_provider_offcloud.emulator.faults import FaultInjector
from airflow_provider_offcloud.emulator.ids import IdGenerator
from airflow_provider_offcloud.emulator.request_log import RequestLog
from airflow_provider_offcloud.emulator.runner import TransferRunner
from airflow_provider_offcloud.emulator.seeds import SeedLibrary
from airflow_provider_offcloud.emulator.store import TransferStore

if TYPE_CHECKING:
    from pathlib import Path

    from airflow_provider_offcloud.emulator.accounts import EmulatorAccount, RemoteAccount

#: Hosts the emulator fetches submitted links from unless told otherwise.
LOOPBACK_HOSTS: frozenset[str] = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass
class EmulatorOptions:
    """
    Behaviour switches of the emulator.

    :param password_login: When false the password login routes (``/api/login``,
        ``/api/login/classic``) and ``/api/key`` answer the HTML 404 page, as on the 2026 service.
    :param server_name: Short server name reported in status and history (``server`` field).
    :param download_chunk_delay: Seconds to wait after each fetched chunk; raise it to watch the
        ``downloading`` state, leave it at 0 for fast tests.
    :param download_chunk_size: Bytes read from the origin per chunk.
    :param uncached_steps: Progress steps an uncached seeded torrent goes through.
    :param uncached_step_delay: Seconds per progress step of an uncached seeded torrent.
    :param allowed_fetch_hosts: Hosts cloud and remote downloads may fetch from; a link to any other
        host ends in ``error`` without any network traffic. Loopback only by default.
    :param proxy_list_envelope: When true the proxy list answers ``{"list": [...]}`` (as one old client
        recorded it) instead of the documented bare array.
    :param aria2_control_files: When true the plain explore listing and the text list of a folder item
        end with a ``{item name}.aria2`` download-manager control file, as old listings did; its link
        answers 404 "The file is not available on the server.". The detailed listing never has it.
    :param detailed_explore: When false explore ignores ``format=detailed`` and always answers the old
        bare array of links (``{"error": "Bad archive"}`` for single-file items), as the service did
        before the detailed form existed.
    :param premium_required_402: When true an account without the ``premium`` add-on is refused on every
        submission route with HTTP 402 ``{"error": "premium required"}``, as the 2026 service refuses
        free accounts, instead of ``{"not_available": "premium"}`` on remote submissions only.
    :param max_request_body_bytes: Largest request body read; a larger one is answered HTTP 413
        ``{"error": ...}`` without being held in memory.
    """

    password_login: bool = True
    server_name: str = "emulator"
    download_chunk_delay: float = 0.0
    download_chunk_size: int = 64 * 1024
    uncached_steps: int = 4
    uncached_step_delay: float = 0.02
    allowed_fetch_hosts: frozenset[str] = field(default=LOOPBACK_HOSTS)
    proxy_list_envelope: bool = False
    aria2_control_files: bool = False
    detailed_explore: bool = True
    premium_required_402: bool = False
    max_request_body_bytes: int = DEFAULT_MAX_REQUEST_BODY_BYTES


class EmulatorState:
    """
    The shared state behind one emulator's routes.

    :param accounts: Accounts served.
    :param data_dir: Folder for downloaded content, seeded content and remote accounts' folders.
    :param seed: Seed of the request-id generator; ``None`` for random ids.
    :param options: Behaviour switches.
    """

    def __init__(
        self,
        accounts: list[EmulatorAccount],
        data_dir: Path,
        seed: int | None = None,
        options: EmulatorOptions | None = None,
    ) -> None:
        self.options = options or EmulatorOptions()
        self.data_dir = data_dir
        self.registry = AccountRegistry(accounts)
        self.store = TransferStore()
        self.ids = IdGenerator(seed)
        self.faults = FaultInjector(self.registry)
        self.request_log = RequestLog()
        self.seeds = SeedLibrary(data_dir / "seeds")
        self.runner = TransferRunner(self.options, self.seeds)
        # Known only once the socket is bound; routes read it to build download links.
        self.base_url = ""

    def cloud_directory(self, request_id: str) -> Path:
        """
        Return the folder holding a cloud or instant item's downloaded files.

        :param request_id: The item's id.
        """
        return self.data_dir / "cloud" / request_id

    def remote_directory(self, remote: RemoteAccount) -> Path:
        """
        Return the local folder standing in for a remote account.

        :param remote: The remote account.
        """
        if remote.directory is not None:
            return remote.directory
        return self.data_dir / "remote" / remote.remote_option_id
