"""Direct-connection port, Deprecated local API, device offline."""

from __future__ import annotations

import json
import socket
from urllib.parse import quote

import aiohttp
import pytest

from tests.emulator import Emulator

from .rawclient import RawClient

pytestmark = pytest.mark.asyncio


async def test_local_api_get_and_post(emu: Emulator, http: aiohttp.ClientSession) -> None:
    dev = emu.devices[0]
    base = f"http://127.0.0.1:{dev.local_port}"
    async with http.get(f"{base}/device/ping") as resp:
        assert resp.status == 200
        assert await resp.json() == {"data": True}  # no rid in the Deprecated API
    query = quote(json.dumps({"childCount": True}))
    async with http.get(f"{base}/downloadsV2/queryPackages?{query}") as resp:
        packages = await resp.json()
    assert [p["childCount"] for p in packages["data"]] == [
        len(p.links) for p in dev.packages.values()
    ]
    # POST: a JSON array of real JSON values, or {"params": [...]}.
    body = ["org.jdownloader.settings.GeneralSettings", None, "MaxSimultaneDownloads"]
    async with http.post(f"{base}/config/get", json=body) as resp:
        assert await resp.json() == {"data": 3}
    async with http.post(
        f"{base}/downloadsV2/queryLinks", json={"params": [{"maxResults": 1, "host": True}]}
    ) as resp:
        [link] = (await resp.json())["data"]
    assert link["host"] == dev.links[link["uuid"]].host
    async with http.get(f"{base}/toolbar/getStatus?unexpected=1") as resp:
        assert resp.status == 404
        assert await resp.json() == {"src": "DEVICE", "type": "API_COMMAND_NOT_FOUND"}
    async with http.get(f"{base}/device/ping", headers={"Origin": "http://evil.example"}) as resp:
        assert resp.status == 403
    assert emu.counters[("local", "/device/ping")] == 2


async def test_direct_port(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    infos = await client.call(dev.id, "/device/getDirectConnectionInfos")
    base = f"http://{infos['infos'][0]['ip']}:{infos['infos'][0]['port']}"
    assert await client.call(dev.id, "/device/ping", base=base) is True
    assert await client.call(dev.id, "/jd/version", base=base) == dev.jd_version
    assert emu.counters[("direct", "/jd/version")] == 1
    assert emu.counters[("relay", "/jd/version")] == 0

    # Another device's id on this port: the connection is dropped without an answer.
    with pytest.raises(aiohttp.ClientError):
        await client.call(emu.devices[1].id, "/device/ping", base=base)

    # A session the server does not know: 403 TOKEN_INVALID from the device, encrypted.
    emu.expire_sessions()
    status, body, _ = await client.call_raw(dev.id, "/device/ping", [], base=base)
    assert (status, json.loads(body)) == (403, {"src": "DEVICE", "type": "TOKEN_INVALID"})


async def test_device_offline_and_unlisted(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[1]
    dev.online = False
    status, body, _ = await client.call_raw(dev.id, "/device/ping", [])
    assert (status, json.loads(body)) == (504, {"src": "MYJD", "type": "OFFLINE"})
    with pytest.raises(aiohttp.ClientError):
        await client.call(dev.id, "/device/ping", base=f"http://127.0.0.1:{dev.direct_port}")
    assert [d["id"] for d in await client.list_devices()] == [d.id for d in emu.devices]
    dev.online = True
    assert await client.call(dev.id, "/device/ping") is True

    emu.remove_device(dev.id)
    assert [d["id"] for d in await client.list_devices()] == [emu.devices[0].id]
    emu.restore_device(dev.id)
    added = emu.add_device(name="Third")
    assert added.direct_port
    assert added.local_port
    assert [d["name"] for d in await client.list_devices()][-1] == "Third"
    assert (
        await client.call(added.id, "/device/ping", base=f"http://127.0.0.1:{added.direct_port}")
        is True
    )


async def test_fixed_local_ports(socket_enabled: None) -> None:
    """A demo asks for fixed local ports, so its local entries survive a restart."""
    base = _free_port_pair()
    emu = Emulator(devices=2, links=0, local_port_base=base)
    await emu.start()
    try:
        assert [d.local_port for d in emu.devices] == [base, base + 1]
    finally:
        await emu.stop()


def _free_port_pair() -> int:
    """A port whose successor is free too (both bound and released at once)."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two adjacent free ports")


async def test_local_api_parses_parameters_like_jdownloader(
    emu: Emulator, http: aiohttp.ClientSession
) -> None:
    """Deprecated API (AbstractPostRequest.readPostParameters + RemoteAPI.convert): raw values
    arrive intact; JSON-encoded strings keep their quotes; encoded objects fail to map."""
    dev = emu.devices[0]
    base = f"http://127.0.0.1:{dev.local_port}"
    general = "org.jdownloader.settings.GeneralSettings"
    encoded = [json.dumps(general), json.dumps(None), json.dumps("MaxSimultaneDownloads")]
    async with http.post(f"{base}/config/get", json={"params": encoded}) as resp:
        # '"org..."' with its quotes and the text 'null' find no setting: data omitted.
        assert await resp.json() == {}
    async with http.post(
        f"{base}/downloadsV2/queryPackages", json={"params": [json.dumps({"saveTo": True})]}
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["type"] == "BAD_PARAMETERS"
    # Quoted numbers and booleans are cast.
    async with http.post(f"{base}/downloadcontroller/pause", json={"params": ["true"]}) as resp:
        assert await resp.json() == {"data": True}


async def test_local_events_use_lower_case_eventdata(
    emu: Emulator, http: aiohttp.ClientSession, client: RawClient
) -> None:
    """EventObjectStorable goes out as it is over the Deprecated API ("eventdata"); over MyJD
    RemoteAPIController rewrites it to "eventData"."""
    dev = emu.devices[0]
    base = f"http://127.0.0.1:{dev.local_port}"
    async with http.post(f"{base}/events/subscribe", json={"params": [["captchas"], []]}) as resp:
        local_sub = (await resp.json())["data"]["subscriptionid"]
    relay_sub = (await client.call(dev.id, "/events/subscribe", ["captchas"], []))["subscriptionid"]
    captcha = dev.add_captcha()
    async with http.post(f"{base}/events/listen", json={"params": [local_sub]}) as resp:
        [local_event] = (await resp.json())["data"]
    [relay_event] = await client.call(dev.id, "/events/listen", relay_sub)
    assert local_event["eventdata"] == captcha
    assert "eventData" not in local_event
    assert relay_event["eventData"] == captcha
