"""The Airflow Asset that stands for a transfer's destination, and the event a finished transfer records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.common.compat.sdk import Asset, AssetAlias

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from airflow.providers.common.compat.sdk import ObjectStoragePath

#: Files listed in an asset event's ``extra``; the full list is in the task's XCom.
MAX_FILES_IN_EVENT = 100


def storage_uri(path: ObjectStoragePath) -> str:
    """
    Write a storage path as a URI without connection id or trailing slash (``s3://bucket/in``).

    :param path: A storage path.
    """
    location = str(path.path).rstrip("/") or "/"
    if path.protocol in ("file", "local") and not location.startswith("/"):
        location = f"/{location}"
    return f"{path.protocol}://{location}"


def destination_asset(path: ObjectStoragePath) -> Asset:
    """
    Return the Asset for a destination folder: name and URI both equal to :func:`storage_uri`.

    A downstream DAG scheduled on ``Asset("<that uri>")`` matches it, since the name given positionally and
    the URI are then the same text.

    :param path: The destination folder.
    """
    uri = storage_uri(path)
    return Asset(name=uri, uri=uri)


def event_extra(
    request_id: str, destination: ObjectStoragePath, files: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """
    Build the JSON ``extra`` of the asset event: what landed, so a downstream DAG need not read XCom.

    :param request_id: The Offcloud item copied.
    :param destination: The destination folder.
    :param files: The transfer's per-file results (``relative_path``, ``size``, ``sha256``, ``skipped``).
    """
    results = list(files)
    written = [result for result in results if not result["skipped"]]
    return {
        "request_id": request_id,
        "destination": storage_uri(destination),
        "file_count": len(results),
        "written_count": len(written),
        "skipped_count": len(results) - len(written),
        "total_bytes": sum(int(result["size"]) for result in results),
        "files": [
            {"path": result["relative_path"], "size": result["size"], "sha256": result["sha256"]}
            for result in results[:MAX_FILES_IN_EVENT]
        ],
        "files_truncated": len(results) > MAX_FILES_IN_EVENT,
    }


def record_asset_events(
    outlets: Iterable[Any], outlet_events: Any, destination: ObjectStoragePath, extra: dict[str, Any]
) -> list[str]:
    """
    Attach the transfer's summary to the events Airflow records for the task's outlets.

    Airflow records one event per Asset outlet when the task succeeds; this fills in its ``extra``. An
    ``AssetAlias`` outlet gets an event for the destination's own Asset, which is how a destination known
    only at run time (templated) becomes an asset event.

    :param outlets: The task's outlets.
    :param outlet_events: The ``outlet_events`` accessor of the task's context; ``None`` records nothing.
    :param destination: The destination folder (rendered).
    :param extra: The event's ``extra``.
    :return: The URIs or alias names that got an event, for the log.
    """
    recorded: list[str] = []
    if outlet_events is None:
        return recorded
    for outlet in outlets:
        if isinstance(outlet, AssetAlias):
            outlet_events[outlet].add(destination_asset(destination), extra=dict(extra))
            recorded.append(f"{storage_uri(destination)} (through alias {outlet.name!r})")
        elif isinstance(outlet, Asset):
            outlet_events[outlet].extra.update(extra)
            recorded.append(outlet.uri)
    return recorded
