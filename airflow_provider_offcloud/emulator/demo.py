"""The documented demo account and demo torrents the emulator serves when no account is given."""

from __future__ import annotations

from airflow_provider_offcloud.emulator.accounts import ALL_ADDONS, Addon, EmulatorAccount, RemoteAccount
from airflow_provider_offcloud.emulator.seeds import SeededFile, SeededTorrent

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_API_KEY = "DEMOKEY0000000000000000000000000"
DEMO_REMOTE_OPTION_ID = "5a1b2c3d4e5f60718293a4b5"

#: A cached single-file torrent: adding its magnet answers ``downloaded`` at once.
DEMO_SINGLE_FILE_TORRENT = SeededTorrent(
    info_hash="1111111111111111111111111111111111111111",
    name="demo-single.bin",
    files=(SeededFile(path="demo-single.bin", size=48 * 1024),),
)

#: A cached multi-file torrent with nested folders, listed through explore.
DEMO_MULTI_FILE_TORRENT = SeededTorrent(
    info_hash="2222222222222222222222222222222222222222",
    name="Demo Season 1",
    files=(
        SeededFile(path="Episode 1.mkv", size=32 * 1024),
        SeededFile(path="Extras/Making of.mkv", size=16 * 1024),
        SeededFile(path="readme.txt", content=b"Demo torrent served by the Offcloud emulator.\n"),
    ),
)

#: A seeded torrent that is not cached yet: it goes through ``created`` and ``downloading``.
DEMO_UNCACHED_TORRENT = SeededTorrent(
    info_hash="3333333333333333333333333333333333333333",
    name="demo-uncached.bin",
    files=(SeededFile(path="demo-uncached.bin", size=64 * 1024),),
    cached=False,
)

#: A well-formed magnet no account is seeded with: it stays ``created`` with "Loading..." forever.
DEMO_ZOMBIE_MAGNET = "magnet:?xt=urn:btih:dead00000000000000000000000000000000beef&dn=never-finishes"

DEMO_TORRENTS = (DEMO_SINGLE_FILE_TORRENT, DEMO_MULTI_FILE_TORRENT, DEMO_UNCACHED_TORRENT)


def demo_account(
    email: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
    api_key: str = DEMO_API_KEY,
    addons: frozenset[Addon] = ALL_ADDONS,
) -> EmulatorAccount:
    """
    Build the demo account: every add-on, one FTP remote account and the demo torrents.

    :param email: Login e-mail.
    :param password: Login password.
    :param api_key: API key.
    :param addons: Add-ons of the plan.
    """
    return EmulatorAccount(
        email=email,
        password=password,
        api_key=api_key,
        addons=addons,
        remote_accounts=(RemoteAccount(remote_option_id=DEMO_REMOTE_OPTION_ID, username="demo-ftp"),),
        seeded_torrents=DEMO_TORRENTS,
    )
