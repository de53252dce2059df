"""Fixtures for the client tests: clients pointed at the emulator (tests/fixtures.py)."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.jdownloader.api import MyJDownloaderClient, Secrets
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD


@pytest.fixture
def emulator_options() -> dict[str, object]:
    """One account, one device with 100 links."""
    return {"devices": 1, "links": 100}


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
