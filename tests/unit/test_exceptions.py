"""The error classes: what Airflow does with each, what they carry, and that they survive pickling."""

from __future__ import annotations

import copy
import pickle

import pytest
from airflow.providers.common.compat.sdk import AirflowException, AirflowFailException

from airflow_provider_offcloud.exceptions import (
    ADDON_ADVICE,
    OffcloudApiError,
    OffcloudAuthError,
    OffcloudBadInputError,
    OffcloudDownloadFailedError,
    OffcloudError,
    OffcloudNotAvailableError,
    OffcloudPermanentError,
    OffcloudRequestRejectedError,
    OffcloudRouteMissingError,
    OffcloudSessionExpiredError,
    OffcloudStuckError,
    OffcloudTransientError,
    OffcloudUnreachableError,
)

PERMANENT: list[OffcloudError] = [
    OffcloudBadInputError("bad"),
    OffcloudAuthError("refused"),
    OffcloudSessionExpiredError("NOAUTH"),
    OffcloudNotAvailableError("links"),
    OffcloudRequestRejectedError("refused", http_status=400, service_message="Incorrect url"),
    OffcloudDownloadFailedError("r1", "error", "Cannot download torrent. Timeout."),
]
RETRYABLE: list[OffcloudError] = [
    OffcloudApiError("odd answer", http_status=200),
    OffcloudTransientError("busy", http_status=503, retry_after=7),
    OffcloudUnreachableError("refused"),
    OffcloudRouteMissingError("gone", http_status=404),
    OffcloudStuckError("no progress"),
]


@pytest.mark.parametrize("error", PERMANENT, ids=lambda error: type(error).__name__)
def test_permanent_errors_fail_the_task_without_retries(error):
    assert isinstance(error, AirflowFailException)
    assert isinstance(error, OffcloudPermanentError)
    assert isinstance(error, OffcloudError)


@pytest.mark.parametrize("error", RETRYABLE, ids=lambda error: type(error).__name__)
def test_other_errors_leave_retrying_to_airflow(error):
    assert isinstance(error, AirflowException)
    assert isinstance(error, OffcloudError)
    assert not isinstance(error, AirflowFailException)


def test_bad_input_is_also_a_value_error():
    assert isinstance(OffcloudBadInputError("x"), ValueError)


def test_rejection_is_an_api_error_with_its_details():
    error = OffcloudRequestRejectedError("Offcloud refused", http_status=400, service_message="Incorrect url")

    assert isinstance(error, OffcloudApiError)
    assert (error.http_status, error.service_message, str(error)) == (
        400,
        "Incorrect url",
        "Offcloud refused",
    )


@pytest.mark.parametrize("reason", sorted(ADDON_ADVICE))
def test_not_available_names_the_add_on_and_where_to_buy_it(reason):
    error = OffcloudNotAvailableError(reason)

    assert error.reason == reason
    assert ADDON_ADVICE[reason] in str(error)
    assert "https://offcloud.com/#/account" in str(error)


def test_not_available_with_an_unknown_reason():
    assert "'usenet'" in str(OffcloudNotAvailableError("usenet"))


def test_download_failed_carries_the_item():
    error = OffcloudDownloadFailedError("r1", "canceled")

    assert (error.request_id, error.status, error.service_message) == ("r1", "canceled", None)
    assert "r1" in str(error)
    assert "canceled" in str(error)
    assert "gave no reason" in str(error)


def test_transient_error_carries_retry_after():
    error = OffcloudTransientError("busy", http_status=429, retry_after=7.0)

    assert (error.retry_after, error.http_status) == (7.0, 429)


@pytest.mark.parametrize("error", PERMANENT + RETRYABLE, ids=lambda error: type(error).__name__)
def test_errors_survive_pickling_and_copying(error):
    for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error), copy.deepcopy(error)):
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert vars(clone) == vars(error)
