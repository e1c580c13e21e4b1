"""Parsing of magnet links as the service does: info hash, display name, resolved link."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

_BTIH_PREFIX = "urn:btih:"

# The service hands magnets back with its own trackers appended; clients must not compare the
# returned link with what they sent.
_RESOLVED_TRACKERS = (
    "udp://tracker.opentrackr.org:1337/announce",
    "udp://open.demonii.com:1337/announce",
)


@dataclass(frozen=True)
class MagnetLink:
    """
    What the emulator reads from a magnet link.

    :param info_hash: Lower-case 40-hex info hash, or the raw text when it is not a valid hash.
    :param valid_hash: Whether ``info_hash`` is a real 40-hex hash.
    :param display_name: The ``dn`` parameter, if any.
    :param link: The link as submitted.
    """

    info_hash: str
    valid_hash: bool
    display_name: str | None
    link: str

    def resolved_link(self) -> str:
        """Return the link as the service reports it back, with trackers appended."""
        if "&tr=" in self.link or "?tr=" in self.link:
            return self.link
        trackers = "".join(f"&tr={quote(tracker, safe='')}" for tracker in _RESOLVED_TRACKERS)
        return self.link + trackers


def is_magnet(link: str) -> bool:
    """
    Tell whether a submitted link is a magnet link.

    :param link: The submitted link.
    """
    return link[:8].lower() == "magnet:?"


def parse_magnet(link: str) -> MagnetLink:
    """
    Read the info hash and name of a magnet link; malformed hashes are kept, not rejected.

    The service accepts garbage magnets and lets them sit in ``created`` forever, so parsing never
    fails: an unreadable hash is returned as is with ``valid_hash`` false.

    :param link: A link for which :func:`is_magnet` is true.
    """
    query = parse_qs(urlsplit(link).query)
    display_names = query.get("dn")
    display_name = display_names[0] if display_names else None

    raw_hash = ""
    for topic in query.get("xt", []):
        if topic.lower().startswith(_BTIH_PREFIX):
            raw_hash = topic[len(_BTIH_PREFIX) :]
            break

    info_hash = normalize_info_hash(raw_hash)
    if info_hash is None:
        return MagnetLink(info_hash=raw_hash.lower(), valid_hash=False, display_name=display_name, link=link)
    return MagnetLink(info_hash=info_hash, valid_hash=True, display_name=display_name, link=link)


def normalize_info_hash(raw_hash: str) -> str | None:
    """
    Return a 40-hex lower-case info hash from hex or base32 text, or ``None`` when malformed.

    :param raw_hash: Hash text from a magnet link or a cache request.
    """
    candidate = raw_hash.strip()
    if len(candidate) == 40:
        try:
            bytes.fromhex(candidate)
        except ValueError:
            return None
        return candidate.lower()

    if len(candidate) == 32:
        try:
            return base64.b32decode(candidate.upper()).hex()
        except (binascii.Error, ValueError):
            return None
    return None
