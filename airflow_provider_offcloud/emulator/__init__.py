"""A local emulator of the Offcloud.com API for tests, demos and benchmarks."""

from __future__ import annotations

from airflow_provider_offcloud.emulator.accounts import ALL_ADDONS, Addon, EmulatorAccount, RemoteAccount
from airflow_provider_offcloud.emulator.demo import (
    DEMO_API_KEY,
    DEMO_EMAIL,
    DEMO_MULTI_FILE_TORRENT,
    DEMO_PASSWORD,
    DEMO_REMOTE_OPTION_ID,
    DEMO_SINGLE_FILE_TORRENT,
    DEMO_UNCACHED_TORRENT,
    DEMO_ZOMBIE_MAGNET,
    demo_account,
)
from airflow_provider_offcloud.emulator.faults import Fault, FaultInjector, FaultKind
from airflow_provider_offcloud.emulator.origin import OriginServer
from airflow_provider_offcloud.emulator.request_log import RequestLog, RequestLogEntry
from airflow_provider_offcloud.emulator.seeds import SeededFile, SeededTorrent
from airflow_provider_offcloud.emulator.server import OffcloudEmulator
from airflow_provider_offcloud.emulator.state import EmulatorOptions
from airflow_provider_offcloud.emulator.store import TransferItem, TransferKind, TransferStatus

__all__ = [
    "ALL_ADDONS",
    "DEMO_API_KEY",
    "DEMO_EMAIL",
    "DEMO_MULTI_FILE_TORRENT",
    "DEMO_PASSWORD",
    "DEMO_REMOTE_OPTION_ID",
    "DEMO_SINGLE_FILE_TORRENT",
    "DEMO_UNCACHED_TORRENT",
    "DEMO_ZOMBIE_MAGNET",
    "Addon",
    "EmulatorAccount",
    "EmulatorOptions",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "OffcloudEmulator",
    "OriginServer",
    "RemoteAccount",
    "RequestLog",
    "RequestLogEntry",
    "SeededFile",
    "SeededTorrent",
    "TransferItem",
    "TransferKind",
    "TransferStatus",
    "demo_account",
]
