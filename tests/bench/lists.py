"""What the to-do lists cost: ``python -m tests.bench.lists [--links N] [--packages P]``.

1. Cloud requests per device-minute over the relay, downloading and idle, with the to-do
   platform loaded and without it (everything else the same: one JDownloader of N links in the
   emulator process, direct connections off, as in ``python -m tests.bench``).
2. The time to build the Downloads list's items for P packages: cold (every item built), after
   a check (every item compared) and per poll while downloading (three running packages
   rebuilt). Printed figures, no timed assertion.

Run it with the test virtualenv's Python (``.venv/bin/python -m tests.bench.lists``).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from unittest.mock import patch

import custom_components.jdownloader as integration
from custom_components.jdownloader.api import RunningPackage
from custom_components.jdownloader.lists import NO_STATUS, ItemCache, PackageView, Status
from custom_components.jdownloader.todo import _todo_item
from custom_components.jdownloader.tracker import PackageRow
from homeassistant.const import Platform

from .integration import requests_per_device_minute, run_integration
from .measure import EmulatorProcess


async def _requests(links: int, cycles: int, *, lists: bool) -> tuple[float, float]:
    platforms = [p for p in integration.PLATFORMS if lists or p is not Platform.TODO]
    loop = asyncio.get_running_loop()
    emu = await loop.run_in_executor(None, EmulatorProcess, 1, links)
    try:
        with patch.object(integration, "PLATFORMS", platforms):
            result = await run_integration(emu, cycles, slow_cycles=1)
    finally:
        emu.close()
    return (
        requests_per_device_minute(result, 1, active=True),
        requests_per_device_minute(result, 1, active=False),
    )


def _build_times(packages: int) -> tuple[float, float, float]:
    rows: dict[int, PackageRow] = {
        uuid: (f"Package {uuid:05d}", uuid % 5 == 0, 400_000_000, f"/dl/{uuid}", 10, True)
        for uuid in range(packages)
    }
    views: dict[int, PackageView] = {uuid: (uuid * 1000, 0, -1) for uuid in range(packages)}

    def status(uuid: int) -> Status:
        return Status(blocked=(("failed", 1),)) if uuid % 97 == 0 else NO_STATUS

    def running(second: int) -> dict[int, RunningPackage]:
        return {
            uuid: RunningPackage(uuid, done=3, size=400_000_000, speed=2_000_000, eta=100 - second)
            for uuid in (1, 2, 3)
        }

    cache = ItemCache(_todo_item)
    start = time.perf_counter()
    items = cache.build(rows, views, running(0), status)
    cold = time.perf_counter() - start
    assert len(items) == packages
    # A check came in (the package rows changed): every item compared, changed ones rebuilt.
    start = time.perf_counter()
    cache.build(rows, views, running(1), status)
    check = time.perf_counter() - start
    # A poll while downloading, no check: only the running packages' items.
    start = time.perf_counter()
    cache.refresh((1, 2, 3), rows, views, running(2), status)
    poll = time.perf_counter() - start
    return cold * 1000, check * 1000, poll * 1000


async def _main(args: argparse.Namespace) -> None:
    print(
        f"Relay only, 1 JDownloader, {args.links:,} links, {args.cycles} polls per state "
        "(cloud requests per device-minute):"
    )
    print("| to-do lists | downloading | idle |\n|---|---:|---:|")
    for lists in (False, True):
        downloading, idle = await _requests(args.links, args.cycles, lists=lists)
        print(f"| {'loaded' if lists else 'not loaded'} | {downloading:.2f} | {idle:.2f} |")
    cold, check, poll = _build_times(args.packages)
    print(
        f"\nDownloads items for {args.packages:,} packages: {cold:.1f} ms cold (setup, reload), "
        f"{check:.1f} ms after a check (every item compared), {poll:.2f} ms per poll while "
        "downloading (3 running packages rebuilt)"
    )


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.lists", description=__doc__)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--packages", type=int, default=5000)
    parser.add_argument("--cycles", type=int, default=8, help="polls per state (multiple of 4)")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
