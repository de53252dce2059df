"""Heavy decoding off the event loop, one job at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
import weakref

from .const import EXECUTOR_THRESHOLD

_CPU_TURNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def cpu_turn() -> asyncio.Lock:
    """Held while one CPU-heavy job runs, in the executor or on the event loop.

    Moving work to a thread does not free the loop from it entirely: threads share the GIL,
    and a decode holds it in C calls of several milliseconds (Base64, JSON). Whenever the loop
    thread has Python work of its own at the same time (say, diffing 5,000 packages), it gets
    the GIL back only between those calls, and several decodes at once (five JDownloaders
    answering together) stretch that to tens of milliseconds. Heavy jobs therefore take turns.
    """
    return _CPU_TURNS.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def offload[T](size: int, fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in the default executor when ``size`` reaches 256 KiB, else inline.

    Decrypting, parsing and building models of a 50,000-link answer takes a good part of a second;
    small answers are cheaper inline than the thread hand-off. Large jobs take turns
    (:func:`cpu_turn`).
    """
    if size < EXECUTOR_THRESHOLD:
        return fn(*args)
    async with cpu_turn():
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)
