"""Runs every size, prints the Markdown tables, optionally writes them into the README."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
import subprocess
import sys
import time

from .one import row_from_json
from .report import (
    Row,
    endpoints_summary,
    machine,
    ratios_table,
    results_table,
    setup_table,
    targets_met,
    update_readme,
)


def _measure(devices: int, links: int, quick: bool) -> Row:
    command = [sys.executable, "-m", "tests.bench.one", str(devices), str(links)]
    if quick:
        command.append("--quick")
    # The parent put the repository and .venv-bench/site (myjdapi) on sys.path: pass them on.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"tests.bench.one {devices} {links} failed")
    return row_from_json(json.loads(done.stdout.strip().splitlines()[-1]))


def run(args: argparse.Namespace) -> None:
    """Measure every (devices, links) size and print the tables."""
    sizes = args.links or ([100, 10_000] if args.quick else [100, 10_000, 50_000])
    rows: list[Row] = []
    started = time.monotonic()
    for devices in args.devices:
        for links in sizes:
            print(f"... {devices} JDownloader(s) x {links:,} links", flush=True)
            rows.append(_measure(devices, links, args.quick))
    about = machine()
    section = "\n".join(
        [
            f"Measured {about} (`python -m tests.bench`, {time.monotonic() - started:.0f} s).",
            "",
            results_table(rows),
            "",
            "Ratios per device-minute (2.5.0 ÷ this integration; higher is better). Targets "
            "against the default install at 100 and 10,000 links: ≥ 5x requests and CPU while "
            "downloading, ≥ 10x idle. "
            + (
                "Every target is met in this run."
                if targets_met(rows)
                else "**Targets missed in this run: see the bold cells.**"
            ),
            "",
            ratios_table(rows),
            "",
            "This integration's setup (entry set up, first poll of every JDownloader), the memory "
            "the entry added, the detector's full check (every package row, the links of the "
            "packages that may have changed: after a start, a stop or an action), and the "
            "downloading requests without the reads of packages that finished in the window "
            "(polling alone):",
            "",
            setup_table(rows),
        ]
    )
    print()
    print(section)
    print("\nCloud requests per endpoint (per device and poll / update):")
    print(endpoints_summary(rows))
    if args.update_readme:
        readme = Path("README.md")
        if update_readme(readme, section):
            print("\nREADME.md updated")
        else:
            print("\nREADME.md has no benchmark markers; nothing written")
