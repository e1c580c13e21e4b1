"""After an ambiguous fault, a cloud submission must not adopt a failed item left by an earlier run."""

from __future__ import annotations

from adversarial_support import connection_json

from airflow_provider_offcloud.hooks import offcloud as sync_module
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

BASE = "http://127.0.0.1:9"
LINK = "http://127.0.0.1:9/files/report.bin"


def test_failed_item_of_an_earlier_run_is_not_taken_for_the_new_submission(requests_mock, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_OFFCLOUD_ADV", connection_json(BASE))
    monkeypatch.setattr(sync_module, "_sleep", lambda seconds: None)
    requests_mock.post(
        f"{BASE}/api/cloud",
        [
            # A proxy's 502 after the request was sent: the service may or may not have seen it.
            {"status_code": 502, "text": "<html><title>502 Bad Gateway</title></html>"},
            {"json": {"requestId": "fresh", "status": "created", "originalLink": LINK}},
        ],
    )
    requests_mock.get(
        f"{BASE}/api/cloud/history",
        json=[{"requestId": "stale", "status": "error", "originalLink": LINK, "errorMessage": "old"}],
    )

    item = OffcloudHook("offcloud_adv").cloud_download(LINK)

    assert item["status"] != "error"
    assert item["requestId"] == "fresh"
