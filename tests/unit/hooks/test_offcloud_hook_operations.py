"""Every OffcloudHook operation against the answer shapes of both API generations, and route fall-backs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hook_fakes import BASE_URL, html_page, requests_to

from airflow_provider_offcloud.exceptions import OffcloudApiError, OffcloudRouteMissingError
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.normalize import OffcloudFile, OffcloudItem

pytestmark = pytest.mark.usefixtures("api_key_connection")

MAGNET_HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MAGNET = f"magnet:?xt=urn:btih:{MAGNET_HASH}&dn=ubuntu"
REQUEST_ID = "687c464c70af281d65927375"
ITEM_KEYS = set(OffcloudItem.__annotations__)
FILE_KEYS = set(OffcloudFile.__annotations__)

CLASSIC_SUBMISSION = {
    "requestId": REQUEST_ID,
    "fileName": "ubuntu.iso",
    "site": "BitTorrent",
    "status": "created",
    "originalLink": MAGNET,
    "url": f"https://srv7.offcloud.com/cloud/download/{REQUEST_ID}",
    "createdOn": "2026-03-01T10:00:00.000Z",
}
CURRENT_SUBMISSION = {
    "requestId": REQUEST_ID,
    "fileName": "ubuntu.iso",
    "status": "downloaded",
    "originalLink": MAGNET + "&tr=udp%3A%2F%2Ftracker.example%3A1337",
}


def round_trip(value: Any) -> Any:
    """What a result looks like after going through XCom's JSON."""
    return json.loads(json.dumps(value))


@pytest.fixture
def hook() -> OffcloudHook:
    return OffcloudHook()


class TestSubmissions:
    @pytest.mark.parametrize(
        ("answer", "status", "progress"),
        [(CLASSIC_SUBMISSION, "created", None), (CURRENT_SUBMISSION, "downloaded", 1.0)],
        ids=["classic", "current-cached"],
    )
    def test_cloud_download_normalises_both_generations(self, hook, requests_mock, answer, status, progress):
        requests_mock.post(f"{BASE_URL}/api/cloud", json=answer)

        item = hook.cloud_download(MAGNET)

        assert item["requestId"] == REQUEST_ID
        assert item["status"] == status
        assert item["progress"] == progress
        assert item["originalLink"] == answer["originalLink"]
        assert set(item) == ITEM_KEYS
        assert round_trip(item) == item
        assert requests_mock.last_request.json() == {"url": MAGNET}

    def test_cloud_download_falls_back_to_the_2014_route_and_remembers_it(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/cloud", status_code=404, text=html_page("404 Not Found"))
        requests_mock.post(f"{BASE_URL}/api/cloud/download", json=CLASSIC_SUBMISSION)

        first = hook.cloud_download(MAGNET)
        second = hook.cloud_download("https://files.example/archive.zip")

        assert first["requestId"] == second["requestId"] == REQUEST_ID
        assert len(requests_to(requests_mock, "/api/cloud")) == 1
        fallback_requests = requests_to(requests_mock, "/api/cloud/download")
        assert len(fallback_requests) == 2
        # The 2014 route took form fields, not JSON.
        assert "url=https%3A%2F%2Ffiles.example%2Farchive.zip" in fallback_requests[1].text

    def test_wrong_verb_page_also_falls_back(self, hook, requests_mock):
        requests_mock.post(
            f"{BASE_URL}/api/instant", status_code=405, text=html_page("405 Method Not Allowed")
        )
        requests_mock.post(f"{BASE_URL}/api/instant/download", json={**CLASSIC_SUBMISSION, "site": "Mega"})

        item = hook.instant_download("https://mega.example/file/abc", proxy_id="p1")

        assert item["site"] == "Mega"
        assert "proxyId=p1" in requests_mock.last_request.text

    def test_no_route_left_names_the_operation_and_host(self, hook, requests_mock):
        for path in ("/api/cloud", "/api/cloud/download"):
            requests_mock.post(f"{BASE_URL}{path}", status_code=404, text=html_page("Not Found"))

        with pytest.raises(OffcloudRouteMissingError, match="cloud_download") as caught:
            hook.cloud_download(MAGNET)

        assert BASE_URL in str(caught.value)

    def test_remote_download_sends_account_and_folder(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/remote", json={**CLASSIC_SUBMISSION, "url": None})

        item = hook.remote_download(MAGNET, remote_option_id="acc-1", folder_id="drive-folder")

        assert item["requestId"] == REQUEST_ID
        assert requests_mock.last_request.json() == {
            "url": MAGNET,
            "remoteOptionId": "acc-1",
            "folderId": "drive-folder",
        }


class TestStatus:
    @pytest.mark.parametrize(
        ("answer", "expected"),
        [
            pytest.param(
                {
                    "status": {
                        "requestId": REQUEST_ID,
                        "status": "downloading",
                        "fileName": "ubuntu.iso",
                        "fileSize": "2000",
                        "amount": "500",
                        "downloadingSpeed": "2 MB/s",
                        "server": "srv7",
                    }
                },
                {"status": "downloading", "fileSize": 2000, "amount": 500, "progress": 0.25},
                id="classic-wrapped-bytes",
            ),
            pytest.param(
                {"requestId": REQUEST_ID, "status": "downloading", "progress": 0.4, "message": None},
                {"status": "downloading", "fileSize": None, "amount": None, "progress": 0.4},
                id="current-flat-fraction",
            ),
            pytest.param(
                {"status": {"requestId": REQUEST_ID, "status": "downloaded", "progress": None}},
                {"status": "downloaded", "progress": 1.0},
                id="current-finished-null-progress",
            ),
            pytest.param(
                {
                    "status": {
                        "request_id": REQUEST_ID,
                        "status": "error",
                        "file_size": 10,
                        "error_message": "Cannot download torrent. Timeout.",
                    }
                },
                {"status": "error", "fileSize": 10, "errorMessage": "Cannot download torrent. Timeout."},
                id="snake-case-error",
            ),
        ],
    )
    def test_cloud_status_shapes(self, hook, requests_mock, answer, expected):
        requests_mock.post(f"{BASE_URL}/api/cloud/status", json=answer)

        item = hook.cloud_status(REQUEST_ID)

        assert {key: item[key] for key in expected} == expected
        assert item["requestId"] == REQUEST_ID
        assert round_trip(item) == item
        assert requests_mock.last_request.json() == {"requestId": REQUEST_ID}

    def test_remote_status_reads_the_wrapped_classic_answer(self, hook, requests_mock):
        requests_mock.post(
            f"{BASE_URL}/api/remote/status",
            json={"status": {"status": "downloaded", "amount": 0, "fileSize": 835210861, "requestId": "r1"}},
        )

        item = hook.remote_status("r1")

        assert (item["status"], item["fileSize"], item["progress"]) == ("downloaded", 835210861, 1.0)

    def test_status_without_request_id_is_an_api_error_not_a_key_error(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/remote/status", json={})

        with pytest.raises(OffcloudApiError, match="request id"):
            hook.remote_status("r1")


class TestHistory:
    @pytest.mark.parametrize(
        "answer",
        [
            pytest.param(
                [
                    {**CLASSIC_SUBMISSION, "fileSize": "1024", "isDirectory": "true"},
                    {"requestId": "b" * 24, "status": "error", "createdOn": "2026-02-01T00:00:00Z"},
                ],
                id="classic-bare-array",
            ),
            pytest.param(
                {
                    "data": [
                        {**CLASSIC_SUBMISSION, "fileSize": 1024, "isDirectory": True},
                        {"requestId": "b" * 24},
                    ]
                },
                id="data-envelope",
            ),
            pytest.param(
                {
                    "history": [
                        {**CLASSIC_SUBMISSION, "fileSize": 1024, "isDirectory": 1},
                        {"requestId": "b" * 24},
                    ]
                },
                id="website-history-envelope",
            ),
        ],
    )
    def test_cloud_history_shapes(self, hook, requests_mock, answer):
        requests_mock.get(f"{BASE_URL}/api/cloud/history", json=answer)

        history = hook.cloud_history()

        assert [item["requestId"] for item in history] == [REQUEST_ID, "b" * 24]
        assert history[0]["fileSize"] == 1024
        assert history[0]["isDirectory"] is True
        assert all(set(item) == ITEM_KEYS for item in history)
        assert round_trip(history) == history

    def test_placeholders_without_id_are_dropped(self, hook, requests_mock):
        requests_mock.get(f"{BASE_URL}/api/cloud/history", json=[{"metaData": "hide"}, CURRENT_SUBMISSION])

        assert [item["requestId"] for item in hook.cloud_history()] == [REQUEST_ID]


class TestExplore:
    EXPLORE_URL = f"{BASE_URL}/api/cloud/explore/{REQUEST_ID}"

    def test_bare_link_array_gives_paths_after_the_file_index(self, hook, requests_mock):
        requests_mock.get(
            self.EXPLORE_URL,
            json=[
                f"https://srv7.offcloud.com/cloud/download/{REQUEST_ID}/1/Season%201/episode%201.mkv",
                f"https://srv7.offcloud.com/cloud/download/{REQUEST_ID}/2/Season%201/notes.txt",
            ],
        )

        files = hook.cloud_explore(REQUEST_ID)

        assert [(entry["name"], entry["path"], entry["size"]) for entry in files] == [
            ("episode 1.mkv", "Season 1/episode 1.mkv", None),
            ("notes.txt", "Season 1/notes.txt", None),
        ]
        assert requests_mock.last_request.qs == {"format": ["detailed"]}

    def test_detailed_listing_keeps_sizes_and_paths(self, hook, requests_mock):
        requests_mock.get(
            self.EXPLORE_URL,
            json={
                "files": [
                    {
                        "id": "f1",
                        "name": "episode 1.mkv",
                        "size": "734003200",
                        "path": "/Show/Season 1/episode 1.mkv",
                        "url": "https://1-cdn2.energycdn.test/obj/episode%201.mkv",
                    }
                ]
            },
        )

        files = hook.cloud_explore(REQUEST_ID)

        assert files == [
            {
                "name": "episode 1.mkv",
                "path": "Show/Season 1/episode 1.mkv",
                "size": 734003200,
                "url": "https://1-cdn2.energycdn.test/obj/episode%201.mkv",
            }
        ]
        assert set(files[0]) == FILE_KEYS
        assert round_trip(files) == files

    def test_bad_archive_builds_the_single_file_from_status(self, hook, requests_mock):
        requests_mock.get(self.EXPLORE_URL, json={"error": "Bad archive"})
        requests_mock.post(
            f"{BASE_URL}/api/cloud/status",
            json={
                "status": {
                    "requestId": REQUEST_ID,
                    "status": "downloaded",
                    "fileName": "my file.iso",
                    "fileSize": 42,
                    "server": "srv7",
                }
            },
        )

        files = hook.cloud_explore(REQUEST_ID)

        assert files == [
            {
                "name": "my file.iso",
                "path": "my file.iso",
                "size": 42,
                # Not offcloud.com (a proxy, the emulator): the files are on the connection's own host.
                "url": f"{BASE_URL}/cloud/download/{REQUEST_ID}/my%20file.iso",
            }
        ]
        assert round_trip(files) == files

    def test_bad_archive_on_offcloud_com_links_to_the_items_server(self, requests_mock, monkeypatch):
        monkeypatch.setenv(
            "AIRFLOW_CONN_OFFCLOUD_DEFAULT",
            json.dumps({"conn_type": "offcloud", "host": "offcloud.com", "extra": {"api_key": "K" * 32}}),
        )
        requests_mock.get(
            f"https://offcloud.com/api/cloud/explore/{REQUEST_ID}?format=detailed",
            json={"error": "Bad archive"},
        )
        requests_mock.post(
            "https://offcloud.com/api/cloud/status",
            json={
                "status": {
                    "requestId": REQUEST_ID,
                    "status": "downloaded",
                    "fileName": "a.iso",
                    "server": "srv7",
                }
            },
        )

        (single,) = OffcloudHook().cloud_explore(REQUEST_ID)

        assert single["url"] == f"https://srv7.offcloud.com/cloud/download/{REQUEST_ID}/a.iso"

    def test_bad_archive_without_server_uses_the_connection_host(self, hook, requests_mock):
        requests_mock.get(self.EXPLORE_URL, json={"error": "Bad archive"})
        requests_mock.post(
            f"{BASE_URL}/api/cloud/status",
            json={"requestId": REQUEST_ID, "status": "downloaded", "fileName": "a.bin"},
        )

        [single] = hook.cloud_explore(REQUEST_ID)

        assert single["url"] == f"{BASE_URL}/cloud/download/{REQUEST_ID}/a.bin"

    def test_detailed_path_holding_only_the_folder_still_ends_with_the_name(self, hook, requests_mock):
        requests_mock.get(
            self.EXPLORE_URL,
            json={"files": [{"name": "a.mkv", "path": "Show/Season 1", "url": "https://cdn.test/a.mkv"}]},
        )

        [entry] = hook.cloud_explore(REQUEST_ID)

        assert entry["path"] == "Show/Season 1/a.mkv"


class TestRemoveAndRetry:
    def test_remove_by_get_under_api(self, hook, requests_mock):
        requests_mock.get(f"{BASE_URL}/api/cloud/remove/{REQUEST_ID}", json={"success": True})

        assert hook.remove_cloud_download(REQUEST_ID) is True
        assert requests_mock.call_count == 1

    def test_remove_falls_back_to_the_batch_post(self, hook, requests_mock):
        requests_mock.get(f"{BASE_URL}/api/cloud/remove/{REQUEST_ID}", status_code=405, text=html_page("405"))
        requests_mock.post(f"{BASE_URL}/api/cloud/remove", json={"success": True})

        assert hook.remove_cloud_download(REQUEST_ID) is True
        assert requests_mock.last_request.json() == {"requests": [REQUEST_ID]}

    def test_remove_reports_a_refusal_as_false(self, hook, requests_mock):
        requests_mock.get(f"{BASE_URL}/api/cloud/remove/{REQUEST_ID}", json={"success": False})

        assert hook.remove_cloud_download(REQUEST_ID) is False

    @pytest.mark.parametrize(("answer", "expected"), [({"success": True}, True), ({"success": False}, False)])
    def test_retry(self, hook, requests_mock, answer, expected):
        requests_mock.get(f"{BASE_URL}/api/cloud/retry/{REQUEST_ID}", json=answer)

        assert hook.retry_cloud_download(REQUEST_ID) is expected


class TestLists:
    @pytest.mark.parametrize(
        "answer",
        [
            [{"id": "p1", "name": "Main (US)", "region": "us"}],
            {"list": [{"id": "p1", "name": "Main (US)", "region": "us"}]},
        ],
        ids=["documented-array", "list-envelope"],
    )
    def test_list_proxies(self, hook, requests_mock, answer):
        requests_mock.post(f"{BASE_URL}/api/proxy", json=answer)

        proxies = hook.list_proxies()

        assert proxies == [{"id": "p1", "name": "Main (US)", "region": "us"}]
        assert round_trip(proxies) == proxies

    @pytest.mark.parametrize(
        "answer",
        [
            [{"accountId": "acc-1", "type": "ftp", "username": "me", "host": "ftp.example", "port": 21}],
            {
                "data": [
                    {
                        "remoteOptionId": "acc-1",
                        "type": "ftp",
                        "username": "me",
                        "host": "ftp.example",
                        "port": "21",
                    }
                ]
            },
        ],
        ids=["2018-accountId-array", "data-remoteOptionId"],
    )
    def test_list_remote_accounts(self, hook, requests_mock, answer):
        requests_mock.post(f"{BASE_URL}/api/remote/accounts", json=answer)

        [account] = hook.list_remote_accounts()

        assert (account["remoteOptionId"], account["host"], account["port"]) == ("acc-1", "ftp.example", 21)
        assert round_trip(account) == account

    def test_remote_accounts_fall_back_through_older_routes(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/remote/accounts", status_code=404, text="Page not found.")
        requests_mock.post(
            f"{BASE_URL}/api/remote-account/list", status_code=404, text=html_page("Not Found")
        )
        requests_mock.post(f"{BASE_URL}/api/account/remote/all", json={"data": [{"remoteOptionId": "x"}]})

        assert [account["remoteOptionId"] for account in hook.list_remote_accounts()] == ["x"]


class TestCache:
    UPPER = MAGNET_HASH.upper()
    OTHER = "0" * 40

    def test_cached_items_answer_hits_only_in_any_case(self, hook, requests_mock):
        requests_mock.post(
            f"{BASE_URL}/api/cache",
            json={"cachedItems": [self.UPPER, "ffffffffffffffffffffffffffffffffffffffff"]},
        )

        result = hook.check_cache([MAGNET, self.OTHER, self.UPPER])

        assert result == {MAGNET: True, self.OTHER: False, self.UPPER: True}
        assert sorted(requests_mock.last_request.json()["hashes"]) == sorted({MAGNET_HASH, self.OTHER})
        assert round_trip(result) == result

    def test_missing_cached_items_means_nothing_cached(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/cache", json={})

        assert hook.check_cache([self.OTHER]) == {self.OTHER: False}

    def test_cache_info_fallback_sends_magnets_and_reads_the_aligned_array(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/cache", status_code=404, text=html_page("404 Not Found"))
        requests_mock.post(
            f"{BASE_URL}/api/cache/info", json=[{"cached": False, "files": []}, {"cached": True, "files": []}]
        )

        result = hook.check_cache([MAGNET_HASH, self.OTHER])

        sent = requests_mock.last_request.json()
        assert sent["urls"] == [f"magnet:?xt=urn:btih:{value}" for value in sorted([MAGNET_HASH, self.OTHER])]
        assert sent["includeFiles"] is False
        # Sorted order sends OTHER ("000...") first: the answer is aligned with what was sent.
        assert result == {MAGNET_HASH: True, self.OTHER: False}

    def test_a_single_string_is_one_value(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/cache", json={"cachedItems": [MAGNET_HASH]})

        assert hook.check_cache(MAGNET_HASH) == {MAGNET_HASH: True}

    def test_large_checks_are_split_into_chunks(self, hook, requests_mock):
        requests_mock.post(f"{BASE_URL}/api/cache", json={"cachedItems": []})
        hashes = [f"{number:040x}" for number in range(250)]

        result = hook.check_cache(hashes)

        assert len(result) == 250
        assert [len(request.json()["hashes"]) for request in requests_mock.request_history] == [100, 100, 50]


class TestAccount:
    def test_current_account_info(self, hook, requests_mock):
        requests_mock.get(
            f"{BASE_URL}/api/account/info",
            json={
                "user_id": 100000001,
                "email": "owner@example.com",
                "is_premium": True,
                "expiration_date": "2026-12-31",
                "can_download": True,
            },
        )

        account = hook.account_info()

        assert account == {
            "userId": "100000001",
            "email": "owner@example.com",
            "isPremium": True,
            "expirationDate": "2026-12-31",
            "canDownload": True,
            "limits": {},
        }
        assert round_trip(account) == account

    def test_classic_account_stats_after_a_missing_info_route(self, hook, requests_mock):
        requests_mock.get(f"{BASE_URL}/api/account/info", status_code=404, text=html_page("Not Found"))
        requests_mock.get(
            f"{BASE_URL}/api/account/stats",
            json={
                "userId": "53f89e52822c8bf413000008",
                "email": "owner@example.com",
                "isPremium": 1,
                "expirationDate": "31-12-2026",
                "limits": {"links": 100, "cloud": 2000},
            },
        )

        first = hook.account_info()
        second = hook.account_info()

        assert first == second
        assert first["expirationDate"] == "2026-12-31"
        assert first["isPremium"] is True
        assert first["limits"] == {"links": 100, "cloud": 2000}
        assert len(requests_to(requests_mock, "/api/account/info")) == 1
        assert round_trip(first) == first
