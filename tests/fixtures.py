"""Fixtures every test directory shares: one account, the emulator, an HTTP session.

Registered by the root conftest (``pytest_plugins``). A directory or module changes the
emulator by overriding ``emulator_options`` (constructor arguments of
:class:`tests.emulator.Emulator`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.emulator import Emulator

# The one MyJDownloader account of the tests (a space and mixed case on purpose).
EMAIL = "User@Example.com"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def emulator_options() -> dict[str, object]:
    """Emulator constructor arguments; override in a conftest or test module."""
    return {"devices": 1}


@pytest.fixture
async def emulator(
    emulator_options: dict[str, object], socket_enabled: None
) -> AsyncIterator[Emulator]:
    """A running emulator on 127.0.0.1 (``socket_enabled``: pytest-socket blocks sockets)."""
    options: dict[str, object] = {"seed": 0, **emulator_options}
    emu = Emulator(email=EMAIL, password=PASSWORD, **options)  # type: ignore[arg-type]
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A caller-owned HTTP session (the client never closes it)."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session
