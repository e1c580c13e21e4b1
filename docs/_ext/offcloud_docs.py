"""Sphinx additions for the provider's docs: benchmark results, command line options, class references."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst.directives.misc import Include
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from docutils.nodes import Element, Node
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: Only names of this package are resolved by their short name.
PACKAGE = "airflow_provider_offcloud"

_ATX_HEADING = re.compile(r"^ {0,3}(?P<marks>#{1,6})[ \t]+(?P<title>.*?)[ \t#]*$")


class BenchmarkResults(Include, SphinxDirective):
    """
    Include the Markdown file named by the ``offcloud_benchmark_results`` setting, parsed with MyST.

    The benchmarks write that file; a fresh checkout may not have it yet. When it is missing, the
    directive's own content is rendered instead, so the build passes either way.
    """

    required_arguments = 0
    optional_arguments = 0
    has_content = True
    option_spec: dict[str, Any] = {}

    def run(self) -> list[Node]:
        """Render the results file, or the fallback content when there is none."""
        results = Path(self.config.offcloud_benchmark_results)
        if not results.is_absolute():
            results = Path(self.env.srcdir) / results

        # Recorded either way, so that the page is rebuilt when the file appears, changes or goes away.
        self.env.note_dependency(str(results))

        if not results.is_file():
            return self.parse_content_to_nodes()

        self.arguments = [str(results)]
        self.options = {"parser": MystParser}
        return list(super().run())

    def custom_parse(self, text: str) -> list[Node]:
        """Parse the results with MyST after making their heading levels start at one and follow on."""
        return list(super().custom_parse(normalise_heading_levels(text)))


def normalise_heading_levels(markdown: str) -> str:
    """
    Renumber the ATX headings of a Markdown text so that they use levels 1, 2, 3... without gaps.

    The results file is written by a program, not by hand: whether it starts at ``#`` or ``##``, or skips a
    level, must not break a build that treats MyST's heading warnings as errors.

    :param markdown: The Markdown text.
    """
    lines = markdown.splitlines()
    in_code = False
    heading_lines: dict[int, tuple[int, str]] = {}
    for number, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        heading = _ATX_HEADING.match(line)
        if heading and not in_code:
            heading_lines[number] = (len(heading["marks"]), heading["title"])

    new_levels = {
        level: rank for rank, level in enumerate(sorted({lv for lv, _ in heading_lines.values()}), 1)
    }
    for number, (level, title) in heading_lines.items():
        lines[number] = f"{'#' * new_levels[level]} {title}"
    return "\n".join(lines) + "\n"


class CommandLineOptions(SphinxDirective):
    """
    List the options of a command, read from its ``argparse`` parser, so the page never falls behind.

    The argument names a function that returns the parser, as ``package.module:function``.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[Node]:
        """Render one definition list entry per option: its switches, then its help text."""
        module_name, _, function_name = self.arguments[0].partition(":")
        parser = getattr(importlib.import_module(module_name), function_name)()

        options = nodes.definition_list()
        for action in parser._actions:
            if not action.option_strings or action.help == argparse.SUPPRESS:
                continue
            switches = ", ".join(action.option_strings)
            if action.nargs != 0:
                switches = f"{switches} {action.metavar or action.dest.upper()}"
            help_text = (action.help or "").replace("%(default)s", str(action.default))
            term = nodes.term("", "", nodes.literal(switches, switches))
            definition = nodes.definition("", nodes.paragraph(help_text, help_text))
            options += nodes.definition_list_item("", term, definition)
        return [options]


def public_bases(app: Sphinx, name: str, obj: object, options: object, bases: list[type]) -> None:
    """
    Show a class's public ancestors where its direct base is private to its module.

    Operators and sensors share their logic through private base classes; readers should see the Airflow
    class they really extend instead of a name the reference does not document.

    :param app: The Sphinx application.
    :param name: The documented class's full name.
    :param obj: The documented class.
    :param options: The autodoc options.
    :param bases: The bases to show, changed in place.
    """
    shown: list[type] = []
    pending = list(bases)
    while pending:
        base = pending.pop(0)
        if base.__name__.startswith("_"):
            pending[:0] = list(base.__bases__)
        elif base not in shown:
            shown.append(base)
    bases[:] = shown


def resolve_short_name(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> Element | None:
    """
    Resolve a bare class name from a type hint (``TransferStore``) to the one documented class of that name.

    Type hints imported only for type checking reach the docs as bare names. A name is resolved only when
    exactly one documented object of this package carries it; anything else stays a broken reference.

    :param app: The Sphinx application.
    :param env: The build environment.
    :param node: The unresolved reference.
    :param contnode: The reference's content.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target or "." in target:
        return None

    domain = env.domains.python_domain
    matches = [
        full_name
        for full_name, entry in domain.objects.items()
        if full_name.startswith(PACKAGE + ".") and full_name.endswith("." + target) and not entry.aliased
    ]
    if len(matches) != 1:
        return None
    return domain.resolve_xref(env, node["refdoc"], app.builder, "obj", matches[0], node, contnode)


def setup(app: Sphinx) -> dict[str, Any]:
    """
    Register the directives and the setting of the benchmark results file.

    :param app: The Sphinx application.
    """
    app.add_config_value("offcloud_benchmark_results", "performance.md", "env", types=(str,))
    app.add_directive("benchmark-results", BenchmarkResults)
    app.add_directive("command-line-options", CommandLineOptions)
    app.connect("autodoc-process-bases", public_bases)
    app.connect("missing-reference", resolve_short_name)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
