"""Fixtures for the reliability tests: Home Assistant against the emulator, with fault control.

The Home Assistant fixtures of tests/integration are reused as they are (imported, so pytest
registers them here too); this package adds a multi-device emulator and log capture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.emulator import Emulator
from tests.integration.conftest import (  # noqa: F401 - fixtures, registered by being imported
    EMAIL,
    PASSWORD,
    advance,
    auto_enable_custom_integrations,
    init_integration,
    make_cloud_entry,
    patch_platforms,
    platforms,
)


@pytest.fixture
def emulator_options() -> dict[str, object]:
    """Emulator constructor arguments; a test module overrides this for bigger setups."""
    return {"devices": 1}


@pytest.fixture
async def emulator(
    emulator_options: dict[str, object], socket_enabled: None
) -> AsyncIterator[Emulator]:
    """A running emulator on 127.0.0.1 (``socket_enabled``: pytest-socket blocks sockets)."""
    emu = Emulator(email=EMAIL, password=PASSWORD, seed=0, **emulator_options)  # type: ignore[arg-type]
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
