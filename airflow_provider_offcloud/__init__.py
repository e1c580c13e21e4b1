"""Apache Airflow provider for Offcloud.com: submit links, wait in the triggerer, land files in storage."""

from __future__ import annotations

__all__ = ["__version__"]


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("airflow-provider-offcloud")
    except PackageNotFoundError:
        return "0.0.0"


__version__ = _installed_version()
