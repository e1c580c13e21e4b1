"""Local destination URIs name an absolute folder, never one under the worker's working directory."""

from __future__ import annotations

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_offcloud.exceptions import OffcloudBadInputError
from airflow_provider_offcloud.transfers.destination import checked_destination_uri
from airflow_provider_offcloud.transfers.offcloud_to_storage import OffcloudToStorageOperator


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("file:///data/in/", "file:///data/in/"),
        (" local:///data/in ", "local:///data/in"),
        ("file://localhost/data/in/", "file:///data/in/"),
        ("LOCAL://LocalHost/data/in/", "local:///data/in/"),
        ("file://storage@localhost/data/in/", "file://storage@/data/in/"),
        ("s3://bucket/in/", "s3://bucket/in/"),
        ("s3://aws_default@bucket/in/", "s3://aws_default@bucket/in/"),
    ],
)
def test_absolute_local_folders_and_other_storages_are_kept(uri, expected):
    assert checked_destination_uri(uri) == expected


@pytest.mark.parametrize(
    ("uri", "suggestion"),
    [
        ("file://data/in/", "file:///data/in/"),
        ("local://data", "local:///data"),
        ("file://storage@data/in/", "file://storage@/data/in/"),
    ],
)
def test_a_host_part_is_refused_with_the_absolute_form_to_use(uri, suggestion):
    with pytest.raises(OffcloudBadInputError, match="working directory") as refused:
        checked_destination_uri(uri)

    assert repr(suggestion) in str(refused.value)


@pytest.mark.parametrize("uri", ["file://", "file://localhost"])
def test_a_local_uri_without_a_folder_is_refused(uri):
    with pytest.raises(OffcloudBadInputError, match="names no folder"):
        checked_destination_uri(uri)


def test_a_localhost_destination_lands_in_the_absolute_folder_and_is_its_asset(tmp_path):
    operator = OffcloudToStorageOperator(
        task_id="land", request_id="abc", destination=f"file://localhost{tmp_path}/in/"
    )

    assert operator._destination_path() == ObjectStoragePath(f"file://{tmp_path}/in/")
    assert operator.destination_asset is not None
    assert operator.destination_asset.uri == f"file://{tmp_path}/in"


def test_a_fixed_local_uri_with_a_host_is_refused_even_with_a_templated_connection():
    with pytest.raises(ValueError, match="file:///data/in/"):
        OffcloudToStorageOperator(
            task_id="land", request_id="abc", destination="file://data/in/", destination_conn_id="{{ x }}"
        )
