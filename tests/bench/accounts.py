"""Extra cloud requests per device-hour of the premium-account read (relay, direct off).

``python -m tests.bench.accounts`` prints them; request counts from the emulator, no timing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from custom_components.jdownloader.api import MyJDownloaderClient, Secrets
from custom_components.jdownloader.slow_data import read_accounts, read_slow_data
from tests.emulator import Emulator

EMAIL, PASSWORD = "bench@example.com", "bench"


async def _count(emu: Emulator, read: Callable[[], Awaitable[Any]]) -> int:
    before = sum(emu.counters.values())
    await read()
    return sum(emu.counters.values()) - before


async def main() -> None:
    emu = Emulator(EMAIL, PASSWORD, devices=1, links=1000, seed=0)
    await emu.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = MyJDownloaderClient(
                session,
                EMAIL,
                Secrets.from_password(EMAIL, PASSWORD),
                api_url=emu.api_url,
                direct_connection=False,
            )
            await client.connect()
            device = client.device(emu.devices[0].id)
            slow = await _count(emu, lambda: read_slow_data(device))
            good = await _count(emu, lambda: read_accounts(device))
            emu.devices[0].accounts[0].traffic_left = 0
            bad = await _count(emu, lambda: read_accounts(device))
    finally:
        await emu.stop()
    print(f"hourly slow-data read: {slow} cloud requests, of which the accounts: {good}")
    print(
        f"extra cloud requests per device-hour: {good} (accounts fine), {bad} (an account "
        f"expired, invalid or out of traffic); plus {good}-{bad} per failed or held download"
    )


if __name__ == "__main__":
    asyncio.run(main())
