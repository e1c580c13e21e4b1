"""Parameter parsing of the emulator: query, urlencoded, bracketed and JSON forms."""

from __future__ import annotations

from urllib.parse import parse_qsl

from airflow_provider_offcloud.emulator.params import RequestParams, _parse_raw_body


def _form(text: str) -> RequestParams:
    return RequestParams([], _parse_raw_body(text.encode(), "application/x-www-form-urlencoded"))


def test_body_wins_over_query():
    params = RequestParams([("requestId", "from-query")], {"requestId": "from-body"})

    assert params.text("requestId") == "from-body"


def test_empty_values_count_as_missing_but_present():
    params = RequestParams(parse_qsl("url=&key=abc", keep_blank_values=True), None)

    assert params.text("url") is None
    assert params.has("url")
    assert params.text("key") == "abc"


def test_lists_in_every_client_encoding():
    assert RequestParams([], {"hashes": ["a", "b"]}).text_list("hashes") == ["a", "b"]
    assert _form("hashes[]=a&hashes[]=b").text_list("hashes") == ["a", "b"]
    assert _form("hashes[1]=b&hashes[0]=a").text_list("hashes") == ["a", "b"]
    assert _form("hashes=a").text_list("hashes") == ["a"]
    assert _form("other=x").text_list("hashes") == []


def test_json_without_content_type_is_still_read():
    assert _parse_raw_body(b'{"url": "x"}', "text/plain") == {"url": "x"}


def test_malformed_or_non_object_json_counts_as_empty():
    assert _parse_raw_body(b"{broken", "application/json") is None
    assert _parse_raw_body(b'["a"]', "application/json") is None


def test_flags_from_json_and_form():
    assert RequestParams([], {"includeFiles": True}).flag("includeFiles")
    assert _form("includeFiles=true").flag("includeFiles")
    assert not _form("includeFiles=0").flag("includeFiles")
    assert not RequestParams([], None).flag("includeFiles")
