"""The provider registers itself the way Airflow's providers manager expects."""

from __future__ import annotations

import importlib
import json
from importlib.metadata import entry_points
from importlib.resources import files

import jsonschema
import pytest

from airflow_provider_offcloud.connection_form import CONNECTION_FIELDS, CONNECTION_UI_BEHAVIOUR
from airflow_provider_offcloud.get_provider_info import get_provider_info
from airflow_provider_offcloud.hooks.offcloud import OffcloudHook


def test_provider_info_validates_against_the_installed_airflow_schema():
    schema = json.loads(files("airflow").joinpath("provider_info.schema.json").read_text())

    jsonschema.validate(get_provider_info(), schema)


def test_entry_point_points_at_get_provider_info():
    (entry_point,) = [
        ep
        for ep in entry_points(group="apache_airflow_provider")
        if ep.value.startswith("airflow_provider_offcloud")
    ]

    assert entry_point.name == "provider_info"
    assert entry_point.load() is get_provider_info
    assert get_provider_info()["package-name"] == entry_point.dist.name


def test_connection_type_names_the_hook_and_its_attributes():
    (connection_type,) = get_provider_info()["connection-types"]

    module_name, class_name = connection_type["hook-class-name"].rsplit(".", 1)
    hook_class = getattr(importlib.import_module(module_name), class_name)
    assert hook_class is OffcloudHook
    assert connection_type["connection-type"] == OffcloudHook.conn_type == "offcloud"
    assert OffcloudHook.default_conn_name == "offcloud_default"
    assert OffcloudHook.conn_name_attr == "offcloud_conn_id"


def test_secret_fields_are_declared_as_passwords():
    assert CONNECTION_FIELDS["api_key"]["schema"]["format"] == "password"
    assert "password" not in CONNECTION_UI_BEHAVIOUR["hidden-fields"]


def test_hook_form_methods_agree_with_the_declarative_form():
    behaviour = OffcloudHook.get_ui_field_behaviour()

    assert behaviour["hidden_fields"] == CONNECTION_UI_BEHAVIOUR["hidden-fields"]
    assert behaviour["relabeling"] == CONNECTION_UI_BEHAVIOUR["relabeling"]
    assert set(CONNECTION_UI_BEHAVIOUR["placeholders"]) >= {"host", "api_key"}


@pytest.mark.parametrize("section", ["hooks", "operators", "sensors", "triggers"])
def test_declared_modules_exist(section):
    for entry in get_provider_info()[section]:
        for module_name in entry["python-modules"]:
            assert importlib.util.find_spec(module_name) is not None, module_name


def test_declared_transfer_and_extra_link_exist():
    info = get_provider_info()

    for transfer in info["transfers"]:
        assert importlib.util.find_spec(transfer["python-module"]) is not None
    for link_path in info["extra-links"]:
        module_name, class_name = link_path.rsplit(".", 1)
        assert hasattr(importlib.import_module(module_name), class_name)
