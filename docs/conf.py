"""Sphinx configuration of the provider's documentation: ``python3 dev.py docs`` builds it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parent
ROOT = DOCS_DIR.parent

# Autodoc imports Airflow, which creates its home folder on first import; keep that inside the build
# folder instead of the reader's ~/airflow, unless a home is already chosen.
os.environ.setdefault("AIRFLOW_HOME", str(DOCS_DIR / "_build" / "airflow-home"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

# The package is installed editable, but the checkout goes first so that a build documents these sources.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS_DIR / "_ext"))

project = "airflow-provider-offcloud"
author = "The airflow-provider-offcloud authors"
copyright = "2026, the airflow-provider-offcloud authors"
release = "0.1.0"
version = release

extensions = [
    "sphinx.ext.autodoc",
    "myst_parser",
    "offcloud_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"

# performance.md is written by the benchmarks and pulled into benchmarks.rst, never built on its own.
exclude_patterns = ["_build", "performance.md", "_ext"]

# Every cross-reference must resolve, so that a renamed class or module breaks the build.
nitpicky = True

# Types of Airflow, of other libraries and of the standard library have no inventory here (the build
# stays offline), so references to them cannot resolve. Only names from outside the provider are listed;
# the provider's own must always resolve.
nitpick_ignore_regex = [
    (r"py:.*", r"(airflow|requests|httpx|starlette|uvicorn|tenacity|pendulum)(\..*)?"),
    (r"py:.*", r"(dt|datetime|collections|enum|pathlib|logging|typing|asyncio)\..*"),
    (r"py:class", r"Context|TaskInstanceKey|BaseOperator|ObjectStoragePath|TriggerEvent|AsyncIterator"),
    (r"py:class", r"Path|date|Logger"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_default_options = {
    "members": True,
    "show-inheritance": True,
}
autodoc_inherit_docstrings = False

myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = "Offcloud provider for Apache Airflow"
html_static_path: list[str] = []
html_show_sourcelink = False

#: Benchmark results pulled into benchmarks.rst when the benchmarks have written them.
offcloud_benchmark_results = str(DOCS_DIR / "performance.md")
