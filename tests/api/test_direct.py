"""Direct connection: preferred when the device answers, relay fallback with cooldown otherwise."""

from __future__ import annotations

from collections.abc import Callable
import time

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    JDownloaderProtocolError,
    MyJDownloaderClient,
    Secrets,
    transport_myjd,
)
from tests.emulator import Emulator
from tests.fixtures import EMAIL

INFOS = "/device/getDirectConnectionInfos"


@pytest.fixture
def direct_client(
    emulator: Emulator, http: aiohttp.ClientSession, secrets: Secrets
) -> MyJDownloaderClient:
    return MyJDownloaderClient(
        http, EMAIL, secrets, api_url=emulator.api_url, timeout=5.0, direct_connection=True
    )


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Advance the direct-connection clock (cooldowns, info refresh) without sleeping."""
    offset = 0.0

    def fake() -> float:
        return time.monotonic() + offset

    def advance(seconds: float) -> None:
        nonlocal offset
        offset += seconds

    monkeypatch.setattr(transport_myjd, "monotonic", fake)
    return advance


async def test_direct_connection_is_preferred(
    emulator: Emulator, direct_client: MyJDownloaderClient
) -> None:
    device = direct_client.device(emulator.devices[0].id)
    for _ in range(5):
        await device.poll()
    assert device.connection_type == "direct"
    counters = emulator.counters
    assert counters[("relay", INFOS)] == 1  # infos fetched once, not after every call
    assert counters[("direct", "/device/ping")] == 1
    assert counters[("direct", "/polling/poll")] == 5
    assert counters[("relay", "/polling/poll")] == 0


async def test_failed_direct_call_falls_back_and_cools_down(
    emulator: Emulator,
    direct_client: MyJDownloaderClient,
    clock: Callable[[float], None],
) -> None:
    device = direct_client.device(emulator.devices[0].id)
    await device.ping()
    assert device.connection_type == "direct"
    emulator.reset_counters()

    emulator.faults.add("drop", transport="direct")
    status = await device.toolbar_status()  # answered through the relay
    assert status.state == "IDLE"
    assert device.connection_type == "relay"
    assert emulator.counters[("direct", "/toolbar/getStatus")] == 1
    assert emulator.counters[("relay", "/toolbar/getStatus")] == 1

    # During the cooldown nothing is sent to the direct address.
    for _ in range(3):
        await device.toolbar_status()
    clock(30)
    await device.toolbar_status()
    assert emulator.counters[("relay", "/toolbar/getStatus")] == 5
    assert emulator.counters[("direct", "/toolbar/getStatus")] == 1
    assert emulator.counters[("direct", "/device/ping")] == 0

    # After the cooldown the address is probed again and used.
    clock(31)
    await device.toolbar_status()
    assert emulator.counters[("direct", "/device/ping")] == 1
    assert emulator.counters[("direct", "/toolbar/getStatus")] == 2
    assert device.connection_type == "direct"


async def test_cooldown_grows_with_repeated_failures(
    emulator: Emulator,
    direct_client: MyJDownloaderClient,
    clock: Callable[[float], None],
) -> None:
    device = direct_client.device(emulator.devices[0].id)
    await device.ping()
    emulator.faults.add("drop", transport="direct", endpoint="/toolbar/getStatus")
    await device.toolbar_status()  # first failure: 60 s
    clock(61)
    emulator.faults.add("drop", transport="direct", endpoint="/toolbar/getStatus")
    await device.toolbar_status()  # probe ok, call fails again: 120 s
    assert device.connection_type == "relay"
    emulator.reset_counters()
    clock(90)
    await device.toolbar_status()
    assert emulator.counters[("direct", "/device/ping")] == 0
    clock(31)
    await device.toolbar_status()
    assert emulator.counters[("direct", "/device/ping")] == 1
    assert device.connection_type == "direct"


async def test_device_without_direct_server_uses_relay(
    emulator: Emulator, direct_client: MyJDownloaderClient
) -> None:
    sim = emulator.devices[0]
    sim.direct_enabled = False  # getDirectConnectionInfos answers mode NONE, no addresses
    device = direct_client.device(sim.id)
    assert (await device.poll()).jd_state == "IDLE"
    await device.poll()
    assert device.connection_type == "relay"
    assert emulator.counters[("relay", INFOS)] == 1
    assert emulator.counters[("relay", "/polling/poll")] == 2
    assert not any(transport == "direct" for transport, _ in emulator.counters)


async def test_direct_server_gone_after_discovery(
    emulator: Emulator,
    direct_client: MyJDownloaderClient,
    clock: Callable[[float], None],
) -> None:
    sim = emulator.devices[0]
    device = direct_client.device(sim.id)
    await device.poll()
    assert device.connection_type == "direct"
    sim.direct_enabled = False  # the address now drops every connection
    emulator.reset_counters()
    assert (await device.poll()).jd_state == "IDLE"
    assert device.connection_type == "relay"
    clock(61)
    # Cooldown over: one probe, which fails, so the call goes through the relay again.
    await device.poll()
    assert emulator.counters[("direct", "/device/ping")] == 1
    assert emulator.counters[("direct", "/polling/poll")] == 1
    assert emulator.counters[("relay", "/polling/poll")] == 2
    assert device.connection_type == "relay"


async def test_infos_are_refreshed_after_ten_minutes(
    emulator: Emulator,
    direct_client: MyJDownloaderClient,
    clock: Callable[[float], None],
) -> None:
    device = direct_client.device(emulator.devices[0].id)
    await device.ping()
    clock(9 * 60)
    await device.ping()
    assert emulator.counters[("relay", INFOS)] == 1
    clock(61)
    await device.ping()
    assert emulator.counters[("relay", INFOS)] == 2
    assert device.connection_type == "direct"


async def test_direct_connection_can_be_switched_off(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    device = client.device(emulator.devices[0].id)
    await device.poll()
    assert device.connection_type == "relay"
    assert emulator.counters[("relay", INFOS)] == 0
    assert not any(transport == "direct" for transport, _ in emulator.counters)


async def test_expired_session_on_direct_connection_is_renewed(
    emulator: Emulator, direct_client: MyJDownloaderClient
) -> None:
    device = direct_client.device(emulator.devices[0].id)
    await device.ping()
    emulator.expire_sessions()
    emulator.reset_counters()
    assert (await device.toolbar_status()).state == "IDLE"
    assert emulator.counters[("server", "/my/reconnect")] == 1
    assert device.connection_type == "direct"


async def test_garbled_direct_answer_is_raised_not_resent(
    emulator: Emulator, direct_client: MyJDownloaderClient
) -> None:
    """The device acted on the call (a toggle); re-sending it over the relay would undo it."""
    sim = emulator.devices[0]
    device = direct_client.device(sim.id)
    await device.ping()
    before = sim.settings["ClipboardMonitored"]
    emulator.faults.add("wrong_rid", transport="direct")
    with pytest.raises(JDownloaderProtocolError):
        await device.toggle_clipboard_monitoring()
    assert sim.settings["ClipboardMonitored"] is not before  # toggled exactly once
    assert emulator.counters[("relay", "/toolbar/toggleClipboardMonitoring")] == 0
    # The address cools down: the next call goes through the relay.
    assert (await device.toolbar_status()).clipboard is not before
    assert device.connection_type == "relay"
