"""Local mode: the Deprecated API on the device's own port, no account and no encryption."""

from __future__ import annotations

from collections.abc import Sequence
import json
from typing import Any

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    JDownloaderApiError,
    JDownloaderDevice,
    JDownloaderDeviceOfflineError,
    LocalJDownloader,
)
from custom_components.jdownloader.api.transport_local import LocalTransport
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
    packages = await local.query_packages(("child_count", "save_to"))
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


class _OldEncodingTransport(LocalTransport):
    """Local mode as it was: every parameter JSON-encoded into a string, as on MyJDownloader."""

    def _body(self, args: Sequence[Any]) -> bytes:
        return json.dumps({"params": [json.dumps(arg) for arg in args]}).encode()


async def test_json_encoded_parameters_are_refused_like_jdownloader(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    """Regression: the Deprecated API serializes each element back to JSON and strips one layer,
    so JSON-encoded objects fail to map and encoded strings keep their quotes. The old encoding
    fails against the emulator exactly as it failed against JDownloader's own code."""
    sim = emulator.devices[0]
    old = JDownloaderDevice(
        "old", "old", _OldEncodingTransport(http, "127.0.0.1", sim.local_port, timeout=5.0)
    )
    for refused in (old.poll(), old.query_packages(), old.list_accounts()):
        with pytest.raises(JDownloaderApiError) as info:
            await refused
        assert info.value.error_type == "BAD_PARAMETERS"
    # The interface name arrives with its quotes: nothing found, the limit reads 0.
    sim.settings["DownloadSpeedLimit"] = 2048
    assert (await old.get_speed_limit()).bytes_per_second == 0
    # Numbers sent as strings are cast, which is why a few calls worked.
    captcha = sim.add_captcha()
    assert (await old.captcha_get(captcha)).image is not None


async def test_raw_values_arrive_intact(emulator: Emulator, local: JDownloaderDevice) -> None:
    """Strings, nulls, objects and lists reach the device as what they are."""
    sim = emulator.devices[0]
    sim.settings["DownloadSpeedLimit"] = 2048
    assert (await local.get_speed_limit()).bytes_per_second == 2048
    assert await local.get_max_simultaneous_downloads() == sim.settings["MaxSimultaneDownloads"]
    infos = await local.storage_infos()  # path null
    assert infos
    assert infos[0].free > 0
    poll = await local.poll(download_progress=True)
    assert poll.running_packages == []
    assert [a.hostname for a in await local.list_accounts()] == [a.hostname for a in sim.accounts]


async def test_local_answers_are_compressed(emulator: Emulator, local: JDownloaderDevice) -> None:
    """JD deflates answers over 32 KiB (raw deflate) when gzip is accepted, which aiohttp
    announces; the client reads them all the same, small answers come plain."""
    sim = emulator.devices[0]
    sim.populate(400)  # 500 links: an answer well over 32 KiB
    links = await local.query_links(("url", "host", "bytes_total", "status", "comment"))
    assert [link.url for link in links] == [link.url for link in sim.links.values()]
    assert await local.ping() is True
    encodings = {r.endpoint: r.encoding for r in emulator.requests}
    assert encodings == {"/downloadsV2/queryLinks": "deflate", "/device/ping": None}


async def test_identity_is_the_jdownloaders_own(
    emulator: Emulator, local: JDownloaderDevice
) -> None:
    """Name and MyJDownloader id come from JD's MyJDownloaderSettings; a JD that never connected
    to MyJDownloader has no id."""
    sim = emulator.devices[0]
    identity = await local.device_identity()
    assert (identity.name, identity.device_id) == (sim.name, sim.id)
    sim.settings["UniqueDeviceIDV2"] = None
    assert (await local.device_identity()).device_id is None
