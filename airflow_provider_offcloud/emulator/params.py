"""Reading request parameters from the query string and from form or JSON bodies alike."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

if TYPE_CHECKING:
    from starlette.requests import Request


class RequestParams:
    """
    Parameters of one request, whichever way the client sent them.

    Real clients send the same parameters as query string, urlencoded form, multipart form or JSON
    body; the service accepts them all, so routes read every parameter through this one object.
    Body values win over query values.

    :param query: Query string pairs.
    :param body: Parsed body: a dict for JSON objects and forms, or ``None``.
    """

    def __init__(self, query: list[tuple[str, str]], body: dict[str, Any] | None) -> None:
        self._values: dict[str, Any] = _collect_form_pairs(query)
        if body:
            self._values.update(body)

    def text(self, name: str) -> str | None:
        """
        Return a parameter as text, or ``None`` when absent or empty.

        :param name: Parameter name.
        """
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, list):
            return str(value[0]) if value else None
        return str(value)

    def has(self, name: str) -> bool:
        """
        Tell whether a parameter was sent at all, even empty.

        :param name: Parameter name.
        """
        return name in self._values

    def text_list(self, name: str) -> list[str]:
        """
        Return a list parameter from a JSON array, repeated ``name``/``name[]`` keys or ``name[0]``...

        :param name: Parameter name without brackets.
        """
        direct = self._values.get(name)
        if isinstance(direct, list):
            return [str(value) for value in direct]
        if isinstance(direct, str) and direct:
            return [direct]

        bracketed = self._values.get(f"{name}[]")
        if isinstance(bracketed, list):
            return [str(value) for value in bracketed]
        if isinstance(bracketed, str):
            return [bracketed]

        # Form encoders of some clients number the entries: hashes[0]=...&hashes[1]=...
        prefix = f"{name}["
        indexed = [
            (key[len(prefix) : -1], value)
            for key, value in self._values.items()
            if key.startswith(prefix) and key.endswith("]") and key[len(prefix) : -1].isdigit()
        ]
        return [str(value) for _, value in sorted(indexed, key=lambda pair: int(pair[0]))]

    def flag(self, name: str) -> bool:
        """
        Return a boolean parameter (JSON ``true`` or form ``true``/``1``).

        :param name: Parameter name.
        """
        value = self._values.get(name)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)


def _collect_form_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    collected: dict[str, Any] = {}
    for name, value in pairs:
        if name in collected:
            existing = collected[name]
            collected[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
        elif name.endswith("[]"):
            collected[name] = [value]
        else:
            collected[name] = value
    return collected


async def read_params(request: Request) -> RequestParams:
    """
    Parse a request's query string and body into :class:`RequestParams`.

    Malformed bodies count as empty: the routes then answer with their "missing parameter" errors,
    as the service does.

    :param request: The incoming request.
    """
    query = parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if request.method in ("GET", "HEAD"):
        return RequestParams(query, None)

    content_type = request.headers.get("content-type", "")
    body: dict[str, Any] | None = None
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        body = _collect_form_pairs([(name, str(value)) for name, value in form.multi_items()])
    else:
        raw_body = await request.body()
        if raw_body:
            body = _parse_raw_body(raw_body, content_type)
    return RequestParams(query, body)


def _parse_raw_body(raw_body: bytes, content_type: str) -> dict[str, Any] | None:
    # Some clients send JSON without saying so; a body starting with "{" is read as JSON.
    if content_type.startswith("application/json") or raw_body.lstrip()[:1] == b"{":
        try:
            decoded = json.loads(raw_body)
        except ValueError:
            return None
        return decoded if isinstance(decoded, dict) else None
    return _collect_form_pairs(parse_qsl(raw_body.decode("utf-8", "replace"), keep_blank_values=True))
