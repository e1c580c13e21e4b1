"""Remote and instant operators, the extra link, templating and dynamic task mapping."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from airflow.providers.common.compat.sdk import DAG, TaskDeferred
from operator_fakes import BASE_URL, REQUEST_ID, status_answer

from airflow_provider_offcloud.exceptions import OffcloudBadInputError
from airflow_provider_offcloud.links import OffcloudItemLink
from airflow_provider_offcloud.operators.offcloud import (
    OffcloudCloudDownloadOperator,
    OffcloudInstantDownloadOperator,
    OffcloudRemoteDownloadOperator,
)

LINK = "http://127.0.0.1:8000/file.bin"
ACCOUNTS = {
    "data": [
        {"remoteOptionId": "5a1b2c3d4e5f60718293a4b5", "type": "ftp", "username": "Backup-FTP"},
        {"remoteOptionId": "6a1b2c3d4e5f60718293a4b6", "type": "gdrive", "username": "drive"},
    ]
}


@pytest.fixture
def remote_service(requests_mock):
    return {
        "accounts": requests_mock.post(f"{BASE_URL}/api/remote/accounts", json=ACCOUNTS),
        "submit": requests_mock.post(
            f"{BASE_URL}/api/remote", json={"requestId": REQUEST_ID, "status": "created"}
        ),
        "status": requests_mock.post(f"{BASE_URL}/api/remote/status", json=status_answer("downloaded")),
    }


class TestRemote:
    @pytest.mark.parametrize("account", ["5a1b2c3d4e5f60718293a4b5", "backup-ftp", "Backup-FTP"])
    def test_account_by_id_or_name(self, remote_service, ti, store, account):
        task = OffcloudRemoteDownloadOperator(
            task_id="push", url=LINK, remote_option_id=account, folder_id="folder-1", deferrable=False
        )

        result = task.execute({"ti": ti, "task_state_store": store})

        assert result["status"] == "downloaded"
        assert "files" not in result
        sent = remote_service["submit"].last_request.json()
        assert sent == {"url": LINK, "remoteOptionId": "5a1b2c3d4e5f60718293a4b5", "folderId": "folder-1"}

    def test_unknown_account_lists_the_available_names(self, remote_service, ti, store):
        task = OffcloudRemoteDownloadOperator(
            task_id="push", url=LINK, remote_option_id="nas", deferrable=False
        )

        with pytest.raises(OffcloudBadInputError, match="'Backup-FTP' \\(ftp, id 5a1b") as refused:
            task.execute({"ti": ti, "task_state_store": store})

        assert "'drive' (gdrive" in str(refused.value)
        assert remote_service["submit"].call_count == 0

    def test_deferral_waits_on_the_remote_status(self, remote_service, ti, store):
        task = OffcloudRemoteDownloadOperator(
            task_id="push", url=LINK, remote_option_id="drive", deferrable=True, timeout=60
        )

        with pytest.raises(TaskDeferred) as deferred:
            task.execute({"ti": ti, "task_state_store": store})

        assert deferred.value.trigger.kind == "remote"
        assert deferred.value.timeout == dt.timedelta(seconds=60)


class TestInstant:
    def test_returns_the_direct_link_and_pushes_the_request_id(self, requests_mock, ti):
        submit = requests_mock.post(
            f"{BASE_URL}/api/instant", json={"requestId": REQUEST_ID, "url": f"{BASE_URL}/direct/file.bin"}
        )

        result = OffcloudInstantDownloadOperator(task_id="instant", url=LINK, proxy_id="p1").execute(
            {"ti": ti}
        )

        assert result["url"] == f"{BASE_URL}/direct/file.bin"
        assert ti.pushed["request_id"] == REQUEST_ID
        assert submit.last_request.json() == {"url": LINK, "proxyId": "p1"}

    def test_the_direct_link_goes_to_xcom_not_to_the_log(self, requests_mock, ti):
        signed = f"{BASE_URL}/obj/123/tok/SIGNATURE/file.bin"
        requests_mock.post(f"{BASE_URL}/api/instant", json={"requestId": REQUEST_ID, "url": signed})
        task = OffcloudInstantDownloadOperator(task_id="instant", url=LINK)

        with mock.patch.object(type(task), "log", new_callable=mock.PropertyMock) as log:
            result = task.execute({"ti": ti})

        logged = " ".join(str(argument) for call in log.return_value.mock_calls for argument in call.args)
        assert result["url"] == signed
        assert REQUEST_ID in logged
        assert "SIGNATURE" not in logged


def test_a_task_failing_before_it_has_an_item_still_gives_its_link_a_value(requests_mock, ti):
    requests_mock.post(f"{BASE_URL}/api/remote/accounts", json={"data": []})
    task = OffcloudRemoteDownloadOperator(task_id="remote", url=LINK, remote_option_id="nobody")

    with pytest.raises(OffcloudBadInputError):
        task.execute({"ti": ti, "task_state_store": None})

    assert ti.pushed == {"request_id": None}, "the link reads None, not a missing XCom"


class TestAuthoring:
    def test_templated_fields(self):
        assert OffcloudCloudDownloadOperator.template_fields == ("url",)
        assert set(OffcloudRemoteDownloadOperator.template_fields) == {"url", "remote_option_id", "folder_id"}
        assert set(OffcloudInstantDownloadOperator.template_fields) == {"url", "proxy_id"}

    def test_dynamic_task_mapping_over_urls(self):
        with DAG("mapping", schedule=None, start_date=dt.datetime(2026, 1, 1)):
            mapped = OffcloudCloudDownloadOperator.partial(task_id="fetch", deferrable=True).expand(
                url=["magnet:?xt=urn:btih:" + "5" * 40, LINK]
            )

        assert mapped.expand_input.value == {"url": ["magnet:?xt=urn:btih:" + "5" * 40, LINK]}
        assert mapped.partial_kwargs["deferrable"] is True
        assert any(isinstance(link, OffcloudItemLink) for link in mapped.operator_extra_links)


class TestItemLink:
    def test_link_points_at_the_item_page_without_secrets(self):
        task = OffcloudRemoteDownloadOperator(task_id="push", url=LINK, remote_option_id="drive")
        with mock.patch(
            "airflow_provider_offcloud.links.XCom.get_value", return_value=REQUEST_ID
        ) as get_value:
            link = OffcloudItemLink().get_link(task, ti_key=mock.sentinel.ti_key)

        assert link == f"https://offcloud.com/#/remote?requestId={REQUEST_ID}"
        get_value.assert_called_once_with(ti_key=mock.sentinel.ti_key, key="request_id")

    def test_no_link_before_the_request_id_is_known(self):
        task = OffcloudCloudDownloadOperator(task_id="fetch", url=LINK)
        with mock.patch("airflow_provider_offcloud.links.XCom.get_value", return_value=None):
            assert OffcloudItemLink().get_link(task, ti_key=mock.sentinel.ti_key) == ""
