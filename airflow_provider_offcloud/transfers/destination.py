"""Checks on a destination URI before it becomes a storage path: local URIs must name an absolute folder."""

from __future__ import annotations

from urllib.parse import urlsplit

from airflow_provider_offcloud.exceptions import OffcloudBadInputError

#: Storage protocols of the worker's own file system.
LOCAL_PROTOCOLS = frozenset({"file", "local"})


def checked_destination_uri(uri: str) -> str:
    """
    Return a destination URI ready for ``ObjectStoragePath``, refusing local URIs it would misread.

    ``ObjectStoragePath`` reads the host part of a ``file://`` or ``local://`` URI as the first folder of a
    path relative to the worker's working directory: ``file://data/in/`` lands in ``<cwd>/data/in/``
    rather than ``/data/in/``. A URI naming ``localhost`` means the local machine (RFC 8089) and is
    rewritten without it (``file://localhost/data/in/`` gives ``file:///data/in/``); any other host is
    refused. Other protocols, and local URIs without ``//``, are returned as given without surrounding
    spaces.

    :param uri: The destination as the user wrote it (after templating).
    :raises OffcloudBadInputError: for a local URI with a host part other than ``localhost``, or with no
        folder at all.
    """
    text = uri.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    has_authority = text[len(parts.scheme) + 1 :].startswith("//")
    if scheme not in LOCAL_PROTOCOLS or not has_authority:
        return text

    # An "id@" before the host names the storage connection; only what follows it is the host.
    connection, at, host = parts.netloc.rpartition("@")
    if host and host.lower() != "localhost":
        suggestion = f"{scheme}://{connection}{at}/{host}{parts.path}"
        raise OffcloudBadInputError(
            f"destination={uri!r} has {host!r} as the host part of a {scheme}:// URI, so the files would "
            "land under the worker's working directory, wherever that is. Give an absolute folder with "
            f"three slashes after the scheme, such as {suggestion!r}."
        )
    if not parts.path.startswith("/"):
        raise OffcloudBadInputError(
            f"destination={uri!r} names no folder: give an absolute folder such as '{scheme}:///data/in/'."
        )
    # Assembled by hand: urlunsplit drops the "//" of schemes it does not know, such as local.
    rest = text[len(parts.scheme) + len("://") + len(parts.netloc) :]
    return f"{scheme}://{connection}{at}{rest}"
