"""Every OffcloudHook operation against the emulator on loopback, with each way of authenticating."""

from __future__ import annotations

import time

import pytest
import requests

from airflow_provider_offcloud.emulator import (
    ALL_ADDONS,
    DEMO_MULTI_FILE_TORRENT,
    DEMO_REMOTE_OPTION_ID,
    DEMO_SINGLE_FILE_TORRENT,
    DEMO_UNCACHED_TORRENT,
    DEMO_ZOMBIE_MAGNET,
    Addon,
    EmulatorOptions,
    demo_account,
)
from airflow_provider_offcloud.emulator.routes_account import PROXIES
from airflow_provider_offcloud.exceptions import (
    OffcloudBadInputError,
    OffcloudNotAvailableError,
    OffcloudRequestRejectedError,
)
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

pytestmark = pytest.mark.integration

# Files the origin_server fixture serves.
ORIGIN_MEDIUM_FILE = "medium.bin"
ORIGIN_LARGE_FILE = "large.bin"
ORIGIN_NESTED_FILE = "folder/name with spaces.bin"

_FINAL_STATUSES = ("downloaded", "error", "canceled")


def _make_hook() -> OffcloudHook:
    return OffcloudHook(max_attempts=3, backoff_seconds=0.01)


@pytest.fixture
def hook(emulator, offcloud_connection, auth_style, retry_waits) -> OffcloudHook:
    offcloud_connection(emulator, auth_style)
    return _make_hook()


def wait_until_final(hook: OffcloudHook, request_id: str, kind: str = "cloud", timeout: float = 15.0) -> dict:
    """Poll the hook until the item is final; fails the test when it takes longer than ``timeout``."""
    read = hook.remote_status if kind == "remote" else hook.cloud_status
    deadline = time.monotonic() + timeout
    while True:
        item = read(request_id)
        if item["status"] in _FINAL_STATUSES:
            return dict(item)
        if time.monotonic() > deadline:
            pytest.fail(f"{kind} item {request_id} still {item['status']!r} after {timeout} s.")
        time.sleep(0.02)


def _read_into(response: requests.Response, received: bytearray) -> None:
    """Read a streamed body into ``received``, keeping what arrived if the connection drops."""
    for chunk in response.iter_content(chunk_size=64 * 1024):
        received.extend(chunk)


def _expected_paths(torrent) -> list[str]:
    return [f"{torrent.name}/{seeded.path}" for seeded in torrent.files]


# -- account and catalog --------------------------------------------------------------------------------


def test_login_says_who_we_are(emulator, hook):
    who = hook.login()

    assert who["email"] == emulator.account.email
    assert who["userId"] in (emulator.account.user_id, str(emulator.account.numeric_user_id))


def test_check_login_is_true_with_good_credentials(hook):
    assert hook.check_login() is True


def test_account_info(emulator, hook):
    account = hook.account_info()

    assert account["email"] == emulator.account.email
    assert account["isPremium"] is True
    assert account["expirationDate"] == emulator.account.expiration_date.isoformat()


def test_test_connection_succeeds_and_names_the_account(emulator, hook):
    succeeded, message = hook.test_connection()

    assert succeeded is True
    assert emulator.account.email in message
    assert emulator.base_url in message


def test_list_proxies(hook):
    proxies = hook.list_proxies()

    assert [(proxy["id"], proxy["name"], proxy["region"]) for proxy in proxies] == [
        (proxy["id"], proxy["name"], proxy["region"]) for proxy in PROXIES
    ]


def test_list_proxies_in_the_list_envelope(emulator_factory, offcloud_connection):
    emulator = emulator_factory(options=EmulatorOptions(proxy_list_envelope=True))
    offcloud_connection(emulator)

    proxies = _make_hook().list_proxies()

    assert [proxy["id"] for proxy in proxies] == [proxy["id"] for proxy in PROXIES]


def test_list_remote_accounts(hook):
    remote_accounts = hook.list_remote_accounts()

    assert [(account["remoteOptionId"], account["username"]) for account in remote_accounts] == [
        (DEMO_REMOTE_OPTION_ID, "demo-ftp")
    ]


# -- cloud items ----------------------------------------------------------------------------------------


def test_cached_magnet_is_downloaded_at_once_and_has_a_status(hook):
    added = hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)
    status = hook.cloud_status(added["requestId"])

    assert added["status"] == "downloaded"
    assert status["requestId"] == added["requestId"]
    assert status["status"] == "downloaded"
    assert status["fileSize"] == DEMO_SINGLE_FILE_TORRENT.total_size
    assert status["progress"] == 1.0


def test_uncached_magnet_goes_through_progress_to_downloaded(hook):
    added = hook.cloud_download(DEMO_UNCACHED_TORRENT.magnet)

    final = wait_until_final(hook, added["requestId"])

    assert added["status"] in ("created", "downloading")
    assert final["status"] == "downloaded"
    assert final["fileSize"] == DEMO_UNCACHED_TORRENT.total_size


def test_cloud_history_lists_submitted_items_newest_first(hook):
    first = hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]
    second = hook.cloud_download(DEMO_MULTI_FILE_TORRENT.magnet)["requestId"]

    history = hook.cloud_history()

    assert [item["requestId"] for item in history] == [second, first]
    assert history[0]["isDirectory"] is True
    assert history[1]["fileSize"] == DEMO_SINGLE_FILE_TORRENT.total_size


def test_submitting_the_same_link_twice_gives_one_item(emulator, hook, origin_server):
    link = origin_server.url_for(ORIGIN_MEDIUM_FILE)

    first = hook.cloud_download(link)
    second = hook.cloud_download(link)

    assert first["requestId"] == second["requestId"]
    assert [item["requestId"] for item in hook.cloud_history()] == [first["requestId"]]
    assert len(emulator.store.all_items()) == 1


def test_explore_multi_file_torrent(hook):
    request_id = hook.cloud_download(DEMO_MULTI_FILE_TORRENT.magnet)["requestId"]

    files = hook.cloud_explore(request_id)

    assert [entry["path"] for entry in files] == _expected_paths(DEMO_MULTI_FILE_TORRENT)
    assert [entry["size"] for entry in files] == [
        seeded.byte_size for seeded in DEMO_MULTI_FILE_TORRENT.files
    ]
    readme = requests.get(files[2]["url"], timeout=10)
    assert readme.content == DEMO_MULTI_FILE_TORRENT.files[2].content


def test_explore_single_file_item(hook):
    request_id = hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]

    files = hook.cloud_explore(request_id)

    assert [(entry["name"], entry["path"], entry["size"]) for entry in files] == [
        ("demo-single.bin", "demo-single.bin", DEMO_SINGLE_FILE_TORRENT.total_size)
    ]
    assert len(requests.get(files[0]["url"], timeout=10).content) == DEMO_SINGLE_FILE_TORRENT.total_size


@pytest.fixture
def old_explore_hook(emulator_factory, offcloud_connection, retry_waits) -> tuple[OffcloudHook, object]:
    """A hook on an emulator whose explore knows only the old bare list, with ``.aria2`` entries."""
    emulator = emulator_factory(options=EmulatorOptions(detailed_explore=False, aria2_control_files=True))
    offcloud_connection(emulator)
    return _make_hook(), emulator


def test_explore_multi_file_on_the_old_service_with_control_files(old_explore_hook):
    hook, _ = old_explore_hook
    request_id = hook.cloud_download(DEMO_MULTI_FILE_TORRENT.magnet)["requestId"]

    files = hook.cloud_explore(request_id)

    # The old listing is links only; skipping the control entry is the transfer layer's job.
    real_files = [entry for entry in files if not entry["name"].endswith(".aria2")]
    assert [entry["name"] for entry in real_files] == [
        seeded.path.rsplit("/", 1)[-1] for seeded in DEMO_MULTI_FILE_TORRENT.files
    ]
    assert [requests.get(entry["url"], timeout=10).status_code for entry in real_files] == [200, 200, 200]


def test_explore_single_file_on_the_old_service_links_to_the_connection_host(old_explore_hook):
    hook, emulator = old_explore_hook
    request_id = hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]

    files = hook.cloud_explore(request_id)

    assert [(entry["name"], entry["size"]) for entry in files] == [
        ("demo-single.bin", DEMO_SINGLE_FILE_TORRENT.total_size)
    ]
    # Only the link's text is checked: fetching it would leave loopback when the bug is present.
    assert files[0]["url"] == f"{emulator.base_url}/cloud/download/{request_id}/demo-single.bin"


def test_explore_of_an_unfinished_item_is_refused(hook):
    request_id = hook.cloud_download(DEMO_ZOMBIE_MAGNET)["requestId"]

    with pytest.raises(OffcloudRequestRejectedError, match="not been downloaded yet"):
        hook.cloud_explore(request_id)


def test_remove_cloud_download(emulator, hook):
    request_id = hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]

    removed = hook.remove_cloud_download(request_id)

    assert removed is True
    assert emulator.item(request_id) is None
    with pytest.raises(OffcloudRequestRejectedError, match="transfer not found"):
        hook.cloud_status(request_id)
    # Once removed, the same link makes a new item.
    assert hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"] != request_id


def test_retry_cloud_download_after_the_origin_recovers(hook, origin_server):
    late_file = origin_server.root / "late.bin"
    request_id = hook.cloud_download(origin_server.url_for("late.bin"))["requestId"]
    failed = wait_until_final(hook, request_id)
    late_file.write_bytes(b"now it exists\n" * 100)

    accepted = hook.retry_cloud_download(request_id)
    final = wait_until_final(hook, request_id)

    assert failed["status"] == "error"
    assert failed["errorMessage"]
    assert accepted is True
    assert final["status"] == "downloaded"
    link = hook.cloud_explore(request_id)[0]["url"]
    assert requests.get(link, timeout=10).content == late_file.read_bytes()


def test_retry_of_a_finished_item_is_refused(hook):
    request_id = hook.cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)["requestId"]

    with pytest.raises(OffcloudRequestRejectedError, match="Only failed transfers"):
        hook.retry_cloud_download(request_id)


def test_bad_request_id_is_refused_before_sending(emulator, hook):
    before = len(emulator.request_log.entries("cloud_status"))

    with pytest.raises(OffcloudBadInputError):
        hook.cloud_status("../../etc/passwd")

    assert len(emulator.request_log.entries("cloud_status")) == before


# -- cache ----------------------------------------------------------------------------------------------


def test_check_cache_with_hashes_and_magnets(hook):
    missing_hash = "4" * 40
    asked = [
        DEMO_SINGLE_FILE_TORRENT.info_hash,
        DEMO_MULTI_FILE_TORRENT.info_hash.upper(),
        DEMO_MULTI_FILE_TORRENT.magnet,
        DEMO_UNCACHED_TORRENT.info_hash,
        DEMO_ZOMBIE_MAGNET,
        missing_hash,
    ]

    cached = hook.check_cache(asked)

    assert cached == {
        DEMO_SINGLE_FILE_TORRENT.info_hash: True,
        DEMO_MULTI_FILE_TORRENT.info_hash.upper(): True,
        DEMO_MULTI_FILE_TORRENT.magnet: True,
        DEMO_UNCACHED_TORRENT.info_hash: False,
        DEMO_ZOMBIE_MAGNET: False,
        missing_hash: False,
    }


def test_check_cache_of_only_misses(hook):
    assert hook.check_cache(["5" * 40, DEMO_ZOMBIE_MAGNET]) == {"5" * 40: False, DEMO_ZOMBIE_MAGNET: False}


# -- instant and remote ---------------------------------------------------------------------------------


def test_instant_download_gives_a_link(hook, origin_server):
    link = origin_server.url_for(ORIGIN_MEDIUM_FILE)

    item = hook.instant_download(link)

    assert item["requestId"]
    assert item["originalLink"] == link
    assert item["url"]


def test_instant_download_through_a_proxy(hook, origin_server):
    proxy_id = hook.list_proxies()[0]["id"]

    item = hook.instant_download(origin_server.url_for(ORIGIN_MEDIUM_FILE), proxy_id=proxy_id)

    assert item["requestId"]


def test_remote_download_reaches_the_remote_account(emulator, hook, origin_server):
    link = origin_server.url_for(ORIGIN_NESTED_FILE)

    added = hook.remote_download(link, DEMO_REMOTE_OPTION_ID)
    final = wait_until_final(hook, added["requestId"], kind="remote")

    assert final["status"] == "downloaded"
    delivered = emulator.remote_directory(DEMO_REMOTE_OPTION_ID) / "name with spaces.bin"
    assert delivered.read_bytes() == (origin_server.root / ORIGIN_NESTED_FILE).read_bytes()


def test_remote_download_to_an_unknown_remote_account_is_refused(hook, origin_server):
    with pytest.raises(OffcloudRequestRejectedError, match="remote account was not found"):
        hook.remote_download(origin_server.url_for(ORIGIN_MEDIUM_FILE), "000000000000000000000000")


# -- plans without an add-on ----------------------------------------------------------------------------


def test_free_account_refused_with_http_402_gets_not_available_premium(
    emulator_factory, offcloud_connection, retry_waits
):
    free_account = demo_account(addons=ALL_ADDONS - {Addon.PREMIUM})
    emulator = emulator_factory(accounts=[free_account], options=EmulatorOptions(premium_required_402=True))
    offcloud_connection(emulator)

    with pytest.raises(OffcloudNotAvailableError, match="premium") as caught:
        _make_hook().cloud_download(DEMO_SINGLE_FILE_TORRENT.magnet)

    assert caught.value.reason == "premium"
    assert retry_waits == []
    assert [entry.status_code for entry in emulator.request_log.entries("cloud_add")] == [402]


@pytest.mark.parametrize(
    ("missing_addon", "submit"),
    [
        (Addon.CLOUD, lambda hook, link: hook.cloud_download(link)),
        (Addon.LINKS, lambda hook, link: hook.instant_download(link)),
        (Addon.PREMIUM, lambda hook, link: hook.remote_download(link, DEMO_REMOTE_OPTION_ID)),
    ],
)
def test_plan_without_an_add_on_gets_not_available(
    emulator_factory, offcloud_connection, origin_server, retry_waits, missing_addon, submit
):
    emulator = emulator_factory(accounts=[demo_account(addons=ALL_ADDONS - {missing_addon})])
    offcloud_connection(emulator)

    with pytest.raises(OffcloudNotAvailableError) as caught:
        submit(_make_hook(), origin_server.url_for(ORIGIN_MEDIUM_FILE))

    assert caught.value.reason == missing_addon.value
    assert emulator.store.all_items() == []


# -- real files -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin_file", [ORIGIN_MEDIUM_FILE, ORIGIN_LARGE_FILE, ORIGIN_NESTED_FILE])
def test_fetched_file_downloads_back_byte_identical(hook, origin_server, origin_file):
    request_id = hook.cloud_download(origin_server.url_for(origin_file))["requestId"]
    final = wait_until_final(hook, request_id)

    files = hook.cloud_explore(request_id)
    downloaded = requests.get(files[0]["url"], timeout=10)

    expected = (origin_server.root / origin_file).read_bytes()
    assert final["status"] == "downloaded"
    assert final["fileSize"] == len(expected)
    assert downloaded.status_code == 200
    assert int(downloaded.headers["Content-Length"]) == len(expected)
    assert downloaded.content == expected


def test_range_resume_after_a_dropped_connection(emulator, hook, origin_server):
    request_id = hook.cloud_download(origin_server.url_for(ORIGIN_LARGE_FILE))["requestId"]
    wait_until_final(hook, request_id)
    link = hook.cloud_explore(request_id)[0]["url"]
    expected = (origin_server.root / ORIGIN_LARGE_FILE).read_bytes()
    emulator.faults.inject("file_download", kind="drop_connection", times=1, after_bytes=1024 * 1024 + 5)

    received = bytearray()
    with requests.get(link, stream=True, timeout=10) as first_try:
        assert first_try.status_code == 200
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            _read_into(first_try, received)
    resumed = requests.get(link, headers={"Range": f"bytes={len(received)}-"}, timeout=10)

    assert 0 < len(received) < len(expected)
    assert resumed.status_code == 206
    assert resumed.headers["Content-Range"] == f"bytes {len(received)}-{len(expected) - 1}/{len(expected)}"
    assert bytes(received) + resumed.content == expected
