"""Fault bookkeeping of the emulator: matching routes, counting down, clearing, key and session faults."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.emulator.accounts import AccountRegistry
from airflow_provider_offcloud.emulator.demo import demo_account
from airflow_provider_offcloud.emulator.faults import FaultInjector, FaultKind


@pytest.fixture
def registry():
    return AccountRegistry([demo_account()])


@pytest.fixture
def faults(registry):
    return FaultInjector(registry)


def test_counted_fault_expires(faults):
    faults.inject("cloud_status", kind="rate_limit", times=2)

    taken = [faults.take("cloud_status") for _ in range(3)]

    assert [fault.kind if fault else None for fault in taken] == [
        FaultKind.RATE_LIMIT,
        FaultKind.RATE_LIMIT,
        None,
    ]


def test_faults_on_one_route_are_used_in_order(faults):
    faults.inject("cloud_add", kind="delay", times=1)
    faults.inject("cloud_add", kind="noauth", times=1)

    assert faults.take("cloud_add").kind is FaultKind.DELAY
    assert faults.take("cloud_add").kind is FaultKind.NOAUTH


def test_other_routes_are_untouched_and_clear_by_route(faults):
    faults.inject("cloud_add", kind="server_error")
    faults.inject("cloud_status", kind="html_page")

    assert faults.take("cloud_history") is None
    faults.clear("cloud_add")

    assert faults.take("cloud_add") is None
    assert faults.take("cloud_status").kind is FaultKind.HTML_PAGE


def test_wildcard_matches_every_route(faults):
    faults.inject("*", kind="server_error")

    assert faults.take("account_info").kind is FaultKind.SERVER_ERROR


@pytest.mark.parametrize(
    ("route", "kind", "times"),
    [("nope", "delay", None), ("cloud_add", "nope", None), ("cloud_add", "delay", 0)],
)
def test_bad_injections_are_refused(faults, route, kind, times):
    with pytest.raises(ValueError):  # noqa: PT011 - each case fails its own way
        faults.inject(route, kind=kind, times=times)


def test_key_revocation_and_session_expiry_reach_the_registry(faults, registry):
    account = registry.accounts[0]
    session_id = registry.open_session(account)

    faults.revoke_api_key(account.api_key)
    faults.expire_sessions()

    assert registry.by_api_key(account.api_key) is None
    assert registry.by_session(session_id) is None
    registry.restore_api_key(account)
    assert registry.by_api_key(account.api_key) is account


@pytest.mark.parametrize("kind", ["drop_connection", "stuck_created"])
def test_only_reply_faults_can_be_played_after_the_handler(faults, kind):
    with pytest.raises(ValueError, match="after the route's work"):
        faults.inject("cloud_add", kind=kind, after_handler=True)


def test_late_fault_keeps_its_timing(faults):
    faults.inject("cloud_add", kind="server_error", after_handler=True, times=1)

    taken = faults.take("cloud_add")

    assert taken is not None
    assert taken.after_handler
    assert taken.kind is FaultKind.SERVER_ERROR
