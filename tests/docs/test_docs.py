"""The documentation builds without warnings, its snippets point at markers that exist, its DAGs parse."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import airflow_provider_offcloud
from airflow_provider_offcloud.exceptions import OffcloudError

try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow before 3.1
    from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLE_DAGS = ROOT / "example_dags"

_LITERALINCLUDE = re.compile(r"^(?P<indent>[ \t]*)\.\. literalinclude::[ \t]*(?P<path>\S+)[ \t]*$")
_OPTION = re.compile(r"^[ \t]+:(?P<name>[\w-]+):[ \t]*(?P<value>.*?)[ \t]*$")


@dataclass(frozen=True)
class Snippet:
    """One ``literalinclude`` of the docs: where it is, what file it pulls from, between which markers."""

    page: Path
    line: int
    source: Path
    start_after: str | None
    end_before: str | None

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line} -> {self.source.relative_to(ROOT)}"


def find_snippets() -> list[Snippet]:
    """Read every reST page of the docs and return its ``literalinclude`` directives with their options."""
    snippets = []
    for page in sorted(DOCS.rglob("*.rst")):
        if "_build" in page.parts:
            continue
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, text in enumerate(lines):
            directive = _LITERALINCLUDE.match(text)
            if directive is None:
                continue
            options: dict[str, str] = {}
            for option_line in lines[number + 1 :]:
                option = _OPTION.match(option_line)
                if option is None:
                    break
                options[option["name"]] = option["value"]
            snippets.append(
                Snippet(
                    page=page,
                    line=number + 1,
                    source=(page.parent / directive["path"]).resolve(),
                    start_after=options.get("start-after"),
                    end_before=options.get("end-before"),
                )
            )
    return snippets


SNIPPETS = find_snippets()
DOCUMENTED_DAG_FILES = sorted(
    {snippet.source for snippet in SNIPPETS if snippet.source.is_relative_to(EXAMPLE_DAGS)}
)


def build_docs(output: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    """
    Build the HTML docs as CI does: warnings are errors.

    :param output: Folder for the HTML pages.
    :param settings: ``name=value`` overrides of ``docs/conf.py``.
    """
    overrides = [argument for setting in settings for argument in ("-D", setting)]
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", *overrides, "docs"]
    return subprocess.run(
        [*command, str(output)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    result = build_docs(tmp_path / "html")

    assert result.returncode == 0, f"The docs build failed:\n{result.stdout[-3000:]}\n{result.stderr}"
    for page in ("index", "connection", "emulator", "troubleshooting", "api", "changelog", "benchmarks"):
        assert (tmp_path / "html" / f"{page}.html").is_file(), page


_RESULTS_TABLE = "| benchmark | result |\n| --- | --- |\n| status reads | 4321 per second |\n"


@pytest.mark.parametrize(
    "results_text",
    [
        f"# Benchmark results\n\n{_RESULTS_TABLE}",
        f"## Benchmark results\n\n#### Status route\n\n{_RESULTS_TABLE}",
        None,
    ],
    ids=["with-results", "with-results-starting-at-h2", "without-results"],
)
def test_benchmarks_page_shows_the_results_file_or_says_there_is_none(
    tmp_path: Path, results_text: str | None
) -> None:
    results = tmp_path / "performance.md"
    results_present = results_text is not None
    if results_text is not None:
        results.write_text(results_text)

    result = build_docs(tmp_path / "html", f"offcloud_benchmark_results={results}")

    assert result.returncode == 0, f"The docs build failed:\n{result.stdout[-3000:]}\n{result.stderr}"
    page = (tmp_path / "html" / "benchmarks.html").read_text(encoding="utf-8")
    assert ("4321 per second" in page) is results_present
    assert ("No benchmark results are recorded" in page) is not results_present


def test_docs_pull_snippets_from_the_example_dags() -> None:
    assert {snippet.source.name for snippet in SNIPPETS} >= {
        "example_offcloud_cloud_ingest.py",
        "example_offcloud_recurring_ingest.py",
        "example_offcloud_remote_download.py",
        "example_offcloud_instant_download.py",
    }


@pytest.mark.parametrize("snippet", SNIPPETS, ids=str)
def test_snippet_markers_exist_in_the_included_file(snippet: Snippet) -> None:
    assert snippet.source.is_file(), f"{snippet}: the included file does not exist."
    text = snippet.source.read_text(encoding="utf-8")

    start = 0
    if snippet.start_after is not None:
        assert text.count(snippet.start_after) == 1, f"{snippet}: {snippet.start_after!r} not found once."
        start = text.index(snippet.start_after) + len(snippet.start_after)
    if snippet.end_before is not None:
        assert snippet.end_before in text[start:], f"{snippet}: {snippet.end_before!r} missing after start."
        assert text[start : text.index(snippet.end_before, start)].strip(), (
            f"{snippet}: the snippet is empty."
        )


@pytest.mark.parametrize("dag_file", DOCUMENTED_DAG_FILES, ids=lambda path: path.name)
def test_dag_files_shown_in_the_docs_parse(dag_file: Path) -> None:
    bag = DagBag(dag_folder=str(dag_file), safe_mode=False)

    assert bag.import_errors == {}
    assert bag.dags, f"{dag_file.name} defines no DAG."


def all_error_classes() -> set[type[OffcloudError]]:
    """Import every module of the package and return every subclass of ``OffcloudError`` it defines."""
    for module in pkgutil.walk_packages(airflow_provider_offcloud.__path__, "airflow_provider_offcloud."):
        importlib.import_module(module.name)

    found: set[type[OffcloudError]] = set()
    pending: list[type[OffcloudError]] = [OffcloudError]
    while pending:
        error_class = pending.pop()
        found.add(error_class)
        pending.extend(subclass for subclass in error_class.__subclasses__() if subclass not in found)
    return {
        error_class
        for error_class in found
        if error_class.__module__.startswith("airflow_provider_offcloud.")
    }


def test_troubleshooting_explains_every_error_class() -> None:
    page = (DOCS / "troubleshooting.rst").read_text(encoding="utf-8")

    undocumented = sorted(
        f"{error_class.__module__}.{error_class.__qualname__}"
        for error_class in all_error_classes()
        if f":class:`~{error_class.__module__}.{error_class.__qualname__}`" not in page
    )

    assert undocumented == []
