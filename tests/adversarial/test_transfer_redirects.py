"""Credentials of the connection never follow a download link's redirect to another origin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from adversarial_support import API_KEY, Reply, connection_json
from airflow.providers.common.compat.sdk import ObjectStoragePath

from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
from airflow_provider_offcloud.transfers.errors import OffcloudTransferError
from airflow_provider_offcloud.transfers.links import DownloadLinkOpener
from airflow_provider_offcloud.transfers.settings import StreamSettings
from airflow_provider_offcloud.transfers.streaming import RangedCopier

if TYPE_CHECKING:
    from pathlib import Path

    from adversarial_support import SeenRequest


def _copy(opener: DownloadLinkOpener, url: str, folder: Path, expected_size: int | None) -> None:
    target_folder = ObjectStoragePath(f"file://{folder}")
    RangedCopier(opener, StreamSettings(max_attempts=1), sleep=lambda seconds: None).copy(
        url,
        partial_path=target_folder / ".file.bin.offcloud-partial",
        target=target_folder / "file.bin",
        expected_size=expected_size,
        label="file.bin",
    )


@pytest.mark.parametrize("location", ["header", "query"])
def test_redirect_to_another_origin_carries_no_credential(scripted_server, monkeypatch, tmp_path, location):
    cdn = scripted_server(
        lambda request: Reply(200, b"CONTENT", {"Content-Type": "application/octet-stream"})
    )

    def api(request: SeenRequest) -> Reply:
        return Reply(302, b"", {"Location": f"{cdn.base_url}/f.bin", "Set-Cookie": "connect.sid=COOKIE123"})

    api_server = scripted_server(api)
    monkeypatch.setenv(
        "AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(api_server.base_url, api_key_location=location)
    )
    opener = DownloadLinkOpener(OffcloudHook("offcloud_adv"), timeout=5)

    _copy(opener, f"{api_server.base_url}/cloud/download/abc/file.bin", tmp_path, 7)

    first_hop = api_server.seen[0]
    assert API_KEY in first_hop.path or API_KEY in first_hop.headers.get("Authorization", "")
    (cdn_hop,) = cdn.seen
    assert API_KEY not in cdn_hop.path
    assert "Authorization" not in cdn_hop.headers
    assert "Cookie" not in cdn_hop.headers
    assert (tmp_path / "file.bin").read_bytes() == b"CONTENT"


def test_redirect_loop_ends_with_a_transfer_error_and_no_file(scripted_server, monkeypatch, tmp_path):
    def loop(request: SeenRequest) -> Reply:
        return Reply(302, b"", {"Location": request.path})

    server = scripted_server(loop)
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(server.base_url))
    opener = DownloadLinkOpener(OffcloudHook("offcloud_adv"), timeout=5)

    with pytest.raises(OffcloudTransferError):
        _copy(opener, f"{server.base_url}/cloud/download/abc/file.bin", tmp_path, None)

    assert sorted(path.name for path in tmp_path.iterdir()) == []
