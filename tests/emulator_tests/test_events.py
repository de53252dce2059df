"""events/*: regex subscriptions, a real long-poll, draining, unknown ids."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.emulator import Emulator

from .rawclient import MyJDError, RawClient

pytestmark = pytest.mark.asyncio


async def test_listen_long_polls_until_an_event(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    sub = await client.call(dev.id, "/events/subscribe", ["downloadwatchdog", "^captchas\\."], [])
    assert sub["subscribed"] is True
    assert sub["maxPolltimeout"] == 25_000
    sub_id = sub["subscriptionid"]

    listen = asyncio.create_task(client.call(dev.id, "/events/listen", sub_id))
    await asyncio.sleep(0.2)
    assert not listen.done()  # blocking: nothing happened yet
    await client.call(dev.id, "/downloadcontroller/start")
    events = await asyncio.wait_for(listen, 5)
    assert {"publisher": "downloadwatchdog", "eventid": "RUNNING"} in events

    captcha = dev.add_captcha()
    await client.call(dev.id, "/captcha/skip", captcha)
    events = await client.call(dev.id, "/events/listen", sub_id)
    assert [(e["eventid"], e.get("eventData")) for e in events] == [
        ("NEW", captcha),
        ("DONE", captcha),
    ]
    status = await client.call(dev.id, "/events/getsubscriptionstatus", sub_id)
    assert status == {"subscriptionid": sub_id, "subscribed": True, "queueSize": 0}


async def test_poll_timeout_and_exclusions(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    sub = await client.call(dev.id, "/events/subscribe", ["downloads"], ["bytesLoaded|speed"])
    sub_id = sub["subscriptionid"]
    changed = await client.call(dev.id, "/events/changesubscriptiontimeouts", sub_id, 10, 10)
    assert (changed["maxPolltimeout"], changed["maxKeepalive"]) == (1_000, 30_000)  # clamped
    started = time.monotonic()
    assert await client.call(dev.id, "/events/listen", sub_id) == []
    assert time.monotonic() - started >= 0.9

    dev.start_downloads()
    dev.advance(100_000)
    events = await client.call(dev.id, "/events/listen", sub_id)
    ids = {e["eventid"] for e in events}
    assert "LINK_UPDATE.finished" in ids
    assert "PACKAGE_UPDATE.status" in ids
    assert not ids & {"LINK_UPDATE.bytesLoaded", "LINK_UPDATE.speed"}
    assert all(e["publisher"] == "downloads" for e in events)


async def test_unknown_subscription(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    with pytest.raises(MyJDError) as err:
        await client.call(dev.id, "/events/listen", 12345)
    assert (err.value.status, err.value.type) == (404, "FILE_NOT_FOUND")
    missing = await client.call(dev.id, "/events/getsubscription", 12345)
    assert (missing["subscriptionid"], missing["subscribed"]) == (-1, False)
    created = await client.call(dev.id, "/events/setsubscription", 777, ["captchas"], [])
    assert created["subscriptionid"] == 777
    gone = await client.call(dev.id, "/events/unsubscribe", 777)
    assert gone["subscribed"] is False
    # A device restart loses all subscriptions.
    sub = await client.call(dev.id, "/events/subscribe", ["downloads"], [])
    dev.restart()
    with pytest.raises(MyJDError):
        await client.call(dev.id, "/events/listen", sub["subscriptionid"])


async def test_link_removal_events(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    sub_id = (await client.call(dev.id, "/events/subscribe", ["^downloads\\.(REMOVE|ADD)_"], []))[
        "subscriptionid"
    ]
    package = next(iter(dev.packages.values()))
    await client.call(dev.id, "/downloadsV2/removeLinks", [], [package.uuid])
    new = dev.add_package("New")
    events = await client.call(dev.id, "/events/listen", sub_id)
    assert [e["eventid"] for e in events] == ["REMOVE_LINK", "REMOVE_PACKAGE", "ADD_PACKAGE"]
    assert events[1]["eventData"] == {"uuid": package.uuid}
    assert events[2]["eventData"]["uuid"] == new
