"""Connection server: login, signatures, token chaining, client dialects, session expiry."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import quote

import aiohttp
import pytest
from yarl import URL

from tests.emulator import Emulator
from tests.fixtures import EMAIL, PASSWORD

from .rawclient import APPKEY, MyJDError, RawClient, aes_decrypt, aes_encrypt, secret, signed

pytestmark = pytest.mark.asyncio


async def test_connect_and_list_devices(emu: Emulator, client: RawClient) -> None:
    assert len(client.session_token) == 40
    int(client.session_token, 16)
    devices = await client.list_devices()
    assert [(d["id"], d["type"], d["name"]) for d in devices] == [
        (d.id, "jd", d.name) for d in emu.devices
    ]
    assert emu.counters[("server", "/my/connect")] == 1
    assert emu.counters[("server", "/my/listdevices")] == 1


async def test_wrong_password_is_rejected(emu: Emulator, http: aiohttp.ClientSession) -> None:
    wrong = RawClient(http, emu.api_url, EMAIL, "not the password")
    with pytest.raises(MyJDError) as err:
        await wrong.connect()
    assert (err.value.status, err.value.type) == (403, "AUTH_FAILED")


async def test_tampered_signature_is_rejected(emu: Emulator, client: RawClient) -> None:
    good_key = client.server_token
    client.server_token = bytes(32)
    with pytest.raises(MyJDError) as err:
        await client.list_devices()
    assert err.value.status == 403
    client.server_token = good_key
    assert len(await client.list_devices()) == 2


async def test_reconnect_chains_tokens(emu: Emulator, client: RawClient) -> None:
    old_token = client.session_token
    await client.reconnect()
    assert client.session_token != old_token
    assert len(await client.list_devices()) == 2
    device_id = emu.devices[0].id
    assert await client.call(device_id, "/device/ping") is True
    # The old session is gone.
    stale = RawClient(client.http, emu.api_url, EMAIL, PASSWORD)
    stale.session_token, stale.server_token = old_token, client.server_token
    with pytest.raises(MyJDError) as err:
        await stale.list_devices()
    assert err.value.type == "TOKEN_INVALID"


async def test_myjdapi_style_get_with_second_rids(emu: Emulator, client: RawClient) -> None:
    """GET on /my/*, rids in seconds and repeated, connect with rid=0 (JS)."""
    rid = int(time.time())
    first = await client.my(
        f"/my/listdevices?sessiontoken={client.session_token}",
        client.server_token,
        method="GET",
        rid=rid,
    )
    again = await client.my(
        f"/my/listdevices?sessiontoken={client.session_token}",
        client.server_token,
        method="GET",
        rid=rid,
    )
    assert first["list"] == again["list"]
    data = await client.my(
        f"/my/connect?email={quote(EMAIL)}&appkey={APPKEY}",
        client.login_secret,
        method="GET",
        rid=0,
    )
    assert data["rid"] == 0
    assert len(data["sessiontoken"]) == 40


async def test_js_style_encrypted_body_and_camel_case(emu: Emulator, client: RawClient) -> None:
    """rid before sessiontoken, encrypted POST body, regainToken in camel case."""
    rid = int(time.time() * 1000)
    path = f"/my/listdevices?rid={rid}&sessiontoken={client.session_token}"
    body = aes_encrypt(
        client.server_token,
        json.dumps({"apiVer": 1, "params": [], "url": path, "rid": rid}).encode(),
    )
    async with client.http.post(
        URL(emu.api_url + signed(path, client.server_token), encoded=True),
        data=body,
        headers={"Content-Type": "application/json; charset=UTF-8"},
    ) as resp:
        assert resp.status == 200
        assert "aesjson-server" in resp.headers["Content-Type"]
        data = json.loads(aes_decrypt(client.server_token, await resp.text()))
    assert data["rid"] == rid
    assert len(data["list"]) == 2

    old = client.server_token
    reply = await client.my(
        f"/my/reconnect?appkey={APPKEY}&sessiontoken={client.session_token}"
        f"&regainToken={client.regain_token}",
        old,
    )
    client._adopt(reply, old)
    assert len(await client.list_devices()) == 2


async def test_session_expiry_then_regain(emu: Emulator, client: RawClient) -> None:
    device_id = emu.devices[0].id
    emu.expire_sessions()
    with pytest.raises(MyJDError) as err:
        await client.list_devices()
    assert (err.value.status, err.value.body) == (403, {"src": "MYJD", "type": "TOKEN_INVALID"})
    status, body, _ = await client.call_raw(device_id, "/device/ping", [])
    assert status == 403
    assert json.loads(body)["type"] == "TOKEN_INVALID"

    await client.reconnect()  # the regain token still works
    assert await client.call(device_id, "/device/ping") is True

    emu.expire_regain_tokens()
    emu.expire_sessions()
    with pytest.raises(MyJDError) as err:
        await client.reconnect()
    assert (err.value.status, err.value.type) == (403, "AUTH_FAILED")
    await client.connect()  # full login still works
    assert len(await client.list_devices()) == 2


async def test_idle_session_ttl(emu: Emulator, client: RawClient) -> None:
    emu.session_ttl = 0.2
    assert len(await client.list_devices()) == 2
    await asyncio.sleep(0.3)
    with pytest.raises(MyJDError) as err:
        await client.list_devices()
    assert err.value.type == "TOKEN_INVALID"


async def test_disconnect_ends_session(emu: Emulator, client: RawClient) -> None:
    data = await client.my(
        f"/my/disconnect?sessiontoken={client.session_token}", client.server_token
    )
    assert set(data) == {"rid"}
    with pytest.raises(MyJDError) as err:
        await client.list_devices()
    assert err.value.type == "TOKEN_INVALID"


async def test_email_is_case_insensitive(emu: Emulator, http: aiohttp.ClientSession) -> None:
    other = RawClient(http, emu.api_url, EMAIL.upper(), PASSWORD)
    # The secret is derived from the lower-cased e-mail, so this is the same login.
    assert other.login_secret == secret(EMAIL, PASSWORD, "server")
    await other.connect()
    assert len(await other.list_devices()) == 2
