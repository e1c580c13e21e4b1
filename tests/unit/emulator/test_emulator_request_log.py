"""Request log entries as printed lines, and listeners told about every new entry."""

from __future__ import annotations

from airflow_provider_offcloud.emulator.request_log import (
    MAX_SHOWN_PATH_LENGTH,
    RequestLog,
    RequestLogEntry,
)


def test_line_shows_method_path_route_and_status():
    entry = RequestLogEntry(method="POST", path="/api/cloud", route="cloud_add", status_code=200)

    assert entry.as_line() == "POST /api/cloud cloud_add 200"


def test_line_escapes_characters_that_would_fake_another_line():
    entry = RequestLogEntry(method="GET", path="/a\nGET /b x 200\x1b[2J", route="not_found", status_code=404)

    line = entry.as_line()

    assert "\n" not in line
    assert "\x1b" not in line
    assert line.startswith("GET /a\\nGET /b x 200\\x1b[2J ")


def test_line_cuts_very_long_paths():
    entry = RequestLogEntry(method="GET", path="/" + "a" * 5000, route="not_found", status_code=404)

    line = entry.as_line()

    assert len(line) < MAX_SHOWN_PATH_LENGTH + 50
    assert "... not_found 404" in line


def test_listeners_get_entries_recorded_after_they_were_added():
    request_log = RequestLog()
    request_log.record(RequestLogEntry(method="GET", path="/before", route="not_found", status_code=404))
    seen: list[RequestLogEntry] = []

    request_log.add_listener(seen.append)
    request_log.record(RequestLogEntry(method="GET", path="/after", route="not_found", status_code=404))

    assert [entry.path for entry in seen] == ["/after"]
    assert [entry.path for entry in request_log.entries()] == ["/before", "/after"]
