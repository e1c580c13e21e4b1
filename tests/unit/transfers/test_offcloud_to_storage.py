"""OffcloudToStorageOperator: item checks, multi-file copies, existing files, XCom and asset events."""

from __future__ import annotations

import hashlib
import json

import pytest
from airflow.sdk import Asset, AssetAlias, ObjectStoragePath
from airflow.sdk.execution_time.context import OutletEventAccessors
from transfer_doubles import CDN, REQUEST_ID, FakeFileServer, file_entry, mock_item

from airflow_provider_offcloud.exceptions import OffcloudBadInputError, OffcloudDownloadFailedError
from airflow_provider_offcloud.transfers.errors import (
    OffcloudDestinationExistsError,
    OffcloudItemNotReadyError,
    OffcloudUnsafePathError,
)
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator, request_id_from

EPISODE = b"episode bytes " * 5000
NOTES = b"some notes\n"


@pytest.fixture
def destination(tmp_path) -> str:
    return f"file://{tmp_path}/landing/"


@pytest.fixture
def item_files(requests_mock) -> dict[str, FakeFileServer]:
    """A folder item with two files and an aria2 control file, served from a CDN origin."""
    servers = {
        "Show/Season 1/e01.mkv": FakeFileServer(f"{CDN}/obj/1/e01.mkv", EPISODE),
        "Show/notes.txt": FakeFileServer(f"{CDN}/obj/2/notes.txt", NOTES),
        "Show/e01.mkv.aria2": FakeFileServer(f"{CDN}/obj/3/e01.mkv.aria2", b"control"),
    }
    for server in servers.values():
        requests_mock.add_matcher(server)
    mock_item(
        requests_mock, [file_entry(path, server.content, server.url) for path, server in servers.items()]
    )
    return servers


def _operator(offcloud_connection: str, destination: str, **kwargs) -> OffcloudToStorageOperator:
    return OffcloudToStorageOperator(
        task_id="land",
        request_id=kwargs.pop("request_id", REQUEST_ID),
        destination=destination,
        offcloud_conn_id=offcloud_connection,
        chunk_size=4096,
        progress_interval=0,
        backoff_seconds=0.01,
        **kwargs,
    )


def _run(operator: OffcloudToStorageOperator) -> tuple[list[dict], OutletEventAccessors]:
    events = OutletEventAccessors()
    result = operator.execute(context={"outlet_events": events})
    return result, events


def test_every_content_file_lands_in_the_item_layout(offcloud_connection, destination, item_files, pauses):
    result, _events = _run(_operator(offcloud_connection, destination))

    landing = ObjectStoragePath(destination)
    assert (landing / "Show/Season 1/e01.mkv").read_bytes() == EPISODE
    assert (landing / "Show/notes.txt").read_bytes() == NOTES
    assert not (landing / "Show/e01.mkv.aria2").exists()
    assert item_files["Show/e01.mkv.aria2"].requests == []
    assert json.loads(json.dumps(result)) == [
        {
            "path": str(landing / "Show/Season 1/e01.mkv"),
            "relative_path": "Show/Season 1/e01.mkv",
            "size": len(EPISODE),
            "sha256": hashlib.sha256(EPISODE).hexdigest(),
            "skipped": False,
        },
        {
            "path": str(landing / "Show/notes.txt"),
            "relative_path": "Show/notes.txt",
            "size": len(NOTES),
            "sha256": hashlib.sha256(NOTES).hexdigest(),
            "skipped": False,
        },
    ]


def test_a_file_already_there_with_the_right_size_is_not_downloaded(
    offcloud_connection, destination, item_files, pauses
):
    landing = ObjectStoragePath(destination)
    (landing / "Show").mkdir(parents=True, exist_ok=True)
    (landing / "Show/notes.txt").write_bytes(NOTES)

    result, _events = _run(_operator(offcloud_connection, destination))

    assert item_files["Show/notes.txt"].requests == []
    assert len(item_files["Show/Season 1/e01.mkv"].requests) == 1
    notes = next(entry for entry in result if entry["relative_path"] == "Show/notes.txt")
    assert notes["skipped"] is True
    assert notes["sha256"] == hashlib.sha256(NOTES).hexdigest()


def test_running_twice_downloads_nothing_the_second_time(
    offcloud_connection, destination, item_files, pauses
):
    _run(_operator(offcloud_connection, destination))
    for server in item_files.values():
        server.requests.clear()

    result, _events = _run(_operator(offcloud_connection, destination))

    assert all(server.requests == [] for server in item_files.values())
    assert [entry["skipped"] for entry in result] == [True, True]


def test_a_file_there_with_another_size_is_copied_again(offcloud_connection, destination, item_files, pauses):
    landing = ObjectStoragePath(destination)
    (landing / "Show").mkdir(parents=True, exist_ok=True)
    (landing / "Show/notes.txt").write_bytes(b"old")

    result, _events = _run(_operator(offcloud_connection, destination))

    assert (landing / "Show/notes.txt").read_bytes() == NOTES
    assert [entry["skipped"] for entry in result] == [False, False]


def test_overwrite_replaces_a_file_of_the_right_size(offcloud_connection, destination, item_files, pauses):
    landing = ObjectStoragePath(destination)
    (landing / "Show").mkdir(parents=True, exist_ok=True)
    (landing / "Show/notes.txt").write_bytes(b"X" * len(NOTES))

    _run(_operator(offcloud_connection, destination, if_exists="overwrite"))

    assert (landing / "Show/notes.txt").read_bytes() == NOTES
    assert len(item_files["Show/notes.txt"].requests) == 1


def test_fail_policy_stops_at_an_existing_file(offcloud_connection, destination, item_files, pauses):
    landing = ObjectStoragePath(destination)
    (landing / "Show/Season 1").mkdir(parents=True, exist_ok=True)
    (landing / "Show/Season 1/e01.mkv").write_bytes(EPISODE)

    with pytest.raises(OffcloudDestinationExistsError, match="if_exists='fail'"):
        _run(_operator(offcloud_connection, destination, if_exists="fail"))

    assert item_files["Show/Season 1/e01.mkv"].requests == []


def test_unknown_listed_size_is_asked_of_the_link_before_skipping(
    offcloud_connection, destination, requests_mock, pauses
):
    link = f"{CDN}/obj/9/a.bin"
    mock_item(requests_mock, [{"name": "a.bin", "path": "a.bin", "size": None, "url": link}])
    requests_mock.head(link, headers={"Content-Length": "3"})
    requests_mock.get(link, content=b"new")
    landing = ObjectStoragePath(destination)
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "a.bin").write_bytes(b"old")

    result, _events = _run(_operator(offcloud_connection, destination))

    assert [request.method for request in requests_mock.request_history if request.url.startswith(CDN)] == [
        "HEAD"
    ]
    assert result[0]["skipped"] is True
    assert (landing / "a.bin").read_bytes() == b"old"


@pytest.mark.parametrize("status", ["downloading", "queued", "created"])
def test_an_unfinished_item_is_refused_naming_its_status(
    offcloud_connection, destination, requests_mock, status
):
    mock_item(requests_mock, [], status=status)

    with pytest.raises(OffcloudItemNotReadyError, match=f"is '{status}', not 'downloaded'"):
        _run(_operator(offcloud_connection, destination))


def test_a_failed_item_is_a_permanent_failure(offcloud_connection, destination, requests_mock):
    mock_item(requests_mock, [], status="error")

    with pytest.raises(OffcloudDownloadFailedError, match="ended with status 'error'"):
        _run(_operator(offcloud_connection, destination))


def test_a_listing_that_climbs_out_of_the_destination_writes_nothing(
    offcloud_connection, destination, requests_mock, tmp_path
):
    link = f"{CDN}/obj/evil"
    mock_item(
        requests_mock,
        [file_entry("ok.txt", b"x", f"{CDN}/obj/ok"), file_entry("Show/../../../escape.txt", b"x", link)],
    )

    with pytest.raises(OffcloudUnsafePathError):
        _run(_operator(offcloud_connection, destination))

    assert not any(request.url.startswith(CDN) for request in requests_mock.request_history)
    assert list(tmp_path.rglob("*.txt")) == []


def test_request_id_comes_from_an_upstream_item_or_its_rendered_text():
    item = {"requestId": REQUEST_ID, "status": "downloaded", "fileName": "x"}

    assert request_id_from(item) == REQUEST_ID
    assert request_id_from(str(item)) == REQUEST_ID
    assert request_id_from(json.dumps(item)) == REQUEST_ID
    assert request_id_from(f" {REQUEST_ID} ") == REQUEST_ID
    with pytest.raises(OffcloudBadInputError):
        request_id_from({"status": "downloaded"})


@pytest.mark.parametrize("text", ["{oops", "{1, 2}", "{'requestId': 'abc'"])
def test_rendered_text_that_is_no_item_dictionary_says_how_to_pass_the_item(text):
    with pytest.raises(OffcloudBadInputError, match="not an item dictionary"):
        request_id_from(text)


def test_a_fixed_destination_becomes_the_outlet_and_its_event_describes_the_files(
    offcloud_connection, destination, item_files, pauses
):
    operator = _operator(offcloud_connection, destination)
    uri = destination.rstrip("/")

    assert operator.outlets == [Asset(name=uri, uri=uri)]
    assert operator.destination_asset == Asset(uri)

    _result, events = _run(operator)

    extra = events[Asset(uri)].extra
    assert extra["request_id"] == REQUEST_ID
    assert extra["destination"] == uri
    assert (extra["file_count"], extra["written_count"], extra["skipped_count"]) == (2, 2, 0)
    assert extra["total_bytes"] == len(EPISODE) + len(NOTES)
    assert extra["files"][1] == {
        "path": "Show/notes.txt",
        "size": len(NOTES),
        "sha256": hashlib.sha256(NOTES).hexdigest(),
    }
    json.dumps(extra)


def test_given_outlets_are_kept_and_an_alias_gets_the_destination_asset(
    offcloud_connection, destination, item_files, pauses
):
    alias = AssetAlias("offcloud-landing")
    declared = Asset("ingest-ready")
    operator = _operator(offcloud_connection, destination, outlets=[declared, alias])

    assert operator.outlets == [declared, alias]

    _result, events = _run(operator)

    assert events[declared].extra["written_count"] == 2
    (alias_event,) = events[alias].asset_alias_events
    assert alias_event.dest_asset_key.uri == destination.rstrip("/")
    assert alias_event.extra["file_count"] == 2


def test_a_templated_destination_declares_no_outlet_by_itself(offcloud_connection):
    operator = _operator(offcloud_connection, "file:///data/{{ ds }}/")

    assert operator.outlets == []
    assert operator.destination_asset is None


def test_wrong_policy_is_refused_when_the_dag_is_parsed(offcloud_connection, destination):
    with pytest.raises(ValueError, match="if_exists='replace'"):
        _operator(offcloud_connection, destination, if_exists="replace")


@pytest.mark.parametrize(
    "setting",
    [
        {"backoff_seconds": float("nan")},
        {"max_retry_seconds": float("inf")},
        {"progress_interval": float("nan")},
        {"timeout": float("inf")},
        {"backoff_seconds": -1.0},
    ],
)
def test_durations_that_cannot_be_waited_for_are_refused_when_the_dag_is_parsed(setting):
    (name,) = setting

    with pytest.raises(ValueError, match=f"{name}="):
        OffcloudToStorageOperator(task_id="copy", request_id="abc", destination="file:///data/in/", **setting)
