"""What one poll costs: cloud traffic (from the emulator process), CPU and event-loop stalls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
import contextlib
from dataclasses import dataclass, field
import functools
import gc
import json
import subprocess
import sys
import time
from typing import Any
import urllib.request


class EmulatorProcess:
    """`tests.bench.emulator_proc` as a child process, plus its control port."""

    def __init__(self, devices: int, links: int) -> None:
        """Start the emulator and wait for its ready line."""
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.bench.emulator_proc",
                "--devices",
                str(devices),
                "--links",
                str(links),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        info = json.loads(self.proc.stdout.readline())
        self.api_url: str = info["api_url"]
        self.email: str = info["email"]
        self.password: str = info["password"]
        self._control: str = info["control_url"]

    def control(self, op: str, **kwargs: Any) -> Any:
        """Run one control command (blocking; only called between measurements)."""
        body = json.dumps({"op": op, **kwargs}).encode()
        request = urllib.request.Request(
            self._control, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read())["result"]

    async def acontrol(self, op: str, **kwargs: Any) -> Any:
        """`control` from the event loop, without blocking it."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(self.control, op, **kwargs))

    def close(self) -> None:
        """Stop the child."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class GcMonitor:
    """The longest garbage collection while running: a full collection of a large heap is a
    stall of its own, whatever code allocated last."""

    def __init__(self) -> None:
        """Create an idle monitor."""
        self.longest = 0.0
        self._start = 0.0

    def _callback(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.longest = max(self.longest, time.perf_counter() - self._start)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Monitor while the block runs."""
        gc.callbacks.append(self._callback)
        try:
            yield
        finally:
            gc.callbacks.remove(self._callback)


class StallMonitor:
    """Sleeps 5 ms in a loop on the event loop; the largest overshoot is the longest stall."""

    TICK = 0.005

    def __init__(self) -> None:
        """Create an idle monitor."""
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(self.TICK)
            self.max_stall = max(self.max_stall, loop.time() - before - self.TICK)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Monitor while the block runs."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        await asyncio.sleep(0)
        try:
            yield
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@dataclass
class Sample:
    """Totals over a number of polls (or baseline update cycles)."""

    polls: int = 0
    requests: int = 0
    bytes: int = 0
    cpu: float = 0.0
    wall: float = 0.0
    max_stall: float = 0.0
    max_gc: float = 0.0  # longest garbage collection (any thread) in the window
    endpoints: dict[str, int] = field(default_factory=dict)

    def per_poll(self, value: float) -> float:
        """Average of a total over the polls."""
        return value / self.polls if self.polls else 0.0


async def measure(
    emu: EmulatorProcess,
    cycles: int,
    one: Callable[[int], Awaitable[None]],
    advance: float = 0.0,
) -> Sample:
    """Run `one(i)` `cycles` times; count cloud traffic, process CPU and the longest stall.

    `advance`: simulated seconds the emulator's downloads progress before each cycle (outside
    the measured window), so every poll sees new progress as it would at its real interval.
    """
    sample = Sample()
    monitor, collections = StallMonitor(), GcMonitor()
    await emu.acontrol("reset")
    with collections.running():
        async with monitor.running():
            for i in range(cycles):
                if advance:
                    await emu.acontrol("advance", seconds=advance)
                cpu, wall = time.process_time(), time.perf_counter()
                await one(i)
                sample.cpu += time.process_time() - cpu
                sample.wall += time.perf_counter() - wall
                sample.polls += 1
    counts = await emu.acontrol("counts")
    sample.requests = counts["requests"]
    sample.bytes = counts["bytes"]
    sample.endpoints = counts["endpoints"]
    sample.max_stall = monitor.max_stall
    sample.max_gc = collections.longest
    return sample
