"""Writes the benchmark results as the Markdown page ``docs/performance.md``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.targets import Verdict


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _spread(values: dict[str, float], scale: float = 1.0, digits: int = 0) -> str:
    median, low, high = values["median"] * scale, values["min"] * scale, values["max"] * scale
    return f"{median:,.{digits}f} ({low:,.{digits}f} to {high:,.{digits}f})"


def _machine(meta: dict[str, Any]) -> list[str]:
    rows = [
        ["Date", meta["date"]],
        ["Machine", f"{meta['cpu']}, {meta['cores']} cores, {meta['memory_gib']:.0f} GiB RAM"],
        ["System", meta["system"]],
        ["Python", meta["python"]],
        ["Versions", ", ".join(f"{name} {version}" for name, version in meta["versions"].items())],
        ["Commit", meta["commit"]],
        ["Run", f"{meta['mode']} mode, {meta['seconds']:.0f} s in all"],
    ]
    return _table(["", ""], rows)


def _verdicts(verdicts: list[Verdict]) -> list[str]:
    rows = [[verdict.target, verdict.measured, verdict.label, verdict.note] for verdict in verdicts]
    return _table(["Target", "Measured", "Verdict", "Note"], rows)


def _triggerer_section(triggerer: dict[str, Any]) -> list[str]:
    plan = triggerer["plan"]
    lines = [
        "## 1. Many waits in one triggerer",
        "",
        f"N waits run as the triggerer runs them (one process, one event loop; each trigger's first event "
        f"taken, then its generator closed and `cleanup()` awaited). Poll interval {plan['interval']:g} s. "
        f"For the first {plan['lead']:g} intervals nothing changes (**waiting**; *steady* figures leave out "
        "the first interval, which holds the start-up); then the items turn "
        f"`downloaded` one after another over {plan['finish_window']:g} intervals. The emulator runs in "
        "another process and counts the requests. *shared* is the provider's `OffcloudDownloadTrigger` on a "
        "password connection; *baseline* is `bench/reference_trigger.py` (a fresh HTTP client per poll, API "
        f"key), stopped after {plan['baseline_intervals']:g} intervals. One run per row.",
        "",
    ]
    header = [
        "N",
        "design",
        "requests / interval, steady waiting",
        "requests / interval, whole run",
        "requests in all (status, history)",
        "logins",
        "connections opened",
        "peak open sockets",
        "CPU, steady waiting (s / min)",
        "CPU over the run",
        "peak RSS MiB (before waits)",
        "event delay median / max (s)",
        "events",
    ]
    rows = []
    for run in triggerer["runs"]:
        delay = (
            "—"
            if run["delay_median"] is None
            else f"{run['delay_median']:.2f} / {run['delay_max']:.2f} ({run['delays_measured']:,})"
        )
        rows.append(
            [
                f"{run['count']:,}",
                run["design"],
                f"{run['waiting_requests_per_interval']:,.1f}",
                f"{run['requests_per_interval']:,.1f}",
                f"{run['requests']:,} ({run['status_reads']:,}, {run['history_reads']:,})",
                str(run["logins"]),
                f"{run['connections_opened']:,}",
                f"{run['peak_open_sockets']:,}",
                f"{run['waiting_cpu_seconds_per_minute']:.1f} ({run['waiting_core_share']:.1%} of a core)",
                f"{run['core_share']:.0%} of a core for {run['elapsed_seconds']:.0f} s",
                f"{run['peak_rss_mib']:.0f} ({run['rss_before_waits_mib']:.0f})",
                delay,
                f"{run['events']:,} of {run['count']:,}",
            ]
        )
    return [*lines, *_table(header, rows)]


def _transfer_section(transfer: dict[str, Any]) -> list[str]:
    client = transfer["reference_client"]
    lines = [
        "## 2. Transfer throughput",
        "",
        f"`OffcloudToStorageOperator.execute()` (status, listing, ranged streaming with SHA-256, size check, "
        f"rename) in a fresh interpreter, against `{client}` of the same link, alternately; both write to "
        f"`{transfer['scratch']}`. The file is sparse on the emulator's side. MiB/s as median (min to max).",
        "",
    ]
    rows = []
    for size, figures in sorted(transfer["sizes"].items(), key=lambda item: int(item[0])):
        rows.append(
            [
                f"{int(size) // 2**20:,} MiB",
                _spread(figures["provider_mib_per_second"]),
                _spread(figures["reference_mib_per_second"]),
                _spread(figures["ratio"], digits=2),
                _spread(figures["peak_rss_mib"]),
            ]
        )
    header = ["file", "provider MiB/s", f"{client} MiB/s", "ratio per run", "provider peak RSS MiB"]
    lines += _table(header, rows)
    resume = transfer["resume"]
    lines += [
        f"Resume after a drop at 50 % of {resume['size'] // 2**20:,} MiB (emulator fault `drop_connection` "
        f"on `file_download`): {_spread(resume['dropped_seconds'], digits=2)} s against "
        f"{_spread(resume['clean_seconds'], digits=2)} s without the drop; extra "
        f"{_spread(resume['extra_seconds'], digits=2)} s, which includes the default 1 s back-off pause; "
        f"{resume['download_requests']} download requests (the second asks with `Range` for the rest).",
        "",
    ]
    return lines


def _parse_section(parse: dict[str, Any]) -> list[str]:
    rows = [["offcloud: operators, sensors, transfer", _spread(parse["ours_seconds"], 1000)]]
    if parse["http_seconds"]:
        rows.append(
            ["apache-airflow-providers-http 6.3.0: operator, sensor", _spread(parse["http_seconds"], 1000)]
        )
    rows.append(["`import airflow.sdk` alone (not counted above)", _spread(parse["sdk_seconds"], 1000)])
    heaviest = ", ".join(f"`{name}` {seconds * 1000:.0f} ms" for name, seconds in parse["heaviest"])
    return [
        "## 3. DAG-parse cost",
        "",
        "Milliseconds an import adds in a fresh interpreter after `import airflow.sdk`, median "
        f"(min to max) of {parse['ours_seconds']['runs']} interpreters each.",
        "",
        *_table(["imports", "ms added"], rows),
        f"Largest outside imports pulled in by ours (`-X importtime`, cumulative): {heaviest}.",
        "",
    ]


def _overhead_section(overhead: dict[str, Any]) -> list[str]:
    routes = ", ".join(f"`{route}` {count}" for route, count in sorted(overhead["routes"].items()))
    rows = [
        ["requests per DAG run", _spread(overhead["requests"])],
        ["`dag.test()` wall time (s)", _spread(overhead["dag_test_seconds"], digits=2)],
        [
            "download task (submit, defer, trigger, resume) (s)",
            _spread(overhead["download_task_seconds"], digits=2),
        ],
        ["copy task (s)", _spread(overhead["copy_task_seconds"], digits=2)],
    ]
    return [
        "## 4. Per-task overhead",
        "",
        "A DAG of a deferrable `OffcloudCloudDownloadOperator` (poll interval "
        f"{overhead['poll_interval']:g} s) and an `OffcloudToStorageOperator`, run with `dag.test()`; the "
        f"item takes {overhead['item_seconds']:g} s to download on the emulator. {overhead['runs']} runs, "
        f"each on a fresh emulator. Requests of the last run by route: {routes}.",
        "",
        *_table(["figure", "median (min to max)"], rows),
    ]


def _headroom_section(headroom: dict[str, Any]) -> list[str]:
    return [
        "## 5. Emulator headroom",
        "",
        f"`POST /api/cloud/status` on loopback over {headroom['connections']} keep-alive connections: "
        f"{_spread(headroom['requests_per_second'])} requests/s, median (min to max) of "
        f"{headroom['requests_per_second']['runs']} runs (`bench/emulator_throughput.py`).",
        "",
    ]


def render(results: dict[str, Any], verdicts: list[Verdict]) -> str:
    """
    Build the whole page.

    :param results: Every benchmark's results and the machine description (``meta``).
    :param verdicts: The targets and how the run did against them.
    """
    lines = [
        "# Benchmark results",
        "",
        "Written by `python3 dev.py bench` (see `bench/README.md`); compare figures from the same machine "
        "only.",
        "",
        *_machine(results["meta"]),
        "## Targets",
        "",
        *_verdicts(verdicts),
    ]
    sections = (
        ("triggerer", _triggerer_section),
        ("transfer", _transfer_section),
        ("parse", _parse_section),
        ("overhead", _overhead_section),
        ("headroom", _headroom_section),
    )
    for key, section in sections:
        if results.get(key) is not None:
            lines += section(results[key])
    return "\n".join(lines).rstrip() + "\n"
