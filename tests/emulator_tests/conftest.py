"""Fixtures: a raw-protocol client talking to the emulator (tests/fixtures.py) over loopback."""

from __future__ import annotations

import aiohttp
import pytest
import pytest_asyncio

from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD

from .rawclient import RawClient


@pytest.fixture
def emulator_options() -> dict[str, object]:
    """Two devices, so per-device routing is exercised."""
    return {"devices": 2, "links": 30, "seed": 1}


@pytest.fixture
def emu(emulator: Emulator) -> Emulator:
    """The emulator (tests/fixtures.py), by its short name in these tests."""
    return emulator


@pytest_asyncio.fixture
async def client(emu: Emulator, http: aiohttp.ClientSession) -> RawClient:
    raw = RawClient(http, emu.api_url, EMAIL, PASSWORD)
    await raw.connect()
    return raw
