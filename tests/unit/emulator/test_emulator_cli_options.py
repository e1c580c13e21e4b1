"""The switches of ``offcloud-emulator`` that set the emulator's options, and the values they refuse."""

from __future__ import annotations

import pytest

from airflow_provider_offcloud.emulator import EmulatorOptions
from airflow_provider_offcloud.emulator.cli import build_parser, emulator_options


def test_slowing_switches_reach_the_options():
    arguments = build_parser().parse_args(
        ["--download-chunk-delay", "0.5", "--download-chunk-size", "16384", "--uncached-step-delay", "2"]
    )

    options = emulator_options(arguments)

    assert options.download_chunk_delay == 0.5
    assert options.download_chunk_size == 16384
    assert options.uncached_step_delay == 2.0


def test_without_switches_downloads_run_at_full_speed():
    options = emulator_options(build_parser().parse_args([]))

    assert options.download_chunk_delay == EmulatorOptions().download_chunk_delay
    assert options.download_chunk_size == EmulatorOptions().download_chunk_size


@pytest.mark.parametrize(
    ("switch", "value"),
    [
        ("--download-chunk-delay", "-1"),
        ("--download-chunk-delay", "soon"),
        ("--download-chunk-delay", "inf"),
        ("--download-chunk-size", "0"),
        ("--download-chunk-size", "1.5"),
        ("--uncached-step-delay", "nan"),
    ],
)
def test_bad_values_are_refused_with_a_usage_error(switch, value, capsys):
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args([switch, value])

    assert stopped.value.code == 2
    assert switch in capsys.readouterr().err
