"""The operator that copies a finished Offcloud cloud item into any Airflow object storage."""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from airflow.providers.common.compat.sdk import BaseOperator, ObjectStoragePath

from airflow_provider_offcloud.exceptions import (
    OffcloudBadInputError,
    OffcloudDownloadFailedError,
    OffcloudError,
)
from airflow_provider_offcloud.protocol import validate_request_id
from airflow_provider_offcloud.status import OffcloudStatus
from airflow_provider_offcloud.transfers.assets import destination_asset, event_extra, record_asset_events
from airflow_provider_offcloud.transfers.destination import checked_destination_uri
from airflow_provider_offcloud.transfers.errors import (
    OffcloudDestinationExistsError,
    OffcloudItemNotReadyError,
    OffcloudTransferError,
)
from airflow_provider_offcloud.transfers.layout import plan_copies
from airflow_provider_offcloud.transfers.partial import sha256_of
from airflow_provider_offcloud.transfers.progress import human_bytes
from airflow_provider_offcloud.transfers.settings import (
    DEFAULT_BACKOFF_SECONDS,
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_RETRY_SECONDS,
    DEFAULT_PROGRESS_INTERVAL_SECONDS,
    StreamSettings,
)

if TYPE_CHECKING:
    from airflow.providers.common.compat.sdk import Context

    from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
    from airflow_provider_offcloud.transfers.layout import PlannedCopy
    from airflow_provider_offcloud.transfers.links import DownloadLinkOpener
    from airflow_provider_offcloud.transfers.streaming import RangedCopier

IfExists = Literal["skip", "overwrite", "fail"]
IF_EXISTS_CHOICES: tuple[str, ...] = ("skip", "overwrite", "fail")


class TransferredFile(TypedDict):
    """
    One file of the item, as the operator returns it in XCom.

    ``path`` is the final file as an ``ObjectStoragePath`` string (``ObjectStoragePath(path)`` opens it
    with the same storage connection); ``relative_path`` is its path inside the item and under the
    destination; ``sha256`` is the hex SHA-256 of the file as stored; ``skipped`` tells that the file was
    already there with the right size and was not downloaded.
    """

    path: str
    relative_path: str
    size: int
    sha256: str
    skipped: bool


class OffcloudToStorageOperator(BaseOperator):
    """
    Copy the files of a finished Offcloud cloud item to a folder of any Airflow object storage.

    .. seealso::
        The how-to guide :doc:`/howto/offcloud_to_storage`, with a runnable example.

    The item's status is checked first (it must be ``downloaded``); its files come from Offcloud's listing
    and are copied one by one under ``destination``, keeping the item's folder layout. Control files such as
    ``.aria2`` are left out, and a listed path that would land outside the destination (``..``, an absolute
    path) or that is named like a temporary file of the transfer (ending in ``.offcloud-partial``) stops the
    task before anything is written.

    Each file is streamed in chunks of ``chunk_size`` bytes (memory use does not grow with the file), hashed
    on the way, and written under a temporary name in its folder (``.<name>.offcloud-partial``). A dropped
    connection or a transient answer is retried with back-off and resumed with HTTP ``Range``; the final
    size is checked against ``Content-Length`` and the listing; only then is the file renamed to its final
    name, so a half-written or wrong file never appears there. Progress (percent, bytes, rate, time left)
    is logged every ``progress_interval`` seconds.

    On local storage a partial file left by a failed or killed try is resumed by the next try; object
    stores cannot append, so there a new try starts the file again.

    Files already at the destination are handled by ``if_exists``: ``"skip"`` (the default) keeps a file
    whose size matches the listing, without downloading it, so running a DAG again copies nothing twice;
    ``"overwrite"`` downloads and replaces it; ``"fail"`` stops the task.

    Download links are fetched with the connection's credentials only when they are on the API's own
    origin (scheme, host and port); links on other hosts (file servers, CDNs) get none, and redirects are
    followed hop by hop so that no credential follows a redirect to another host.

    **Links in logs.** This operator's log lines and error messages name a download link by its host
    only, and its result and asset events hold no link, since paths of CDN links can carry account tokens.
    The links themselves come from Offcloud's listing of the item; this operator does not control where
    else they are recorded. HTTP libraries log request paths at ``DEBUG`` level (``urllib3``), so keep
    those loggers above ``DEBUG`` where links must stay private.

    **Result.** The task returns (XCom) a list of :class:`TransferredFile` dictionaries: ``path``,
    ``relative_path``, ``size``, ``sha256`` and ``skipped``. Files kept by ``if_exists="skip"`` are read
    once to compute their checksum, so the result always describes the bytes in storage.

    **Asset events.** When ``outlets`` is not given and ``destination`` is a fixed URI (no Jinja), the
    operator declares the destination folder as its outlet: ``Asset(name=uri, uri=uri)`` where ``uri`` is
    the destination without a trailing slash and without a connection id (``file:///data/in``,
    ``s3://bucket/in``). It is also available as ``task.destination_asset``. Schedule a downstream DAG on
    it with ``schedule=[Asset("file:///data/in")]`` (or ``schedule=[copy_task.destination_asset]``).
    Every successful run records one event whose ``extra`` holds ``request_id``, ``destination``,
    ``file_count``, ``written_count``, ``skipped_count``, ``total_bytes`` and up to 100 ``files``
    (``path``, ``size``, ``sha256``). Declared ``outlets`` are used as given: each ``Asset`` gets that
    ``extra``; each ``AssetAlias`` gets an event for the destination's Asset, which is the way to go when
    the destination is templated: ``outlets=[AssetAlias("offcloud-landing")]`` and a downstream DAG
    scheduled on ``AssetAlias("offcloud-landing")``. A run where every file was skipped still records an
    event (Airflow records outlets on every success); ``written_count`` tells whether anything changed.

    Known limitation: a partial file is named after the file, not the item. If a different item with a
    file at the same path is copied to the same folder after a try of another item failed half-way, the old
    bytes are resumed; the size check catches a different length, not different bytes of the same length.
    Remove stray ``.offcloud-partial`` files when switching items on a folder.

    :param request_id: The Offcloud item to copy (templated): its ``requestId``, or the item dictionary a
        cloud download operator or sensor pushed to XCom (``{"requestId": ..., ...}``).
    :param destination: The destination folder (templated): a URI such as ``file:///data/in/`` or
        ``s3://bucket/in/``, or an ``ObjectStoragePath``. A local URI needs three slashes: in
        ``file://data/in/`` the ``data`` is a host part, refused because the files would land under the
        worker's working directory (``file://localhost/data/in/`` is read as ``file:///data/in/``).
        Known limitation: an ``ObjectStoragePath`` given directly is used as it is, so build it from the
        three-slash form too.
    :param destination_conn_id: The storage connection for a URI destination (templated); ignored when
        ``destination`` is already an ``ObjectStoragePath``.
    :param offcloud_conn_id: The Offcloud connection the item belongs to.
    :param if_exists: What to do with a file already at the destination: ``"skip"``, ``"overwrite"`` or
        ``"fail"``.
    :param chunk_size: Bytes read and written at a time.
    :param progress_interval: Seconds between two progress lines in the task log.
    :param max_attempts: Tries in a row without progress before a file's copy gives up; a try that
        received bytes starts the count again.
    :param max_retry_seconds: Longest time without progress before a file's copy gives up.
    :param backoff_seconds: First pause between two tries; it doubles while tries keep failing.
    :param timeout: Seconds to wait for a download server to connect and between two reads.
    """

    template_fields: Sequence[str] = ("request_id", "destination", "destination_conn_id")
    ui_color = "#d8ecf7"

    def __init__(
        self,
        *,
        request_id: str | Mapping[str, Any] | Any,
        destination: str | ObjectStoragePath,
        destination_conn_id: str | None = None,
        offcloud_conn_id: str = "offcloud_default",
        if_exists: IfExists = "skip",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        progress_interval: float = DEFAULT_PROGRESS_INTERVAL_SECONDS,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        max_retry_seconds: float = DEFAULT_MAX_RETRY_SECONDS,
        backoff_seconds: float = DEFAULT_BACKOFF_SECONDS,
        timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        if if_exists not in IF_EXISTS_CHOICES:
            raise ValueError(f"if_exists={if_exists!r}: use one of {', '.join(IF_EXISTS_CHOICES)}.")
        if chunk_size <= 0 or progress_interval < 0 or max_attempts < 1 or timeout <= 0:
            raise ValueError(
                "chunk_size and timeout must be positive, progress_interval not negative and max_attempts "
                f"at least 1 (got {chunk_size}, {timeout}, {progress_interval}, {max_attempts})."
            )
        durations = {
            "progress_interval": progress_interval,
            "max_retry_seconds": max_retry_seconds,
            "backoff_seconds": backoff_seconds,
            "timeout": timeout,
        }
        unusable = {name: value for name, value in durations.items() if not _is_duration(value)}
        if unusable:
            raise ValueError(
                f"{', '.join(f'{name}={value!r}' for name, value in unusable.items())}: give a finite number "
                "of seconds, zero or more (nan and inf cannot be waited for)."
            )

        fixed_destination = _fixed_destination(destination, destination_conn_id)
        if not kwargs.get("outlets") and fixed_destination is not None:
            kwargs["outlets"] = [destination_asset(fixed_destination)]
        super().__init__(**kwargs)

        self.request_id = request_id
        self.destination = destination
        self.destination_conn_id = destination_conn_id
        self.offcloud_conn_id = offcloud_conn_id
        self.if_exists = if_exists
        self.stream_settings = StreamSettings(
            chunk_size=chunk_size,
            progress_interval=progress_interval,
            max_attempts=max_attempts,
            max_retry_seconds=max_retry_seconds,
            backoff_seconds=backoff_seconds,
        )
        self.timeout = timeout
        self.destination_asset = destination_asset(fixed_destination) if fixed_destination else None

    def execute(self, context: Context) -> list[TransferredFile]:
        """Copy every file of the item and return what is at the destination (see the class docstring)."""
        request_id = request_id_from(self.request_id)
        destination = self._destination_path()
        # Imported here, not at module level: DAG files import this module at every parse, and these
        # bring requests and tenacity with them.
        from airflow_provider_offcloud.hooks.offcloud import OffcloudHook
        from airflow_provider_offcloud.transfers.links import DownloadLinkOpener
        from airflow_provider_offcloud.transfers.streaming import RangedCopier

        hook = OffcloudHook(self.offcloud_conn_id)
        opener = DownloadLinkOpener(hook, timeout=self.timeout)
        try:
            self._require_downloaded(hook, request_id)

            planned = plan_copies(hook.cloud_explore(request_id), destination)
            if not planned:
                raise OffcloudTransferError(
                    f"Offcloud lists no files for item {request_id} (control files left aside): there is "
                    "nothing to copy. Check the item on offcloud.com."
                )
            self.log.info(
                "Copying %d file(s) of Offcloud item %s to %s.", len(planned), request_id, destination
            )

            copier = RangedCopier(opener, self.stream_settings, logger=self.log)
            results = [
                self._copy_one(copy, copier, opener, position, len(planned))
                for position, copy in enumerate(planned, start=1)
            ]
        finally:
            opener.close()
            hook.close()

        extra = event_extra(request_id, destination, results)
        recorded = record_asset_events(self.outlets, context.get("outlet_events"), destination, extra)
        written = extra["written_count"]
        self.log.info(
            "Done: %d file(s) written, %d already there, %s in all at %s; asset events: %s.",
            written,
            extra["skipped_count"],
            human_bytes(extra["total_bytes"]),
            destination,
            ", ".join(recorded) or "none (no outlets)",
        )
        return results

    # -- steps -----------------------------------------------------------------------------------------

    def _destination_path(self) -> ObjectStoragePath:
        if isinstance(self.destination, ObjectStoragePath):
            return self.destination
        text = str(self.destination or "").strip()
        if "://" not in text:
            raise ValueError(
                f"destination={self.destination!r} is not a storage URI: give a folder such as "
                "file:///data/in/ or s3://bucket/in/, or an ObjectStoragePath."
            )
        return ObjectStoragePath(checked_destination_uri(text), conn_id=self.destination_conn_id or None)

    def _require_downloaded(self, hook: OffcloudHook, request_id: str) -> None:
        item = hook.cloud_status(request_id)
        status = OffcloudStatus.parse(item["status"])
        if status.is_failure:
            raise OffcloudDownloadFailedError(request_id, status.value, item["errorMessage"])
        if not status.is_success:
            raise OffcloudItemNotReadyError(request_id, status.value)

    def _copy_one(
        self,
        copy: PlannedCopy,
        copier: RangedCopier,
        opener: DownloadLinkOpener,
        position: int,
        count: int,
    ) -> TransferredFile:
        expected_size = copy.source["size"]
        if self._can_skip(copy, opener, expected_size):
            size = copy.target.stat().st_size
            self.log.info(
                "[%d/%d] %s is already at %s with the right size (%s); not downloading it.",
                position,
                count,
                copy.relative_path,
                copy.target,
                human_bytes(size),
            )
            checksum = sha256_of(copy.target, self.stream_settings.chunk_size)
            return _result(copy, size, checksum, skipped=True)

        size_text = human_bytes(expected_size) if expected_size is not None else "size unknown"
        self.log.info(
            "[%d/%d] Copying %s (%s) to %s.", position, count, copy.relative_path, size_text, copy.target
        )
        outcome = copier.copy(
            copy.source["url"],
            partial_path=copy.partial,
            target=copy.target,
            expected_size=expected_size,
            label=copy.relative_path,
        )
        return _result(copy, outcome.size, outcome.sha256, skipped=False)

    def _can_skip(self, copy: PlannedCopy, opener: DownloadLinkOpener, expected_size: int | None) -> bool:
        """Apply ``if_exists`` to a file already at the destination; ``True`` means keep it as it is."""
        if not copy.target.exists():
            return False
        if self.if_exists == "fail":
            raise OffcloudDestinationExistsError(
                f"{copy.target} already exists and if_exists='fail'. Delete it, or set if_exists='skip' "
                "(keep files of the right size) or 'overwrite'."
            )
        if self.if_exists == "overwrite":
            self.log.info("%s exists; replacing it (if_exists='overwrite').", copy.target)
            return False

        size_there = copy.target.stat().st_size
        size_wanted = expected_size if expected_size is not None else self._size_from_link(copy, opener)
        if size_wanted is None:
            self.log.warning(
                "%s exists but Offcloud gives no size to compare with; copying it again to be sure.",
                copy.target,
            )
            return False
        if size_there != size_wanted:
            self.log.warning(
                "%s exists with %d bytes where Offcloud has %d; copying it again.",
                copy.target,
                size_there,
                size_wanted,
            )
            return False
        return True

    def _size_from_link(self, copy: PlannedCopy, opener: DownloadLinkOpener) -> int | None:
        """Ask the link for its size (HEAD, no body) when the listing gave none; ``None`` if it won't say."""
        from airflow_provider_offcloud.transfers.answers import declared_length

        try:
            with opener.open(copy.source["url"], {}, method="HEAD") as response:
                return declared_length(response.headers) if response.status_code == 200 else None
        except (OffcloudError, OSError, ValueError):
            return None


#: Longest rendered text read back as an item dictionary; an item's text is a few hundred characters, and
#: a cap keeps a runaway template from costing the worker its memory or its stack.
MAX_ITEM_TEXT_LENGTH = 64 * 1024


def request_id_from(value: Any) -> str:
    """
    Read the request id from what the user gave: the id itself, or an upstream task's item dictionary.

    A dictionary rendered by a plain (non-native) Jinja template arrives as its text; it is read back.

    :param value: A request id, an ``OffcloudItem`` dictionary, or the text of one.
    :raises OffcloudBadInputError: when no valid request id can be found, or the text is too long or
        too deeply nested to be an item dictionary.
    """
    if isinstance(value, str) and value.strip().startswith("{"):
        value = _mapping_from_text(value)
    if isinstance(value, Mapping):
        value = value.get("requestId") or value.get("request_id")
    return validate_request_id(value)


def _mapping_from_text(text: str) -> Mapping[str, Any]:
    if len(text) > MAX_ITEM_TEXT_LENGTH:
        raise OffcloudBadInputError(
            f"request_id was rendered to {len(text)} characters of text starting with {text[:40]!r}, too "
            f"long for an item dictionary (at most {MAX_ITEM_TEXT_LENGTH}). Pass the requestId itself, or "
            "the item dictionary the upstream task pushed to XCom."
        )

    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
            # Deep nesting exhausts the parser's stack or memory: that is malformed input, not a crash.
            continue
        if isinstance(parsed, Mapping):
            return parsed
    raise OffcloudBadInputError(
        f"request_id was rendered to text starting with {text[:40]!r} that is not an item dictionary. "
        "Pass the requestId itself, or the item dictionary the upstream task pushed to XCom "
        "(render it with render_template_as_native_obj=True, or as '{{ ti.xcom_pull(...)[\"requestId\"] }}')."
    )


def _fixed_destination(destination: Any, conn_id: str | None) -> ObjectStoragePath | None:
    """The destination when it is known before run time (not templated), else ``None``."""
    if isinstance(destination, ObjectStoragePath):
        return destination
    if not isinstance(destination, str) or "{{" in destination or "{%" in destination:
        return None
    if "://" not in destination:
        return None
    # Checked even when the connection id is templated, so a wrong local URI fails when the DAG is parsed.
    uri = checked_destination_uri(destination)
    if conn_id is not None and "{{" in conn_id:
        return None
    return ObjectStoragePath(uri, conn_id=conn_id or None)


def _is_duration(value: Any) -> bool:
    """Tell whether a setting is a number of seconds a pause or a time-out can use."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value >= 0


def _result(copy: PlannedCopy, size: int, checksum: str, *, skipped: bool) -> TransferredFile:
    return TransferredFile(
        path=str(copy.target), relative_path=copy.relative_path, size=size, sha256=checksum, skipped=skipped
    )
