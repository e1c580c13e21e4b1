"""What Airflow's providers manager learns about this provider (``apache_airflow_provider`` entry point)."""

from __future__ import annotations

from typing import Any

from airflow_provider_offcloud.connection_form import CONNECTION_FIELDS, CONNECTION_UI_BEHAVIOUR

PACKAGE = "airflow_provider_offcloud"


def get_provider_info() -> dict[str, Any]:
    """Describe the provider: its hook, connection form, operators, sensors, triggers and extra links."""
    return {
        "package-name": "airflow-provider-offcloud",
        "name": "Offcloud",
        "description": "`Offcloud <https://offcloud.com/>`__: cloud, remote and instant downloads of links, "
        "torrents and magnets, waited on in the triggerer and landed in any object storage.",
        "integrations": [
            {
                "integration-name": "Offcloud",
                "external-doc-url": "https://offcloud.com/",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {"integration-name": "Offcloud", "python-modules": [f"{PACKAGE}.hooks.offcloud"]},
        ],
        "operators": [
            {"integration-name": "Offcloud", "python-modules": [f"{PACKAGE}.operators.offcloud"]},
        ],
        "sensors": [
            {"integration-name": "Offcloud", "python-modules": [f"{PACKAGE}.sensors.offcloud"]},
        ],
        "triggers": [
            {"integration-name": "Offcloud", "python-modules": [f"{PACKAGE}.triggers.offcloud"]},
        ],
        "transfers": [
            {
                "source-integration-name": "Offcloud",
                "target-integration-name": "Common IO",
                "python-module": f"{PACKAGE}.transfers.offcloud_to_storage",
            }
        ],
        "connection-types": [
            {
                "connection-type": "offcloud",
                "hook-class-name": f"{PACKAGE}.hooks.offcloud.OffcloudHook",
                "hook-name": "Offcloud",
                "conn-fields": CONNECTION_FIELDS,
                "ui-field-behaviour": CONNECTION_UI_BEHAVIOUR,
            }
        ],
        "extra-links": [
            f"{PACKAGE}.links.OffcloudItemLink",
        ],
    }
