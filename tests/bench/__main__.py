"""``python -m tests.bench``: what a poll costs, side by side with the myjdapi pattern.

Runs on a fresh clone: without Home Assistant importable it re-runs itself with the test
virtualenv (``.venv``, made by ``scripts/test``) or builds ``.venv-bench/venv`` from
requirements_test.txt; myjdapi (requirements_bench.txt) goes to ``.venv-bench/site`` and is only
put on ``sys.path`` of this process. Options: ``--quick`` (fewer sizes/cycles), ``--update-readme``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
import subprocess
import sys

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / ".venv-bench"
BENCH_SITE = BENCH_DIR / "site"
BENCH_VENV = BENCH_DIR / "venv"
PIP = ("-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q")


def _has(*modules: str) -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in modules)


def _reexec(python: Path) -> None:
    os.execv(python, [str(python), "-m", "tests.bench", *sys.argv[1:]])


def _ensure_environment() -> None:
    """Home Assistant + the HA test helpers in this interpreter, myjdapi on sys.path."""
    if not _has("homeassistant", "pytest_homeassistant_custom_component"):
        for venv in (ROOT / ".venv", BENCH_VENV):
            python = venv / "bin" / "python"
            if python.exists() and Path(sys.prefix).resolve() != venv.resolve():
                _reexec(python)
        if sys.version_info < (3, 13):  # noqa: UP036 - runs on any python3, before re-exec
            sys.exit("tests.bench: run scripts/test once (it creates .venv) or use Python >= 3.13")
        if Path(sys.prefix).resolve() == BENCH_VENV.resolve():
            sys.exit("tests.bench: .venv-bench/venv lacks Home Assistant; delete it and retry")
        print(f"Creating {BENCH_VENV} (Home Assistant test requirements; takes minutes)")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        python = BENCH_VENV / "bin" / "python"
        subprocess.run([python, *PIP, "-r", ROOT / "requirements_test.txt"], check=True)
        _reexec(python)
    sys.path.append(str(BENCH_SITE))
    if not _has("myjdapi"):
        print(f"Installing requirements_bench.txt into {BENCH_SITE}", flush=True)
        subprocess.run(
            [
                sys.executable,
                *PIP,
                "--no-deps",
                "--target",
                BENCH_SITE,
                "-r",
                ROOT / "requirements_bench.txt",
            ],
            check=True,
        )
        import importlib

        importlib.invalidate_caches()


def main() -> None:
    """Parse arguments, prepare the environment and run."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 and 10,000 links, fewer cycles")
    parser.add_argument("--devices", type=int, nargs="*", default=[1, 5])
    parser.add_argument("--links", type=int, nargs="*", default=None)
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="write the tables into README.md between the benchmark markers",
    )
    args = parser.parse_args()
    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    _ensure_environment()
    from .run import run  # imports Home Assistant: only after the environment is ready

    run(args)


if __name__ == "__main__":
    main()
