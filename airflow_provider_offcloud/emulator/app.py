"""Assembles the emulator's ASGI application: every route family, HTML error pages, request log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException

from airflow_provider_offcloud.emulator.body_limit import BodyLimitMiddleware
from airflow_provider_offcloud.emulator.replies import method_not_allowed_page, not_found_page
from airflow_provider_offcloud.emulator.request_log import RequestLogMiddleware
from airflow_provider_offcloud.emulator.routes_account import account_routes
from airflow_provider_offcloud.emulator.routes_cache import cache_routes
from airflow_provider_offcloud.emulator.routes_explore import explore_routes
from airflow_provider_offcloud.emulator.routes_files import file_routes
from airflow_provider_offcloud.emulator.routes_session import session_routes
from airflow_provider_offcloud.emulator.routes_submit import submit_routes
from airflow_provider_offcloud.emulator.routes_transfers import transfer_routes

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp

    from airflow_provider_offcloud.emulator.state import EmulatorState


async def _routing_error_page(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong verbs get framework-style HTML pages, never JSON, like the service.
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return method_not_allowed_page(request.method, request.url.path, allowed)
    return not_found_page(request.url.path)


def build_app(state: EmulatorState) -> ASGIApp:
    """
    Build the ASGI application serving one emulator's state.

    The status route comes first in the routing table because it is the one clients poll most.

    :param state: The emulator's shared state.
    """
    routes = [
        *transfer_routes(state),
        *submit_routes(state),
        *explore_routes(state),
        *file_routes(state),
        *cache_routes(state),
        *account_routes(state),
        *session_routes(state),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={404: _routing_error_page, 405: _routing_error_page},
    )
    # "/api/cloud/" must be an unknown route, not a redirect to "/api/cloud".
    app.router.redirect_slashes = False
    limited = BodyLimitMiddleware(app, state.options.max_request_body_bytes)
    return RequestLogMiddleware(limited, state.request_log)
