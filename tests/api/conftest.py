"""Fixtures for the client tests: the emulator on loopback and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.jdownloader.api import MyJDownloaderClient, Secrets
from tests.emulator import Emulator

EMAIL = "Tester@Example.com"
PASSWORD = "s3cret-Passw0rd!"


@pytest.fixture
async def emulator(socket_enabled: None) -> AsyncIterator[Emulator]:
    """A started emulator: one account, one device with 100 links (loopback sockets only)."""
    emu = Emulator(email=EMAIL, password=PASSWORD, devices=1, links=100, seed=0)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """The caller-owned HTTP session (the client never closes it)."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def secrets() -> Secrets:
    return Secrets.from_password(EMAIL, PASSWORD)


@pytest.fixture
def client(
    emulator: Emulator, http: aiohttp.ClientSession, secrets: Secrets
) -> MyJDownloaderClient:
    """A relay-only client (direct connection off keeps request counts exact)."""
    return MyJDownloaderClient(
        http, EMAIL, secrets, api_url=emulator.api_url, timeout=15.0, direct_connection=False
    )
