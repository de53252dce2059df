"""One size in a fresh process (``python -m tests.bench.one K L [--quick]``): prints a JSON Row.

A fresh process per size keeps the heap (and garbage-collection pauses) of earlier sizes out
of the figures.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
import json
import sys
from typing import Any

from .baseline import run_baseline
from .integration import IntegrationResult, run_integration
from .measure import EmulatorProcess, Sample
from .report import Row

# (integration poll cycles per state, baseline update cycles per state) by link count. 20 polls
# are 10 simulated minutes of downloading (packages finish in between, and count); fewer at
# 50,000 links keeps the whole run near 3 minutes on 2 cores. The baseline's requests do not
# vary from update to update, its CPU does (by a third between runs): more updates where they
# are cheap.
CYCLES = {100: (40, 8), 10_000: (20, 4), 50_000: (8, 1)}
QUICK_CYCLES = {100: (8, 1), 10_000: (8, 1), 50_000: (4, 1)}


def _cycles(links: int, quick: bool) -> tuple[int, int]:
    table = QUICK_CYCLES if quick else CYCLES
    return table[min(table, key=lambda k: abs(k - links))]


async def measure_size(devices: int, links: int, quick: bool) -> Row:
    """Both clients against one emulator process."""
    ours_cycles, old_cycles = _cycles(links, quick)
    loop = asyncio.get_running_loop()
    emu = await loop.run_in_executor(None, EmulatorProcess, devices, links)
    try:
        ours = await run_integration(emu, ours_cycles, slow_cycles=1)
        default = await run_baseline(emu, old_cycles, all_entities=False)
        everything = await run_baseline(emu, old_cycles, all_entities=True)
    finally:
        emu.close()
    return Row(devices, links, ours, *default, *everything)


def row_from_json(data: dict[str, Any]) -> Row:
    """Rebuild a Row printed by this module."""
    ours = dict(data["ours"])
    ours["downloading"] = Sample(**ours["downloading"])
    ours["idle"] = Sample(**ours["idle"])
    ours["transition"] = Sample(**ours["transition"])
    old = ("default_downloading", "default_idle", "all_downloading", "all_idle")
    return Row(
        devices=data["devices"],
        links=data["links"],
        ours=IntegrationResult(**ours),
        **{name: Sample(**data[name]) for name in old},
    )


def main() -> None:
    """Measure one size; the last stdout line is the JSON result."""
    devices, links = int(sys.argv[1]), int(sys.argv[2])
    row = asyncio.run(measure_size(devices, links, "--quick" in sys.argv))
    print(json.dumps(asdict(row)), flush=True)


if __name__ == "__main__":
    main()
