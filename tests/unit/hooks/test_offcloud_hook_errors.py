"""How OffcloudHook turns each kind of refusal or odd answer into the error a user can act on."""

from __future__ import annotations

import json

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException
from hook_fakes import BASE_URL, html_page

from airflow_provider_offcloud.exceptions import (
    ADDON_ADVICE,
    OffcloudApiError,
    OffcloudNotAvailableError,
    OffcloudPermanentError,
    OffcloudRequestRejectedError,
    OffcloudTransientError,
)
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook

pytestmark = pytest.mark.usefixtures("api_key_connection")

CLOUD_URL = f"{BASE_URL}/api/cloud"
STATUS_URL = f"{BASE_URL}/api/cloud/status"
MAGNET = "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


@pytest.fixture
def hook() -> OffcloudHook:
    return OffcloudHook(max_attempts=2)


@pytest.mark.parametrize("reason", sorted(ADDON_ADVICE))
def test_not_available_names_the_add_on(hook, requests_mock, reason):
    requests_mock.post(CLOUD_URL, json={"not_available": reason})

    with pytest.raises(OffcloudNotAvailableError) as caught:
        hook.cloud_download(MAGNET)

    assert caught.value.reason == reason
    assert ADDON_ADVICE[reason] in str(caught.value)
    assert isinstance(caught.value, AirflowFailException)
    assert requests_mock.call_count == 1


def test_unknown_not_available_reason_is_still_named(hook, requests_mock):
    requests_mock.post(CLOUD_URL, json={"not_available": "usenet"})

    with pytest.raises(OffcloudNotAvailableError, match="usenet") as caught:
        hook.cloud_download(MAGNET)

    assert caught.value.reason == "usenet"


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"status_code": 402, "json": {"error": "Payment required"}}, id="402-error"),
        pytest.param({"status_code": 402, "json": {"message": "Upgrade your plan"}}, id="402-no-envelope"),
        pytest.param({"status_code": 402, "text": "Payment Required"}, id="402-plain-text"),
        pytest.param({"json": {"error": "Account not premium"}}, id="not-premium-200"),
        pytest.param({"status_code": 403, "json": {"error": "premium required"}}, id="premium-required-403"),
        pytest.param({"status_code": 400, "json": "not premium"}, id="bare-string"),
        pytest.param(
            {"json": {"error": "Purchase a premium downloading addon to continue with this operation."}},
            id="classic-addon-text",
        ),
    ],
)
def test_premium_refusals(hook, requests_mock, answer):
    requests_mock.post(CLOUD_URL, **answer)

    with pytest.raises(OffcloudNotAvailableError) as caught:
        hook.cloud_download(MAGNET)

    assert caught.value.reason == "premium"
    assert requests_mock.call_count == 1


@pytest.mark.parametrize(
    ("answer", "expected_error"),
    [
        pytest.param(
            {"status_code": 200, "text": html_page("Maintenance"), "headers": {"Content-Type": "text/html"}},
            OffcloudTransientError,
            id="html-under-200",
        ),
        pytest.param(
            {
                "status_code": 200,
                "text": "<html><body>Down</body></html>",
                "headers": {"Content-Type": "text/plain"},
            },
            OffcloudTransientError,
            id="html-with-a-lying-content-type",
        ),
        pytest.param({"status_code": 200, "text": "OK then"}, OffcloudApiError, id="plain-text-under-200"),
        pytest.param({"status_code": 200, "text": ""}, OffcloudApiError, id="empty-body"),
        pytest.param({"status_code": 200, "json": [1, 2]}, OffcloudApiError, id="array-for-an-item"),
        pytest.param({"status_code": 200, "json": 5}, OffcloudApiError, id="number-for-an-item"),
    ],
)
def test_answers_that_are_not_the_documented_json_are_api_errors(hook, requests_mock, answer, expected_error):
    requests_mock.post(STATUS_URL, **answer)

    with pytest.raises(expected_error) as caught:
        hook.cloud_status("r1")

    assert not isinstance(caught.value, (json.JSONDecodeError, KeyError, TypeError))
    assert str(caught.value)


@pytest.mark.parametrize("status_code", [200, 400, 404, 422, 500])
def test_bare_json_string_is_a_rejection_carrying_the_text(hook, requests_mock, status_code):
    requests_mock.post(CLOUD_URL, status_code=status_code, json="Error parsing url - HTTP code: 404 ")

    with pytest.raises(OffcloudRequestRejectedError, match="Error parsing url - HTTP code: 404") as caught:
        hook.cloud_download("https://tracker.example/missing.torrent")

    assert caught.value.service_message == "Error parsing url - HTTP code: 404 "
    assert caught.value.http_status == status_code
    assert requests_mock.call_count == 1


def test_missing_parameter_is_a_permanent_rejection(hook, requests_mock):
    requests_mock.post(STATUS_URL, status_code=400, json={"error": "Missing required parameter: requestId"})

    with pytest.raises(OffcloudRequestRejectedError, match="Missing required parameter") as caught:
        hook.cloud_status("r1")

    assert isinstance(caught.value, OffcloudPermanentError)
    assert isinstance(caught.value, AirflowFailException)
    assert caught.value.http_status == 400
    assert requests_mock.call_count == 1


def test_error_envelope_under_200_is_a_rejection(hook, requests_mock):
    requests_mock.post(CLOUD_URL, json={"error": "Incorrect url"})

    with pytest.raises(OffcloudRequestRejectedError, match="Incorrect url"):
        hook.cloud_download("https://example.com/file")


def test_json_404_about_an_item_is_a_rejection_not_a_missing_route(hook, requests_mock):
    requests_mock.post(STATUS_URL, status_code=404, json={"error": "transfer not found"})

    with pytest.raises(OffcloudRequestRejectedError, match="transfer not found"):
        hook.cloud_status("r1")

    assert requests_mock.call_count == 1


def test_temporary_error_text_is_retried_for_reads(hook, requests_mock, sleeps):
    requests_mock.post(
        STATUS_URL,
        [{"json": {"error": "Temporary error"}}, {"json": {"requestId": "r1", "status": "queued"}}],
    )

    assert hook.cloud_status("r1")["status"] == "queued"
    assert len(sleeps) == 1
