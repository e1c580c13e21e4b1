"""Malformed values given to the transfer operator fail with a clear error and land nothing by accident."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from airflow_provider_offcloud.exceptions import OffcloudBadInputError
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator, request_id_from

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("text", ["{'requestId': 'abc'}", '{"requestId": "abc"}', '{"request_id": " abc "}'])
def test_item_text_rendered_by_a_plain_template_gives_its_request_id(text):
    assert request_id_from(text) == "abc"


@pytest.mark.parametrize("text", ['{"requestId": "../../x"}', "{'requestId': 'a%2Fb'}", '{"requestId": ""}'])
def test_item_text_with_a_path_like_request_id_is_refused(text):
    with pytest.raises(OffcloudBadInputError):
        request_id_from(text)


@pytest.mark.parametrize("depth", [100_000, 20_000])
def test_deeply_nested_item_text_is_refused_as_bad_input(depth):
    # 100 000 levels is past the length cap; 20 000 is under it and reaches the parsers themselves.
    nested = '{"requestId": ' + "[" * depth + "]" * depth + "}"

    with pytest.raises(OffcloudBadInputError):
        request_id_from(nested)


def test_huge_item_text_is_refused_with_a_short_message():
    huge = '{"requestId": "abc", "padding": "' + "x" * 10_000_000 + '"}'

    with pytest.raises(OffcloudBadInputError, match="too long") as refused:
        request_id_from(huge)

    assert len(str(refused.value)) < 1000


@pytest.mark.parametrize("uri", ["file://data/in/", "local://data/in/", "FILE://data/in/"])
def test_fixed_file_uri_with_a_host_part_is_refused_when_the_dag_is_parsed(monkeypatch, tmp_path: Path, uri):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(ValueError, match="/data/in/"):
        OffcloudToStorageOperator(task_id="land", request_id="abc", destination=uri)


def test_rendered_file_uri_with_a_host_part_does_not_land_under_the_working_directory(
    monkeypatch, tmp_path: Path
):
    monkeypatch.chdir(tmp_path)
    operator = OffcloudToStorageOperator(task_id="land", request_id="abc", destination="{{ params.where }}")
    # What templating does at run time.
    operator.destination = "file://data/in/"

    with pytest.raises(ValueError, match="file:///data/in/"):
        operator._destination_path()

    assert list(tmp_path.iterdir()) == []
