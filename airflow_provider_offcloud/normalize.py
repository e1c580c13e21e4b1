"""
Turn every shape Offcloud has answered with into one typed, JSON-serialisable shape.

Two generations of the API answer the same question differently: wrapped ``{"status": {...}}`` or flat
objects, ``{"list": [...]}``, ``{"data": [...]}`` or bare arrays, camelCase or snake_case, sizes as numbers
or numeric strings, progress as ``amount``/``fileSize`` bytes or a ``progress`` fraction. The functions
here accept all of them and return dictionaries keyed by the documented API's own field names, so that
what lands in XCom does not depend on which generation answered.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, TypedDict
from urllib.parse import parse_qs, unquote, urlsplit

from airflow_provider_offcloud.exceptions import OffcloudApiError
from airflow_provider_offcloud.status import OffcloudStatus


class OffcloudItem(TypedDict):
    """An instant, cloud or remote item: a submission's answer, a status, or a history entry."""

    requestId: str
    fileName: str | None
    status: str
    originalLink: str | None
    createdOn: str | None
    url: str | None
    site: str | None
    server: str | None
    fileSize: int | None
    amount: int | None
    progress: float | None
    downloadingSpeed: float | None
    isDirectory: bool | None
    errorMessage: str | None


class OffcloudFile(TypedDict):
    """One file of a finished cloud item."""

    name: str
    path: str
    size: int | None
    url: str


class OffcloudProxy(TypedDict):
    """A proxy an instant download can go through."""

    id: str
    name: str | None
    region: str | None


class OffcloudRemoteAccount(TypedDict):
    """A remote account (FTP, Google Drive, ...) that remote downloads are delivered to."""

    remoteOptionId: str
    type: str | None
    username: str | None
    status: str | None
    host: str | None
    port: int | None


class OffcloudAccount(TypedDict):
    """What the service says about the account behind the connection."""

    userId: str | None
    email: str | None
    isPremium: bool | None
    expirationDate: str | None
    canDownload: bool | None
    limits: dict[str, Any]


_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE_PATTERN = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)i?b?(?:/s|ps)?\s*$", re.IGNORECASE)
_HEX_INFO_HASH = re.compile(r"^[0-9a-fA-F]{40}$")
_BASE32_INFO_HASH = re.compile(r"^[A-Za-z2-7]{32}$")


def first_present(record: Mapping[str, Any], *keys: str) -> Any:
    """
    Return the value of the first key present with a non-empty value, else ``None``.

    :param record: A decoded JSON object.
    :param keys: Spellings of one field, preferred first (``"requestId", "request_id", "id"``).
    """
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None


def to_bytes(value: Any) -> int | None:
    """
    Read a size or speed: a number, a numeric string, or a string with units (``"1.5 MB"``, ``"2 MB/s"``).

    :param value: The raw value; anything unreadable gives ``None`` rather than an error.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if math.isfinite(value) and value >= 0 else None
    match = _SIZE_PATTERN.match(str(value))
    if not match:
        return None
    number, unit = match.groups()
    size = float(number) * _SIZE_UNITS[unit.lower()]
    return int(size) if math.isfinite(size) else None


def to_bool(value: Any) -> bool | None:
    """
    Read a flag given as a bool, a 0/1 number or a string.

    :param value: The raw value.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def to_iso_timestamp(value: Any) -> str | None:
    """
    Give a creation or expiry time as text: ISO strings pass through, unix seconds become ISO UTC.

    ``dd-mm-yyyy`` dates of the old account page become ``yyyy-mm-dd``.

    :param value: The raw value.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).isoformat()
        except (ValueError, OverflowError, OSError):
            # A time no calendar can hold is no time at all: leave it out rather than fail the answer.
            return None
    text = str(value)
    day_first = re.fullmatch(r"(\d{2})-(\d{2})-(\d{4})", text)
    if day_first:
        day, month, year = day_first.groups()
        return f"{year}-{month}-{day}"
    return text


def unwrap(payload: Any, *keys: str) -> Any:
    """
    Take the value out of the first envelope key present (``{"status": {...}}``, ``{"data": [...]}``).

    :param payload: A decoded JSON answer.
    :param keys: Envelope keys to look through, preferred first.
    """
    if isinstance(payload, Mapping):
        for key in keys:
            inner = payload.get(key)
            if isinstance(inner, Mapping | list):
                return inner
    return payload


def as_records(payload: Any, *envelope_keys: str) -> list[Mapping[str, Any]]:
    """
    Read a list answer: a bare array or an array inside one of the envelope keys.

    :param payload: A decoded JSON answer.
    :param envelope_keys: Keys under which the service has wrapped such lists.
    """
    inner = unwrap(payload, *envelope_keys)
    if isinstance(inner, Mapping):
        return [inner]
    if not isinstance(inner, list):
        raise OffcloudApiError(f"Offcloud answered {type(payload).__name__} where a list was expected.")
    return [record for record in inner if isinstance(record, Mapping)]


def normalize_item(payload: Any) -> OffcloudItem:
    """
    Normalise one item: a submission answer, a status (wrapped or flat) or a history entry.

    :param payload: A decoded JSON answer or one entry of a list answer.
    :raises OffcloudApiError: when the answer carries no request id, so it cannot be about an item.
    """
    record = unwrap(payload, "status")
    if isinstance(record, Mapping) and isinstance(record.get("requests"), list) and record["requests"]:
        record = record["requests"][0]
    if not isinstance(record, Mapping):
        raise OffcloudApiError(f"Offcloud answered {payload!r:.200} where an item was expected.")

    request_id = first_present(record, "requestId", "request_id", "id")
    if request_id is None:
        raise OffcloudApiError(f"Offcloud answered an item without a request id: {dict(record)!r:.300}")

    status = OffcloudStatus.parse(first_present(record, "status", "state"))
    file_size = to_bytes(first_present(record, "fileSize", "file_size", "size"))
    amount = to_bytes(first_present(record, "amount", "downloaded", "bytesDone"))
    progress = _progress(record, status, amount, file_size)
    if amount is None and progress is not None and file_size:
        amount = int(progress * file_size)

    error_text = first_present(record, "errorMessage", "error_message", "error")
    if error_text is None and status.is_failure:
        error_text = first_present(record, "message", "info")

    return OffcloudItem(
        requestId=str(request_id),
        fileName=_text(first_present(record, "fileName", "file_name", "filename", "name")),
        status=status.value,
        originalLink=_text(first_present(record, "originalLink", "original_link", "link")),
        createdOn=to_iso_timestamp(first_present(record, "createdOn", "created_on", "createdAt")),
        url=_text(first_present(record, "url", "downloadLink", "download_link")),
        site=_text(record.get("site")),
        server=_text(record.get("server")),
        fileSize=file_size,
        amount=amount,
        progress=progress,
        downloadingSpeed=_speed(first_present(record, "downloadingSpeed", "speed", "downloadSpeed")),
        isDirectory=to_bool(first_present(record, "isDirectory", "is_directory")),
        errorMessage=_text(error_text),
    )


def normalize_items(
    payload: Any,
    request_ids: Collection[str] | None = None,
    reuse: dict[str, tuple[Mapping[str, Any], OffcloudItem]] | None = None,
) -> list[OffcloudItem]:
    """
    Normalise a list of items (cloud history): bare array, ``{"history": [...]}`` or ``{"data": [...]}``.

    Entries without a request id are dropped: the old service returned placeholders in history.

    :param payload: A decoded JSON answer.
    :param request_ids: Normalise only the entries of these items; an account's history can hold
        thousands of entries when a caller wants a few.
    :param reuse: Entries normalised before, by request id, kept up to date here: an entry whose record is
        unchanged is not normalised again (a poller reading the same history every few seconds).
    """
    items = []
    for record in as_records(payload, "history", "data", "list", "requests", "items"):
        request_id = first_present(record, "requestId", "request_id", "id")
        if request_id is None or (request_ids is not None and str(request_id) not in request_ids):
            continue
        known = reuse.get(str(request_id)) if reuse is not None else None
        if known is not None and known[0] == record:
            items.append(known[1])
            continue
        item = normalize_item(record)
        if reuse is not None:
            reuse[str(request_id)] = (record, item)
        items.append(item)
    return items


def normalize_files(payload: Any) -> list[OffcloudFile]:
    """
    Normalise the files of a cloud item: a bare array of links or ``{"files": [{name, size, path, url}]}``.

    :param payload: A decoded JSON answer of ``cloud/explore``.
    """
    if isinstance(payload, Mapping) and "files" in payload:
        entries = payload["files"] if isinstance(payload["files"], list) else []
    elif isinstance(payload, list):
        entries = payload
    else:
        raise OffcloudApiError(f"Offcloud answered {payload!r:.200} where a list of files was expected.")
    return [_file(entry) for entry in entries if isinstance(entry, str | Mapping)]


def normalize_proxies(payload: Any) -> list[OffcloudProxy]:
    """
    Normalise the proxy list: a bare array (as documented) or ``{"list": [...]}`` (as seen).

    :param payload: A decoded JSON answer.
    """
    return [
        OffcloudProxy(
            id=str(first_present(record, "id", "proxyId")),
            name=_text(record.get("name")),
            region=_text(record.get("region")),
        )
        for record in as_records(payload, "list", "data", "proxies")
    ]


def normalize_remote_accounts(payload: Any) -> list[OffcloudRemoteAccount]:
    """
    Normalise the remote accounts: ``{"data": [...]}`` or a bare array, ``remoteOptionId`` or ``accountId``.

    :param payload: A decoded JSON answer.
    """
    accounts = []
    for record in as_records(payload, "data", "list", "accounts"):
        port = first_present(record, "port")
        accounts.append(
            OffcloudRemoteAccount(
                remoteOptionId=str(first_present(record, "remoteOptionId", "accountId", "id")),
                type=_text(record.get("type")),
                username=_text(first_present(record, "username", "name")),
                status=_text(record.get("status")),
                host=_text(record.get("host")),
                port=int(port) if str(port or "").isdigit() else None,
            )
        )
    return accounts


def normalize_account(payload: Any) -> OffcloudAccount:
    """
    Normalise account facts from ``/api/account/info`` (snake_case) or ``/api/account/stats`` (camelCase).

    :param payload: A decoded JSON answer.
    """
    record = unwrap(payload, "account", "data")
    if not isinstance(record, Mapping):
        raise OffcloudApiError(f"Offcloud answered {payload!r:.200} where account details were expected.")
    limits = record.get("limits")
    user_id = first_present(record, "user_id", "userId")
    return OffcloudAccount(
        userId=None if user_id is None else str(user_id),
        email=_text(record.get("email")),
        isPremium=to_bool(first_present(record, "is_premium", "isPremium")),
        expirationDate=to_iso_timestamp(first_present(record, "expiration_date", "expirationDate")),
        canDownload=to_bool(first_present(record, "can_download", "canDownload")),
        limits=dict(limits) if isinstance(limits, Mapping) else {},
    )


def info_hash(hash_or_magnet: Any) -> str | None:
    """
    Return the lower-case hex info hash of a magnet link or bare hash, or ``None`` when there is none.

    Base32 hashes (32 characters, seen in older magnets) are converted to hex so that they compare equal
    to the hex form Offcloud answers with.

    :param hash_or_magnet: A 40-hex or 32-base32 info hash, or a ``magnet:?xt=urn:btih:...`` link; any
        other value (``None``, a number) gives ``None``.
    """
    if not isinstance(hash_or_magnet, str):
        return None
    candidate = hash_or_magnet.strip()
    if candidate.lower().startswith("magnet:"):
        topics = parse_qs(urlsplit(candidate).query).get("xt", [])
        candidate = next((t.split(":")[-1] for t in topics if t.lower().startswith("urn:btih:")), "")
    if _HEX_INFO_HASH.match(candidate):
        return candidate.lower()
    if _BASE32_INFO_HASH.match(candidate):
        try:
            return base64.b32decode(candidate.upper()).hex()
        except binascii.Error:
            return None
    return None


def same_source(submitted_link: str, original_link: str | None) -> bool:
    """
    Tell whether a history entry's ``originalLink`` stands for a link we submitted.

    Offcloud rewrites what it is given (trackers appended to a magnet, a torrent URL turned into
    ``<HASH>.torrent``), so magnets compare by info hash and other links by their text without a
    trailing slash.

    :param submitted_link: The link as the provider sent it.
    :param original_link: The ``originalLink`` of an item Offcloud holds.
    """
    if not original_link:
        return False
    submitted_hash = info_hash(submitted_link)
    if submitted_hash is not None:
        return submitted_hash in {info_hash(original_link), _torrent_name_hash(original_link)}
    return submitted_link.strip().rstrip("/") == original_link.strip().rstrip("/")


def _torrent_name_hash(link: str) -> str | None:
    name = unquote(urlsplit(link).path.rsplit("/", 1)[-1])
    return info_hash(name.removesuffix(".torrent")) if name.endswith(".torrent") else None


def _progress(
    record: Mapping[str, Any], status: OffcloudStatus, amount: int | None, file_size: int | None
) -> float | None:
    if status.is_success:
        return 1.0
    raw = record.get("progress")
    if isinstance(raw, int | float | str) and not isinstance(raw, bool):
        try:
            fraction = float(str(raw).rstrip("%"))
        except ValueError:
            fraction = -1.0
        if fraction > 1 or (isinstance(raw, str) and raw.endswith("%")):
            fraction /= 100
        if 0 <= fraction <= 1:
            return fraction
    if amount is not None and file_size:
        return min(amount / file_size, 1.0)
    return None


def _speed(value: Any) -> float | None:
    speed = to_bytes(value)
    return None if speed is None else float(speed)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _file(entry: str | Mapping[str, Any]) -> OffcloudFile:
    if isinstance(entry, str):
        return OffcloudFile(name=_name_from_link(entry), path=_path_from_link(entry), size=None, url=entry)
    url = str(first_present(entry, "url", "link", "downloadLink") or "")
    name = _text(first_present(entry, "name", "filename", "fileName")) or _name_from_link(url)
    folder = entry.get("folder")
    path = first_present(entry, "path")
    if path is None and isinstance(folder, list):
        path = "/".join([*map(str, folder), name])
    elif path is None and isinstance(folder, str) and folder:
        path = f"{folder.strip('/')}/{name}"
    path_text = str(path or name).strip("/")
    if path_text != name and not path_text.endswith(f"/{name}"):
        # Some listings give the folder a file sits in as its ``path``; a file's own path ends with its name.
        path_text = f"{path_text}/{name}"
    return OffcloudFile(
        name=name,
        path=path_text,
        size=to_bytes(first_present(entry, "size", "fileSize")),
        url=url,
    )


def _name_from_link(link: str) -> str:
    return unquote(urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1])


def _path_from_link(link: str) -> str:
    """
    Recover a file's path inside its item from an explore link.

    Multi-file links look like ``.../cloud/download/{requestId}/{index}/{folder}/{name}``; the path is
    what follows the numeric index. Links of another shape give just the file name.
    """
    segments = [unquote(part) for part in urlsplit(link).path.split("/") if part]
    if "download" in segments:
        after = segments[segments.index("download") + 2 :]
        if after and after[0].isdigit():
            after = after[1:]
        if after:
            return "/".join(after)
    return _name_from_link(link)


def lower_hashes(values: Iterable[Any]) -> set[str]:
    """
    Collect info hashes from a cache answer, lower-cased, ignoring entries that are not text.

    :param values: The ``cachedItems`` list of a cache answer.
    """
    return {str(value).lower() for value in values if isinstance(value, str)}
