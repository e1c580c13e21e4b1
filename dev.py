"""
One entry point for working on the provider: ``python3 dev.py demo | test | docs | bench``.

Each command prepares what it needs first: a virtual environment in ``.venv`` with the pinned Airflow of
``requirements/airflow-3.3.txt`` and this package installed editable. The test command also prepares
``.venv-airflow-3.0`` from ``requirements/airflow-3.0.txt`` and runs the unit tests there, so that the
oldest supported Airflow is checked on every run. Environments are rebuilt only when their lock file or
``pyproject.toml`` changes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REQUIREMENTS = ROOT / "requirements"


class Environment:
    """
    A virtual environment built from one lock file.

    :param name: Folder name under the project root.
    :param lock_file: Pinned requirements to install.
    """

    def __init__(self, name: str, lock_file: Path) -> None:
        self.path = ROOT / name
        self.lock_file = lock_file
        self.stamp = self.path / ".installed-from"

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return self.path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    def bin(self, tool: str) -> str:
        """
        Path of a console script installed in the environment.

        :param tool: The script's name.
        """
        return str(self.python.parent / tool)

    def ensure(self) -> Environment:
        """Create or refresh the environment when its inputs changed; return it."""
        wanted = self._fingerprint()
        if self.python.exists() and self.stamp.exists() and self.stamp.read_text() == wanted:
            return self

        print(f"Preparing {self.path.name} from {self.lock_file.relative_to(ROOT)} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(self.path)
        pip = [str(self.python), "-m", "pip", "--disable-pip-version-check", "-q"]
        run([*pip, "install", "--upgrade", "pip"])
        run([*pip, "install", "-r", str(self.lock_file)])
        run([*pip, "install", "--no-deps", "-e", str(ROOT)])
        self.stamp.write_text(wanted)
        return self

    def _fingerprint(self) -> str:
        digest = hashlib.sha256()
        for source in (self.lock_file, ROOT / "pyproject.toml"):
            digest.update(source.read_bytes())
        digest.update(sys.version.encode())
        return digest.hexdigest()


MAIN = Environment(".venv", REQUIREMENTS / "airflow-3.3.txt")
OLDEST = Environment(".venv-airflow-3.0", REQUIREMENTS / "airflow-3.0.txt")


def run(command: list[str], **kwargs: object) -> None:
    """
    Run a command from the project root and stop the whole run if it fails.

    :param command: Program and arguments.
    :param kwargs: Passed on to :func:`subprocess.run`.
    """
    result = subprocess.run(command, cwd=ROOT, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        print(f"\nFAILED ({result.returncode}): {' '.join(command)}", file=sys.stderr, flush=True)
        sys.exit(result.returncode)


def step(title: str) -> None:
    """
    Announce a step of a command.

    :param title: What the step does.
    """
    print(f"\n=== {title}", flush=True)


def command_test(arguments: argparse.Namespace) -> None:
    """
    Lint, type-check and run every test on the pinned Airflow, then the unit tests on Airflow 3.0.

    With extra arguments only pytest runs, on Airflow 3.3, with those arguments: a quick loop while
    working on one part. CI always runs the whole command without arguments.
    """
    env = MAIN.ensure()
    if arguments.extra:
        run([env.bin("pytest"), "-p", "no:cacheprovider", *arguments.extra])
        return

    step("ruff: lint and format check")
    run([env.bin("ruff"), "check", "."])
    run([env.bin("ruff"), "format", "--check", "."])
    step("mypy")
    run([env.bin("mypy")])
    step(f"pytest on Airflow 3.3 ({env.path.name})")
    run([env.bin("pytest"), "-p", "no:cacheprovider"])

    oldest = OLDEST.ensure()
    step(f"unit tests on Airflow 3.0 ({oldest.path.name})")
    run([oldest.bin("pytest"), "-p", "no:cacheprovider", "tests/unit"])
    print("\nAll checks passed.", flush=True)


def command_demo(arguments: argparse.Namespace) -> None:
    """Run the main demo: a link submitted to the local emulator, waited on, landed and verified."""
    env = MAIN.ensure()
    run([str(env.python), "scripts/demo.py", *arguments.extra])


def command_docs(arguments: argparse.Namespace) -> None:
    """Build the HTML documentation with warnings as errors."""
    env = MAIN.ensure()
    run([env.bin("sphinx-build"), "-W", "--keep-going", "-b", "html", "docs", "docs/_build/html"])
    print(f"\nDocs: {ROOT / 'docs/_build/html/index.html'}")


def command_bench(arguments: argparse.Namespace) -> None:
    """Run every benchmark and write the results table to docs/performance.md."""
    env = MAIN.ensure()
    run([str(env.python), "-m", "bench.run_all", *arguments.extra])


def main() -> None:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    test = commands.add_parser(
        "test",
        help="lint, type-check and run all tests (Airflow 3.3, then 3.0); with extra arguments, only pytest "
        "with those arguments on Airflow 3.3",
    )
    test.set_defaults(handler=command_test)

    # No -h of its own: `dev.py demo --help` shows the demo's options.
    demo = commands.add_parser(
        "demo", help="download a real file through the local emulator into ./.demo", add_help=False
    )
    demo.set_defaults(handler=command_demo)

    docs = commands.add_parser("docs", help="build the HTML documentation into docs/_build/html")
    docs.set_defaults(handler=command_docs)

    bench = commands.add_parser("bench", help="run the benchmarks and update docs/performance.md")
    bench.set_defaults(handler=command_bench)

    # Anything after the command goes to the tool it runs (pytest, the demo, the benchmarks).
    arguments, arguments.extra = parser.parse_known_args()
    arguments.handler(arguments)


if __name__ == "__main__":
    main()
