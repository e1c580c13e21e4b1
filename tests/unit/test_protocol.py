"""The sans-IO wire protocol: route tables, input checks and the classification of every answer."""

from __future__ import annotations

import json

import pytest

from airflow_provider_offcloud.exceptions import (
    OffcloudApiError,
    OffcloudBadInputError,
    OffcloudNotAvailableError,
    OffcloudRequestRejectedError,
    OffcloudRouteMissingError,
    OffcloudSessionExpiredError,
    OffcloudTransientError,
)
from airflow_provider_offcloud.protocol import (
    IDEMPOTENT_OPERATIONS,
    ROUTES,
    Route,
    decode_answer,
    is_html,
    parse_retry_after,
    raise_for_envelope,
    validate_link,
    validate_request_id,
)

JSON = "application/json"
HTML = "text/html; charset=UTF-8"


def decode(status_code: int, body: object, content_type: str | None = JSON, retry_after: str | None = None):
    text = body if isinstance(body, str) else json.dumps(body)
    return decode_answer(status_code, content_type, text, retry_after=retry_after)


class TestRoutes:
    def test_submissions_are_not_idempotent(self):
        for operation in ("instant_download", "cloud_download", "remote_download", "remove_cloud_download"):
            assert operation in ROUTES
            assert operation not in IDEMPOTENT_OPERATIONS

    def test_every_idempotent_operation_has_routes(self):
        assert set(ROUTES) >= IDEMPOTENT_OPERATIONS

    def test_status_takes_one_id_per_call(self):
        assert ROUTES["cloud_status"] == (Route("POST", "/api/cloud/status", "json"),)

    def test_current_routes_come_before_the_2014_ones(self):
        assert [route.path for route in ROUTES["cloud_download"]] == ["/api/cloud", "/api/cloud/download"]
        assert ROUTES["cloud_download"][1].body == "form"
        assert [route.path for route in ROUTES["check_cache"]] == ["/api/cache", "/api/cache/info"]

    @pytest.mark.parametrize(
        ("request_id", "expected"),
        [("abc123", "/api/cloud/explore/abc123"), ("a b/c", "/api/cloud/explore/a%20b%2Fc")],
    )
    def test_render_quotes_the_request_id(self, request_id, expected):
        assert Route("GET", "/api/cloud/explore/{request_id}", "none").render(request_id) == expected

    def test_render_without_placeholder(self):
        assert Route("POST", "/api/cloud").render("ignored") == "/api/cloud"


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/a.zip",
        "http://127.0.0.1:8765/file",
        "HTTPS://Example.COM/X",
        "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a",
        "magnet:?dn=name&xt=urn:btih:zzzz",
    ],
)
def test_validate_link_accepts(link):
    assert validate_link(f" {link} ") == link


@pytest.mark.parametrize(
    "link",
    [
        "",
        None,
        42,
        "ftp://x",
        "javascript:alert(1)",
        "https://example.com/a b",
        "https://exa mple.com/",
        "https://",
        "https:///path",
        "example.com",
        "magnet:",
        "magnet:?dn=x",
        "magnet:?xt=",
        "magnet:?xt=&dn=x",
        "magnet:?xt=urn:btih:ab cd",
        "magnet:?dn=xt=",
        "data:text/html,hi",
    ],
)
def test_validate_link_refuses_and_names_the_value(link):
    with pytest.raises(OffcloudBadInputError) as caught:
        validate_link(link)

    assert repr(link) in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("687c464c70af281d65927375", "687c464c70af281d65927375"), (" a-b_c ", "a-b_c"), (17, "17")],
)
def test_validate_request_id_accepts(raw, expected):
    assert validate_request_id(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", " ", None, "a/b", "..", "a b", "a?b", "x" * 129, True, False, 1.5, ["a"]]
)
def test_validate_request_id_refuses_and_names_the_value(raw):
    with pytest.raises(OffcloudBadInputError) as caught:
        validate_request_id(raw)

    assert repr(raw) in str(caught.value)


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        (HTML, "{}", True),
        (JSON, "  <!DOCTYPE html>", True),
        (None, "<html>", True),
        (JSON, '{"a": 1}', False),
        (None, "", False),
    ],
)
def test_is_html(content_type, body, expected):
    assert is_html(content_type, body) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("Wed, 21 Oct 2026 07:28:00 GMT", None),
        (None, None),
        ("", None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


class TestDecodeAnswer:
    @pytest.mark.parametrize("payload", [{"requestId": "r1"}, [1, 2], [], {"cachedItems": []}])
    def test_success_returns_the_payload(self, payload):
        assert decode(200, payload) == payload

    def test_empty_success_is_none(self):
        assert decode(200, "", content_type=None) is None

    @pytest.mark.parametrize("status_code", [401, 403])
    @pytest.mark.parametrize("body", [{"error": "NOAUTH"}, "Forbidden", "<html>Forbidden</html>"])
    def test_refused_credentials(self, status_code, body):
        with pytest.raises(OffcloudSessionExpiredError):
            decode(status_code, body)

    @pytest.mark.parametrize("body", [{"error": "NOAUTH"}, {"error": "User not authorized"}])
    def test_noauth_under_200(self, body):
        with pytest.raises(OffcloudSessionExpiredError):
            decode(200, body)

    @pytest.mark.parametrize(
        ("status_code", "body", "content_type"),
        [
            (404, "<html><title>404 Not Found</title></html>", HTML),
            (405, "<html><title>Method Not Allowed</title></html>", HTML),
            (200, "<html><head><title>Page Not Found</title></head></html>", HTML),
            (404, "Page not found.", "text/plain"),
            (200, "Page not found.", "text/plain"),
            (404, "Not Found", "text/plain"),
            (404, "", None),
            (405, "", None),
            (405, {"message": "Method Not Allowed"}, JSON),
            (404, {"message": "No route found for POST /api/login"}, JSON),
        ],
    )
    def test_missing_routes(self, status_code, body, content_type):
        with pytest.raises(OffcloudRouteMissingError):
            decode(status_code, body, content_type)

    @pytest.mark.parametrize(
        ("status_code", "body"),
        [(404, {"error": "transfer not found"}), (400, {"error": "Missing required parameter: requestId"})],
    )
    def test_error_envelopes_under_4xx_are_rejections(self, status_code, body):
        with pytest.raises(OffcloudRequestRejectedError) as caught:
            decode(status_code, body)

        assert caught.value.service_message == body["error"]
        assert caught.value.http_status == status_code

    @pytest.mark.parametrize(
        ("status_code", "body", "content_type"),
        [
            (200, "<html><title>Maintenance</title></html>", HTML),
            (502, "<html><title>502 Bad Gateway</title></html>", HTML),
            (500, "Internal Server Error", "text/plain"),
            (500, {"error": "boom"}, JSON),
            (500, {"ok": False}, JSON),
            (503, "", None),
            (429, {"error": "rate limit exceeded"}, JSON),
            (408, "", None),
            (200, {"error": "Temporary error"}, JSON),
            (
                200,
                {"error": "There is a networking issue. Please contact our support to get some help."},
                JSON,
            ),
        ],
    )
    def test_transient_faults(self, status_code, body, content_type):
        with pytest.raises(OffcloudTransientError) as caught:
            decode(status_code, body, content_type, retry_after="7")

        assert caught.value.http_status == status_code

    def test_retry_after_is_carried(self):
        with pytest.raises(OffcloudTransientError) as caught:
            decode(429, "slow down", "text/plain", retry_after="7")

        assert caught.value.retry_after == 7.0

    @pytest.mark.parametrize("status_code", [200, 400, 500])
    def test_bare_json_string_is_a_rejection(self, status_code):
        with pytest.raises(OffcloudRequestRejectedError) as caught:
            decode(status_code, json.dumps("Error parsing url - HTTP code: 404 "))

        assert caught.value.service_message == "Error parsing url - HTTP code: 404 "
        assert "Error parsing url - HTTP code: 404" in str(caught.value)

    def test_non_json_text_under_200_is_an_api_error(self):
        with pytest.raises(OffcloudApiError) as caught:
            decode(200, "OK", "text/plain")

        assert not isinstance(caught.value, (OffcloudTransientError, OffcloudRouteMissingError))
        assert "OK" in str(caught.value)

    def test_4xx_without_envelope_is_a_rejection(self):
        with pytest.raises(OffcloudRequestRejectedError):
            decode(422, {"detail": "bad"})

    @pytest.mark.parametrize(
        ("status_code", "body"),
        [
            (200, {"not_available": "links"}),
            (402, {"error": "Payment Required"}),
            (402, {"message": "upgrade"}),
            (402, "Payment Required"),
            (200, {"error": "account not premium"}),
            (400, json.dumps("premium required")),
            (403, {"error": "Premium required for this operation"}),
            (401, {"not_available": "premium"}),
            (200, {"error": "You need a premium membership"}),
        ],
    )
    def test_plan_refusals(self, status_code, body):
        with pytest.raises(OffcloudNotAvailableError):
            decode(status_code, body)


@pytest.mark.parametrize(
    "payload",
    [{}, {"error": None}, {"error": ""}, {"error": {"nested": "x"}}, {"requestId": "r1", "status": "queued"}],
)
def test_raise_for_envelope_lets_normal_answers_through(payload):
    raise_for_envelope(payload)


def test_raise_for_envelope_not_available_wins_over_error():
    with pytest.raises(OffcloudNotAvailableError) as caught:
        raise_for_envelope({"not_available": "proxy", "error": "whatever"})

    assert caught.value.reason == "proxy"


@pytest.mark.parametrize(
    "call", [lambda value: validate_link(value), lambda value: validate_request_id(value)], ids=["link", "id"]
)
def test_a_huge_bad_value_is_cut_short_in_the_message(call):
    huge = "x" * 3_000_000

    with pytest.raises(OffcloudBadInputError) as refused:
        call(huge)

    assert len(str(refused.value)) < 500
    assert "3000002 characters" in str(refused.value)
