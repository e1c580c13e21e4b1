"""What a download link answered: ranges, lengths, refusals sent where a file should be."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.exceptions import OffcloudTransientError
from airflow_provider_offcloud.transfers import answers
from airflow_provider_offcloud.transfers.answers import (
    declared_length,
    error_for_status,
    needs_inspection,
    parse_content_range,
    refusal_in_body,
)
from airflow_provider_offcloud.transfers.errors import OffcloudLinkRefusedError


@pytest.mark.parametrize(
    ("header", "parsed"),
    [
        ("bytes 100-199/200", (100, 199, 200)),
        ("bytes */200", (None, None, 200)),
        ("bytes 0-9/*", (0, 9, None)),
        ("items 0-9/10", None),
        (None, None),
    ],
)
def test_content_range(header, parsed):
    assert parse_content_range(header) == parsed


def test_length_of_a_coded_body_is_not_trusted():
    assert declared_length({"Content-Length": "10"}) == 10
    assert declared_length({"Content-Length": "10", "Content-Encoding": "gzip"}) is None
    assert declared_length({}) is None


def test_json_and_html_answers_are_inspected_unless_the_file_itself_is_json_or_html():
    assert needs_inspection("application/json", "movie.mkv")
    assert needs_inspection("text/html; charset=utf-8", "data.csv")
    assert not needs_inspection("application/json", "records.json")
    assert not needs_inspection("application/octet-stream", "movie.mkv")


def test_ip_bound_refusal_explains_what_it_means():
    error = refusal_in_body(
        200, "application/json", b'{"error":"You are not authorized to download this file."}', "a.mkv"
    )

    assert isinstance(error, OffcloudLinkRefusedError)
    assert "You are not authorized to download this file." in str(error)
    assert "IP addresses registered on the account" in str(error)


def test_html_page_instead_of_a_file_is_transient():
    error = refusal_in_body(200, "text/html", b"<html><title>Maintenance</title></html>", "a.mkv")

    assert isinstance(error, OffcloudTransientError)


def test_json_content_that_is_no_error_is_kept():
    assert refusal_in_body(200, "application/json", b'{"rows": [1, 2]}', "export") is None


def test_server_faults_are_transient_and_keep_retry_after():
    error = error_for_status(503, {"Retry-After": "7"}, b"busy", "a.mkv")

    assert isinstance(error, OffcloudTransientError)
    assert error.retry_after == 7


@pytest.mark.parametrize("parsed", [float("nan"), float("inf"), -3.0])
def test_a_retry_after_that_is_no_pause_is_dropped(monkeypatch, parsed):
    # Whatever the shared header parser lets through, a pause the transfer cannot sleep never leaves here.
    monkeypatch.setattr(answers, "parse_retry_after", lambda header: parsed)

    error = error_for_status(503, {"Retry-After": "junk"}, b"busy", "a.mkv")

    assert isinstance(error, OffcloudTransientError)
    assert error.retry_after is None


@pytest.mark.parametrize(
    ("status", "advice"),
    [(404, "no longer in the cloud"), (403, "may have expired"), (400, "Check the item")],
)
def test_refusals_are_permanent_and_say_what_to_do(status, advice):
    error = error_for_status(status, {}, b'{"error": "nope"}', "a.mkv")

    assert isinstance(error, OffcloudLinkRefusedError)
    assert advice in str(error)
