"""Command line entry point ``offcloud-emulator``: serve the emulator in the foreground."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from airflow_provider_offcloud.emulator.accounts import ALL_ADDONS, Addon
from airflow_provider_offcloud.emulator.app import build_app
from airflow_provider_offcloud.emulator.background_server import (
    bind_socket,
    quiet_uvicorn_logging,
    uvicorn_config,
)
from airflow_provider_offcloud.emulator.banner import ready_lines
from airflow_provider_offcloud.emulator.cli_values import byte_count, seconds
from airflow_provider_offcloud.emulator.demo import DEMO_API_KEY, DEMO_EMAIL, DEMO_PASSWORD, demo_account
from airflow_provider_offcloud.emulator.foreground import ForegroundServer, serve_until_stopped
from airflow_provider_offcloud.emulator.state import EmulatorOptions, EmulatorState

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_offcloud.emulator.request_log import RequestLogEntry

_PYTHON_DEFAULTS = EmulatorOptions()

#: Seconds per progress step of an uncached seeded torrent when run from the command line. The Python
#: default is a few hundredths of a second to keep test suites fast; a person checking statuses by hand
#: needs whole seconds to see ``created`` and ``downloading`` before ``downloaded``.
CLI_UNCACHED_STEP_DELAY = 1.0

_ADDON_SWITCHES = {
    Addon.PREMIUM: "--without-premium",
    Addon.LINKS: "--without-links",
    Addon.PROXY: "--without-proxy",
    Addon.VIDEO: "--without-video",
    Addon.CLOUD: "--without-cloud",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``offcloud-emulator``."""
    parser = argparse.ArgumentParser(
        prog="offcloud-emulator",
        description=(
            "Serve a local emulator of the Offcloud.com API (old and new generations) for tests and "
            "demos. Cloud downloads fetch submitted links from loopback hosts only."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8765, help="port to bind; 0 picks a free one (default: %(default)s)"
    )
    parser.add_argument("--email", default=DEMO_EMAIL, help="account e-mail (default: %(default)s)")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="account password (default: %(default)s)")
    parser.add_argument(
        "--api-key",
        default=DEMO_API_KEY,
        help="account API key, 32 letters and digits (default: %(default)s)",
    )
    for addon, switch in _ADDON_SWITCHES.items():
        parser.add_argument(
            switch,
            action="store_true",
            help=f"the plan lacks the {addon.value} add-on: its routes answer not_available",
        )
    parser.add_argument(
        "--no-password-login",
        action="store_true",
        help="answer 404 on /api/login, /api/login/classic and /api/key, as the 2026 service does",
    )
    parser.add_argument(
        "--proxy-list-envelope",
        action="store_true",
        help='answer the proxy list as {"list": [...]} instead of a bare array',
    )
    parser.add_argument(
        "--aria2-control-files",
        action="store_true",
        help="end plain explore listings of folder items with a .aria2 control file, as old listings did",
    )
    parser.add_argument(
        "--no-detailed-explore",
        action="store_true",
        help="ignore explore's format=detailed and answer the old bare list of links",
    )
    parser.add_argument(
        "--premium-required-402",
        action="store_true",
        help="refuse submissions of a plan without premium with HTTP 402 'premium required' (2026 service)",
    )
    parser.add_argument(
        "--download-chunk-delay",
        type=seconds,
        default=_PYTHON_DEFAULTS.download_chunk_delay,
        metavar="SECONDS",
        help=(
            "wait this long after each chunk a cloud download reads from its link, to watch it progress "
            "and a sensor defer; with the default chunk size, 0.5 makes about 128 KiB/s "
            "(default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--download-chunk-size",
        type=byte_count,
        default=_PYTHON_DEFAULTS.download_chunk_size,
        metavar="BYTES",
        help="bytes a cloud download reads from its link per chunk (default: %(default)s)",
    )
    parser.add_argument(
        "--uncached-step-delay",
        type=seconds,
        default=CLI_UNCACHED_STEP_DELAY,
        metavar="SECONDS",
        help=(
            f"seconds per progress step of a seeded torrent that is not cached, such as the demo's "
            f"3333... magnet; it takes {_PYTHON_DEFAULTS.uncached_steps} steps, so it shows created, then "
            f"downloading, before downloaded (default: %(default)s; 0 finishes it at once)"
        ),
    )
    parser.add_argument(
        "--log-requests",
        action="store_true",
        help=(
            "print one line per request: method, path, route name and HTTP status "
            "(never the query string, headers or body, which carry keys and passwords)"
        ),
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for reproducible request ids")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder for downloaded, seeded and remote content (default: a temporary folder removed on exit)",
    )
    return parser


def emulator_options(arguments: argparse.Namespace) -> EmulatorOptions:
    """
    Return the emulator's behaviour switches as the command line sets them.

    :param arguments: The parsed command line.
    """
    return EmulatorOptions(
        password_login=not arguments.no_password_login,
        proxy_list_envelope=arguments.proxy_list_envelope,
        aria2_control_files=arguments.aria2_control_files,
        detailed_explore=not arguments.no_detailed_explore,
        premium_required_402=arguments.premium_required_402,
        download_chunk_delay=arguments.download_chunk_delay,
        download_chunk_size=arguments.download_chunk_size,
        uncached_step_delay=arguments.uncached_step_delay,
    )


def print_request(entry: RequestLogEntry) -> None:
    """
    Print one served request on the standard error stream.

    :param entry: The request, without query string, headers or body.
    """
    print(entry.as_line(), file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the emulator until Ctrl-C or SIGTERM, then remove the temporary data folder and return 0.

    :param argv: Command line arguments without the program name; ``sys.argv[1:]`` when ``None``.
    """
    arguments = build_parser().parse_args(argv)
    addons = frozenset(
        addon for addon in ALL_ADDONS if not getattr(arguments, _ADDON_SWITCHES[addon][2:].replace("-", "_"))
    )
    account = demo_account(
        email=arguments.email, password=arguments.password, api_key=arguments.api_key, addons=addons
    )

    # Binding first tells the real port when --port 0 asked for any free one; links need it.
    try:
        listening_socket = bind_socket(arguments.host, arguments.port)
    except OSError as error:
        print(
            f"offcloud-emulator: cannot listen on {arguments.host}:{arguments.port} ({error.strerror}): "
            "choose another --port, or --port 0 for any free one.",
            file=sys.stderr,
        )
        return 2
    port = listening_socket.getsockname()[1]

    data_dir = arguments.data_dir or Path(tempfile.mkdtemp(prefix="offcloud-emu-"))
    options = emulator_options(arguments)
    state = EmulatorState([account], data_dir, seed=arguments.seed, options=options)
    host_in_url = f"[{arguments.host}]" if ":" in arguments.host else arguments.host
    state.base_url = f"http://{host_in_url}:{port}"

    if arguments.log_requests:
        state.request_log.add_listener(print_request)

    def announce_ready() -> None:
        for line in ready_lines(state.base_url, account):
            print(line, file=sys.stderr, flush=True)

    quiet_uvicorn_logging()
    server = ForegroundServer(
        uvicorn_config(build_app(state), arguments.host, port),
        on_ready=announce_ready,
        on_stop=state.runner.aclose,
    )
    try:
        serve_until_stopped(server, [listening_socket])
    finally:
        if arguments.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
