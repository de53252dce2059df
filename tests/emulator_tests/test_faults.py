"""Fault injection and request counters."""

from __future__ import annotations

import json
import time

import aiohttp
import pytest

from tests.emulator import Emulator

from .rawclient import MyJDError, RawClient

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize(
    ("kind", "status", "type_"),
    [
        ("rate_limit", 429, "TOO_MANY_REQUESTS"),
        ("overload", 503, "OVERLOAD"),
        ("maintenance", 503, "MAINTENANCE"),
        ("offline", 504, "OFFLINE"),
        ("token_invalid", 403, "TOKEN_INVALID"),
        ("auth_failed", 403, "AUTH_FAILED"),
        ("email_not_confirmed", 401, "ERROR_EMAIL_NOT_CONFIRMED"),
        ("server_error", 500, "UNKNOWN"),
    ],
)
async def test_error_faults_apply_once(
    emu: Emulator, client: RawClient, kind: str, status: int, type_: str
) -> None:
    emu.faults.add(kind, endpoint="/my/listdevices")
    with pytest.raises(MyJDError) as err:
        await client.list_devices()
    assert (err.value.status, err.value.body) == (status, {"src": "MYJD", "type": type_})
    assert len(await client.list_devices()) == 2


async def test_connect_faults(emu: Emulator, client: RawClient) -> None:
    emu.faults.add("email_not_confirmed", count=2, endpoint="/my/connect")
    for _ in range(2):
        with pytest.raises(MyJDError) as err:
            await client.connect()
        assert err.value.type == "ERROR_EMAIL_NOT_CONFIRMED"
    await client.connect()


async def test_garbage_wrong_rid_slow_drop(emu: Emulator, client: RawClient) -> None:
    dev_id = emu.devices[0].id
    emu.faults.add("garbage", transport="relay")
    status, body, _ = await client.call_raw(dev_id, "/device/ping", [])
    assert status == 200
    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)):
        json.loads(body)

    emu.faults.add("wrong_rid", endpoint="/device/ping")
    status, body, rid = await client.call_raw(dev_id, "/device/ping", [])
    assert json.loads(body)["rid"] == rid + 1

    emu.faults.add("wrong_rid", endpoint="/my/listdevices")
    with pytest.raises(AssertionError, match="rid mismatch"):
        await client.list_devices()

    emu.faults.add("slow", endpoint="/device/ping", delay=0.5)
    started = time.monotonic()
    assert await client.call(dev_id, "/device/ping") is True
    assert time.monotonic() - started >= 0.5

    emu.faults.add("drop", transport="relay")
    with pytest.raises(aiohttp.ClientError):
        await client.call(dev_id, "/device/ping")
    assert await client.call(dev_id, "/device/ping") is True


async def test_fault_filters(emu: Emulator, client: RawClient, http: aiohttp.ClientSession) -> None:
    dev = emu.devices[0]
    emu.faults.add("overload", count=5, transport="relay")
    async with http.get(f"http://127.0.0.1:{dev.local_port}/device/ping") as resp:
        assert resp.status == 200  # other transports are untouched
    with pytest.raises(MyJDError):
        await client.call(dev.id, "/device/ping")
    emu.faults.clear()
    assert await client.call(dev.id, "/device/ping") is True


async def test_counters_show_poll_cost(emu: Emulator, client: RawClient) -> None:
    dev_id = emu.devices[0].id
    emu.reset_counters()
    await client.call(dev_id, "/polling/poll", {"aggregatedNumbers": True, "jdState": True})
    await client.call(dev_id, "/toolbar/getStatus")
    assert emu.counters == {("relay", "/polling/poll"): 1, ("relay", "/toolbar/getStatus"): 1}
    assert emu.bytes_sent[("relay", "/toolbar/getStatus")] > 0
    assert [(r.transport, r.endpoint, r.status) for r in emu.requests] == [
        ("relay", "/polling/poll", 200),
        ("relay", "/toolbar/getStatus", 200),
    ]


async def test_50k_links_query_time(http: aiohttp.ClientSession, socket_enabled: None) -> None:
    """Prints the time to serve a 50,000-link queryLinks (no timing assert)."""
    emu = Emulator(email="big@example.com", password="pw", links=50_000)
    await emu.start()
    try:
        client = RawClient(http, emu.api_url, "big@example.com", "pw")
        await client.connect()
        dev = emu.devices[0]
        dev.start_downloads()
        dev.advance(5)
        query = {"bytesTotal": True, "bytesLoaded": True, "finished": True, "running": True}
        for label in ("cold", "cached"):
            started = time.perf_counter()
            links = await client.call(dev.id, "/downloadsV2/queryLinks", query)
            elapsed = time.perf_counter() - started
            print(
                f"\n50k queryLinks ({label}): {elapsed:.3f} s, "
                f"{emu.bytes_sent[('relay', '/downloadsV2/queryLinks')]} bytes so far"
            )
            assert len(links) == 50_000
        assert dev.query_cache_hits >= 1
    finally:
        await emu.stop()
