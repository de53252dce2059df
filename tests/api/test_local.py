"""Local mode: the Deprecated API on the device's own port, no account and no encryption."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    JDownloaderApiError,
    JDownloaderDevice,
    JDownloaderDeviceOfflineError,
    LocalJDownloader,
)
from tests.emulator import Emulator


@pytest.fixture
def local(emulator: Emulator, http: aiohttp.ClientSession) -> JDownloaderDevice:
    return LocalJDownloader(http, "127.0.0.1", emulator.devices[0].local_port, timeout=5.0)


async def test_local_device_has_the_same_api(emulator: Emulator, local: JDownloaderDevice) -> None:
    sim = emulator.devices[0]
    assert local.id == f"127.0.0.1:{sim.local_port}"
    assert local.connection_type == "local"
    assert await local.ping() is True
    poll = await local.poll()
    assert poll.aggregated is not None
    assert poll.aggregated.links_count == len(sim.links)
    assert (await local.toolbar_status()).state == "IDLE"
    packages = await local.query_packages(("childCount", "saveTo"))
    assert len(packages) == len(sim.packages)
    assert all(p.save_to for p in packages)
    await local.set_speed_limit(123_456)
    assert sim.settings["DownloadSpeedLimit"] == 123_456
    assert await local.toggle_premium() is sim.settings["UseAvailableAccounts"]
    # No account traffic at all: every request went to the local port.
    assert {transport for transport, _ in emulator.counters} == {"local"}


async def test_local_errors(emulator: Emulator, local: JDownloaderDevice) -> None:
    with pytest.raises(JDownloaderApiError) as info:
        await local.call("/jd/doSomethingCool")
    assert info.value.error_type == "API_COMMAND_NOT_FOUND"
    emulator.devices[0].local_enabled = False
    with pytest.raises(JDownloaderDeviceOfflineError):
        await local.ping()


async def test_local_nothing_listening(http: aiohttp.ClientSession, socket_enabled: None) -> None:
    device = LocalJDownloader(http, "127.0.0.1", 9, timeout=2.0)
    with pytest.raises(JDownloaderDeviceOfflineError):
        await device.ping()
