"""Login, session renewal and authentication failures against the emulated connection server."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    JDownloaderAuthError,
    JDownloaderEmailNotConfirmedError,
    MyJDownloaderClient,
    Secrets,
)
from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD


def server_calls(emu: Emulator, endpoint: str) -> int:
    return emu.counters[("server", endpoint)]


async def test_full_login_lists_devices_and_calls_device(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    assert not client.connected
    await client.connect()
    assert client.connected
    devices = await client.list_devices()
    sim = emulator.devices[0]
    assert [(d.id, d.name, d.type) for d in devices] == [(sim.id, sim.name, "jd")]
    device = client.device(sim.id)
    assert device.name == sim.name
    assert client.device(sim.id) is device
    assert await device.ping() is True
    assert device.connection_type == "relay"
    assert server_calls(emulator, "/my/connect") == 1


async def test_device_call_logs_in_lazily(emulator: Emulator, client: MyJDownloaderClient) -> None:
    status = await client.device(emulator.devices[0].id).toolbar_status()
    assert status.state == "IDLE"
    assert server_calls(emulator, "/my/connect") == 1


async def test_secrets_instead_of_password(emulator: Emulator, http: aiohttp.ClientSession) -> None:
    """A caller can store only the derived secrets (hex) and log in with them later."""
    stored = Secrets.from_password(EMAIL, PASSWORD).to_hex()
    client = MyJDownloaderClient(
        http, EMAIL, Secrets.from_hex(stored), api_url=emulator.api_url, direct_connection=False
    )
    assert len(await client.list_devices()) == 1


async def test_reconnect_chains_tokens(emulator: Emulator, client: MyJDownloaderClient) -> None:
    await client.connect()
    first = client.session_info
    assert first is not None
    await client.reconnect()
    second = client.session_info
    assert second is not None
    assert second.session_token != first.session_token
    # The emulator verifies the chained server token on the signature of the next call,
    # and the device token on the next device call.
    assert len(await client.list_devices()) == 1
    assert await client.device(emulator.devices[0].id).ping()
    assert server_calls(emulator, "/my/reconnect") == 1
    assert server_calls(emulator, "/my/connect") == 1


async def test_expired_session_is_renewed_transparently(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    device = client.device(emulator.devices[0].id)
    assert await device.ping()
    emulator.expire_sessions()
    emulator.reset_counters()
    state = await device.get_current_state()
    assert state == "IDLE"
    assert server_calls(emulator, "/my/reconnect") == 1
    assert server_calls(emulator, "/my/connect") == 0
    # The failed call and its retry.
    assert emulator.counters[("relay", "/downloadcontroller/getCurrentState")] == 2


async def test_expired_regain_token_falls_back_to_full_login(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    await client.list_devices()
    emulator.expire_sessions()
    emulator.expire_regain_tokens()
    emulator.reset_counters()
    assert len(await client.list_devices()) == 1
    assert server_calls(emulator, "/my/reconnect") == 1
    assert server_calls(emulator, "/my/connect") == 1


async def test_persistent_token_invalid_ends_in_auth_error(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    """Reconnect, retry, full login, retry, then give up: no endless loop."""
    device = client.device(emulator.devices[0].id)
    await device.ping()
    emulator.reset_counters()
    emulator.faults.add("token_invalid", count=100, endpoint="/device/ping", transport="relay")
    with pytest.raises(JDownloaderAuthError):
        await device.ping()
    assert emulator.counters[("relay", "/device/ping")] == 3
    assert server_calls(emulator, "/my/reconnect") == 1
    assert server_calls(emulator, "/my/connect") == 1


async def test_concurrent_calls_across_one_expiry_reconnect_once(
    emulator: Emulator, client: MyJDownloaderClient
) -> None:
    device = client.device(emulator.devices[0].id)
    await device.ping()
    emulator.expire_sessions()
    emulator.reset_counters()
    results = await asyncio.gather(*(device.toolbar_status() for _ in range(10)))
    assert all(result.state == "IDLE" for result in results)
    assert server_calls(emulator, "/my/reconnect") == 1
    assert server_calls(emulator, "/my/connect") == 0
    assert emulator.counters[("relay", "/toolbar/getStatus")] == 20


async def test_wrong_password_raises_auth_error_once(
    emulator: Emulator, http: aiohttp.ClientSession
) -> None:
    client = MyJDownloaderClient(
        http,
        EMAIL,
        Secrets.from_password(EMAIL, "wrong password"),
        api_url=emulator.api_url,
        direct_connection=False,
    )
    with pytest.raises(JDownloaderAuthError) as info:
        await client.connect()
    assert not isinstance(info.value, JDownloaderEmailNotConfirmedError)
    with pytest.raises(JDownloaderAuthError):
        await client.list_devices()
    # One attempt per call: the client never retries a rejected login by itself.
    assert server_calls(emulator, "/my/connect") == 2
    assert not client.connected


async def test_email_not_confirmed(emulator: Emulator, client: MyJDownloaderClient) -> None:
    emulator.faults.add("email_not_confirmed", endpoint="/my/connect")
    with pytest.raises(JDownloaderEmailNotConfirmedError):
        await client.connect()


async def test_restore_session_skips_login(
    emulator: Emulator, client: MyJDownloaderClient, http: aiohttp.ClientSession, secrets: Secrets
) -> None:
    await client.connect()
    info = client.session_info
    assert info is not None
    resumed = MyJDownloaderClient(
        http, EMAIL, secrets, api_url=emulator.api_url, direct_connection=False
    )
    resumed.restore_session(info)
    emulator.reset_counters()
    assert await resumed.device(emulator.devices[0].id).ping()
    assert server_calls(emulator, "/my/connect") == 0


async def test_disconnect_ends_session(emulator: Emulator, client: MyJDownloaderClient) -> None:
    await client.connect()
    info = client.session_info
    assert info is not None
    await client.disconnect()
    assert not client.connected
    assert server_calls(emulator, "/my/disconnect") == 1
    assert emulator.server.live_session(info.session_token, touch=False) is None
    # Disconnecting twice is harmless and sends nothing.
    await client.disconnect()
    assert server_calls(emulator, "/my/disconnect") == 1
