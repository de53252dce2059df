"""Fixtures: a running emulator and a raw-protocol client talking to it over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from tests.emulator import Emulator

from .rawclient import RawClient

EMAIL = "Tester@Example.com"
PASSWORD = "s3cret pass"


@pytest_asyncio.fixture
async def emu(socket_enabled: None) -> AsyncIterator[Emulator]:
    """pytest-socket (loaded by the HA test plugin) blocks sockets unless `socket_enabled`."""
    emulator = Emulator(email=EMAIL, password=PASSWORD, devices=2, links=30, seed=1)
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        yield session


@pytest_asyncio.fixture
async def client(emu: Emulator, http: aiohttp.ClientSession) -> RawClient:
    raw = RawClient(http, emu.api_url, EMAIL, PASSWORD)
    await raw.connect()
    return raw
