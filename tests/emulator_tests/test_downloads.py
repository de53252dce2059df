"""Download simulation as a client sees it: progress, finishing, STOPPED_STATE, failures, pause."""

from __future__ import annotations

import pytest

from tests.emulator import Emulator

from .rawclient import RawClient

pytestmark = pytest.mark.asyncio

FIELDS = {
    "bytesLoaded": True,
    "bytesTotal": True,
    "finished": True,
    "running": True,
    "speed": True,
    "advancedStatus": True,
    "status": True,
}


async def test_progress_until_stopped_state(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    dev.packages.clear()
    dev.links.clear()
    dev.touch(structure=True)
    package = dev.add_package("Small", links=4, bytes_per_link=10_000_000)
    dev.settings["MaxSimultaneDownloads"] = 2

    assert await client.call(dev.id, "/downloadcontroller/start") is True
    links = await client.call(dev.id, "/downloadsV2/queryLinks", FIELDS)
    assert sum(1 for lk in links if lk.get("running")) == 2

    dev.advance(1.0)
    links = await client.call(dev.id, "/downloadsV2/queryLinks", FIELDS)
    running = [lk for lk in links if lk.get("running")]
    assert [lk["bytesLoaded"] for lk in running] == [dev.link_speed, dev.link_speed]
    assert all(lk["speed"] == dev.link_speed for lk in running)
    status = await client.call(dev.id, "/toolbar/getStatus")
    assert status["state"] == "RUNNING"
    assert status["running"] is True
    assert status["speed"] == 2 * dev.link_speed

    dev.advance(60)
    links = await client.call(dev.id, "/downloadsV2/queryLinks", FIELDS)
    assert all(lk["finished"] and lk["bytesLoaded"] == lk["bytesTotal"] for lk in links)
    assert all(lk["advancedStatus"]["FinalLinkState"]["id"] == "FINISHED" for lk in links)
    packages = await client.call(
        dev.id, "/downloadsV2/queryPackages", {"finished": True, "status": True}
    )
    assert packages == [
        {
            "name": "Small",
            "uuid": package,
            "finished": True,
            "status": "Finished",
            "statusIconKey": "true",
        }
    ]
    # STOPPED_STATE is sticky, it does not fall back to IDLE.
    dev.advance(10)
    assert await client.call(dev.id, "/downloadcontroller/getCurrentState") == "STOPPED_STATE"
    assert (await client.call(dev.id, "/toolbar/getStatus"))["speed"] == 0


async def test_failed_link_is_not_finished(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    target = next(lk for lk in dev.links.values() if not lk.finished)
    before = (await client.call(dev.id, "/toolbar/getStatus"))["download_complete"]
    dev.fail_link(target.uuid)
    [link] = await client.call(
        dev.id, "/downloadsV2/queryLinks", {"linkUUIDs": [target.uuid], **FIELDS}
    )
    assert "finished" not in link
    assert link["advancedStatus"]["FinalLinkState"]["id"] == "FAILED"
    after = (await client.call(dev.id, "/toolbar/getStatus"))["download_complete"]
    assert after == before - target.bytes_total
    await client.call(
        dev.id, "/downloadsV2/cleanup", [], [], "DELETE_FAILED", "REMOVE_LINKS_ONLY", "ALL"
    )
    assert target.uuid not in dev.links


async def test_pause_uses_pause_speed(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    assert await client.call(dev.id, "/downloadcontroller/pause", True) is True
    assert dev.state == "IDLE"  # pausing only acts while running
    await client.call(dev.id, "/downloadcontroller/start")
    assert await client.call(dev.id, "/toolbar/togglePauseDownloads") is True
    status = await client.call(dev.id, "/toolbar/getStatus")
    assert (status["state"], status["pause"]) == ("PAUSE", True)
    assert status["speed"] <= dev.settings["PauseSpeed"]
    assert await client.call(dev.id, "/downloadcontroller/getSpeedInBps") == status["speed"]
    await client.call(dev.id, "/downloadcontroller/pause", False)
    assert (await client.call(dev.id, "/toolbar/getStatus"))["state"] == "RUNNING"


async def test_speed_limit_and_stop_after_current(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    dev.settings["DownloadSpeedLimit"] = 300_000
    await client.call(dev.id, "/toolbar/toggleDownloadSpeedLimit")
    await client.call(dev.id, "/toolbar/startDownloads")
    assert await client.call(dev.id, "/downloadcontroller/getSpeedInBps") <= 300_000
    assert await client.call(dev.id, "/toolbar/toggleStopAfterCurrentDownload") is True
    running = {lk.uuid for lk in dev.running_links}
    dev.advance(100_000)
    assert all(dev.links[u].finished for u in running)
    assert not dev.running_links
    assert dev.state == "STOPPED_STATE"
    assert any(not lk.finished for lk in dev.links.values())  # nothing new was started


async def test_remove_reset_enable(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    counter = await client.call(dev.id, "/downloadsV2/getStructureChangeCounter", -1)
    package = next(iter(dev.packages.values()))
    first, second = package.links[:2]
    await client.call(dev.id, "/downloadsV2/removeLinks", [first], [])
    assert first not in dev.links
    assert await client.call(dev.id, "/downloadsV2/getStructureChangeCounter", counter) > counter
    # Empty id arrays select nothing.
    await client.call(dev.id, "/downloadsV2/removeLinks", [], [])
    assert second in dev.links
    await client.call(dev.id, "/downloadsV2/setEnabled", False, [second], [])
    [link] = await client.call(
        dev.id, "/downloadsV2/queryLinks", {"linkUUIDs": [second], "enabled": True}
    )
    assert "enabled" not in link
    await client.call(dev.id, "/downloadsV2/resetLinks", [second], [])
    assert dev.links[second].bytes_loaded == 0
    assert not dev.links[second].finished
