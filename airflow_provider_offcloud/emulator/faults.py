"""Runtime fault injection: make chosen emulator routes misbehave the way the real service does."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator.route_names import ALL_ROUTE_NAMES, ANY_ROUTE

if TYPE_CHECKING:
    from airflow_provider_offcloud.emulator.accounts import AccountRegistry


class FaultKind(str, enum.Enum):
    """Ways a route can be made to fail."""

    #: HTTP 429 with a ``Retry-After`` header.
    RATE_LIMIT = "rate_limit"
    #: An HTML error page under a 5xx status (``status_code``, 503 by default).
    SERVER_ERROR = "server_error"
    #: An HTML error page under HTTP 200, as seen during outages.
    HTML_PAGE = "html_page"
    #: A bare JSON string body (``message``) under HTTP 500.
    BARE_STRING = "bare_string"
    #: The normal answer, after ``delay`` seconds.
    DELAY = "delay"
    #: Headers and part of the body (``after_bytes``, half by default), then the connection drops.
    DROP_CONNECTION = "drop_connection"
    #: HTTP 401 ``{"error": "NOAUTH"}`` whatever the credentials.
    NOAUTH = "noauth"
    #: On status routes, report ``created``/"Loading..." whatever the real state; on add routes, the
    #: new item never leaves ``created``.
    STUCK_CREATED = "stuck_created"


DEFAULT_BARE_STRING = "Error parsing url - HTTP code: 404 "

#: Kinds that replace or hold back the reply and can therefore also be played after the route's work.
KINDS_PLAYABLE_AFTER_HANDLER: frozenset[FaultKind] = frozenset(
    {
        FaultKind.RATE_LIMIT,
        FaultKind.SERVER_ERROR,
        FaultKind.HTML_PAGE,
        FaultKind.BARE_STRING,
        FaultKind.DELAY,
        FaultKind.NOAUTH,
    }
)


@dataclass
class Fault:
    """
    One injected fault.

    :param route: Route name it applies to, or ``*`` for every route.
    :param kind: What goes wrong.
    :param times: How many more requests it affects; ``None`` until cleared.
    :param retry_after: Seconds announced in ``Retry-After`` by ``rate_limit``.
    :param status_code: HTTP status of ``server_error``.
    :param delay: Seconds ``delay`` waits before answering.
    :param message: Body text of ``bare_string`` and ``html_page``.
    :param after_bytes: Body bytes ``drop_connection`` sends before dropping; half when ``None``.
    :param after_handler: Play the fault once the route has done its work (a submission has created its
        item) instead of before it, so the client gets a fault although the request took effect: the
        ambiguous case a client must not answer by submitting twice. ``drop_connection`` always plays
        after the work.
    """

    route: str
    kind: FaultKind
    times: int | None = None
    retry_after: float = 1
    status_code: int = 503
    delay: float = 0.0
    message: str | None = None
    after_bytes: int | None = None
    after_handler: bool = False


class FaultInjector:
    """
    Switches faults on and off per route while the emulator runs.

    Example: ``emulator.faults.inject("cloud_status", kind="rate_limit", retry_after=1, times=2)``
    makes the next two status requests answer 429; ``emulator.faults.clear()`` removes every fault.
    Faults on one route are used in the order they were injected.

    :param registry: Accounts whose sessions and keys the session and key faults change.
    """

    def __init__(self, registry: AccountRegistry) -> None:
        self._registry = registry
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def inject(
        self,
        route: str,
        kind: FaultKind | str,
        *,
        times: int | None = None,
        retry_after: float = 1,
        status_code: int = 503,
        delay: float = 0.0,
        message: str | None = None,
        after_bytes: int | None = None,
        after_handler: bool = False,
    ) -> Fault:
        """
        Make a route misbehave.

        :param route: Route name (see :mod:`~airflow_provider_offcloud.emulator.route_names`) or ``*``.
        :param kind: A :class:`FaultKind` or its value.
        :param times: Number of requests affected; ``None`` keeps the fault until :meth:`clear`.
        :param retry_after: Seconds announced by ``rate_limit``.
        :param status_code: HTTP status of ``server_error``.
        :param delay: Seconds waited by ``delay``.
        :param message: Body of ``bare_string`` / ``html_page``.
        :param after_bytes: Bytes sent before ``drop_connection`` drops.
        :param after_handler: Play the fault after the route did its work (see :class:`Fault`); only for
            ``rate_limit``, ``server_error``, ``html_page``, ``bare_string``, ``delay`` and ``noauth``.
        :return: The fault, whose ``times`` counts down as requests use it.
        """
        if route != ANY_ROUTE and route not in ALL_ROUTE_NAMES:
            raise ValueError(f"Unknown route {route!r}; use one of {sorted(ALL_ROUTE_NAMES)} or '*'.")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for a fault that lasts until cleared.")
        fault_kind = FaultKind(kind)
        if after_handler and fault_kind not in KINDS_PLAYABLE_AFTER_HANDLER:
            raise ValueError(
                f"A {fault_kind.value} fault cannot be moved after the route's work; after_handler applies "
                f"to {sorted(kind.value for kind in KINDS_PLAYABLE_AFTER_HANDLER)}."
            )

        fault = Fault(
            route=route,
            kind=fault_kind,
            times=times,
            retry_after=retry_after,
            status_code=status_code,
            delay=delay,
            message=message,
            after_bytes=after_bytes,
            after_handler=after_handler,
        )
        with self._lock:
            self._faults = [*self._faults, fault]
        return fault

    def clear(self, route: str | None = None) -> None:
        """
        Remove injected faults.

        :param route: Only remove faults aimed at this route name; all faults when ``None``.
        """
        with self._lock:
            self._faults = [fault for fault in self._faults if route is not None and fault.route != route]

    @property
    def active(self) -> list[Fault]:
        """Faults still in force."""
        return list(self._faults)

    def take(self, route: str) -> Fault | None:
        """
        Return the fault the next request on a route suffers, counting it down, or ``None``.

        :param route: Name of the route being served.
        """
        # Most requests run with no fault at all; skip the lock for them.
        if not self._faults:
            return None

        with self._lock:
            for fault in self._faults:
                if fault.route != route and fault.route != ANY_ROUTE:
                    continue
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults = [other for other in self._faults if other is not fault]
                return fault
        return None

    def expire_sessions(self) -> None:
        """Make every login cookie stop working, as when the service expires sessions."""
        self._registry.expire_sessions()

    def revoke_api_key(self, api_key: str) -> None:
        """
        Revoke an API key: requests using it answer 401 ``NOAUTH`` from now on.

        :param api_key: The key to revoke.
        """
        self._registry.revoke_api_key(api_key)
