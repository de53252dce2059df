"""Device API over the relay: envelope rules, errors, omit-defaults, settings, linkgrabber, captchas."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.emulator import Emulator

from .rawclient import MyJDError, RawClient

pytestmark = pytest.mark.asyncio

GENERAL = "org.jdownloader.settings.GeneralSettings"


async def test_response_framing(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    status, body, rid = await client.call_raw(dev.id, "/jd/version", [])
    assert status == 200
    assert (
        body == b'{"data" :' + str(dev.jd_version).encode() + b',"rid":' + str(rid).encode() + b"}"
    )
    # null → no data key; void → "".
    status, body, rid = await client.call_raw(
        dev.id, "/config/get", [json.dumps(GENERAL), "null", json.dumps("NoSuchKey")]
    )
    assert json.loads(body) == {"rid": rid}
    assert await client.call(dev.id, "/update/runUpdateCheck") == ""
    # Without apiVer the old wrapper answers with rid -1.
    status, body, _ = await client.call_raw(dev.id, "/device/ping", [], api_ver=0)
    assert json.loads(body)["rid"] == -1


async def test_envelope_errors(emu: Emulator, client: RawClient) -> None:
    dev_id = emu.devices[0].id

    async def error(
        path: str, params: list[object], url: str | None = None
    ) -> tuple[int, dict[str, object]]:
        status, body, _ = await client.call_raw(dev_id, path, params, url=url)
        return status, json.loads(body)  # encrypted with the device token like any answer

    assert await error("/toolbar/getStatus", ["1"]) == (
        404,
        {"src": "DEVICE", "type": "API_COMMAND_NOT_FOUND"},
    )
    assert await error("/nosuchns/method", []) == (404, {"src": "DEVICE", "type": "Not Found"})
    assert await error("/downloadcontroller/pause", ["maybe"]) == (
        400,
        {"src": "DEVICE", "type": "BAD_PARAMETERS", "data": "maybe"},
    )
    status, body = await error("/device/ping", [], url="/device/other")
    assert status == 400
    assert "does not match" in str(body["type"])
    # Raw (not JSON-encoded) objects hit the Java toString problem; number arrays work.
    status, body = await error("/downloadsV2/queryPackages", [{"bytesTotal": True}])
    assert (status, body["type"]) == (400, "BAD_PARAMETERS")
    status, _ = await error("/downloadsV2/getStructureChangeCounter", [-1])
    assert status == 200


async def test_omit_defaults(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    links = await client.call(
        dev.id,
        "/downloadsV2/queryLinks",
        {
            "bytesTotal": True,
            "bytesLoaded": True,
            "finished": True,
            "enabled": True,
            "running": True,
            "priority": True,
            "eta": True,
        },
    )
    assert len(links) == len(dev.links)
    done = [lk for lk in links if dev.links[lk["uuid"]].finished]
    todo = [lk for lk in links if not dev.links[lk["uuid"]].finished]
    assert done
    assert todo
    assert all(lk["finished"] is True for lk in done)
    assert all("finished" not in lk and "running" not in lk and "eta" not in lk for lk in todo)
    assert all("priority" not in lk for lk in links)  # DEFAULT is never sent
    assert all("host" not in lk and "url" not in lk for lk in links)  # not requested
    accounts = await client.call(
        dev.id,
        "/accountsV2/listAccounts",
        {"userName": True, "enabled": True, "valid": True, "trafficLeft": True},
    )
    disabled = next(a for a in accounts if a.get("errorType"))
    assert "enabled" not in disabled
    assert "valid" not in disabled
    unlimited = next(a for a in accounts if a["hostname"] == "mega.nz")
    assert "trafficLeft" not in unlimited
    assert unlimited["valid"] is True


async def test_query_filters_and_paging(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    package = next(iter(dev.packages.values()))
    links = await client.call(
        dev.id,
        "/downloadsV2/queryLinks",
        {"packageUUIDs": [package.uuid], "startAt": 2, "maxResults": 3},
    )
    assert [lk["uuid"] for lk in links] == package.links[2:5]
    assert await client.call(dev.id, "/downloadsV2/queryLinks", {"startAt": 10_000}) == []
    assert await client.call(dev.id, "/downloadsV2/packageCount") == len(dev.packages)


async def test_config_and_toolbar_share_state(emu: Emulator, client: RawClient) -> None:
    dev_id = emu.devices[0].id

    async def get(key: str, iface: str = GENERAL) -> object:
        return await client.call(dev_id, "/config/get", iface, None, key)

    async def set_(key: str, value: object) -> object:
        return await client.call(dev_id, "/config/set", GENERAL, None, key, value)

    assert await get("maxsimultanedownloads") == 3
    assert await set_("MaxSimultaneDownloads", 21) is False
    assert await set_("MaxSimultaneDownloads", "5") is True  # a JSON string of the key's type
    assert await get("MaxSimultaneDownloads") == 5
    assert await set_("DownloadSpeedLimit", 123_456) is True
    assert await get("DownloadSpeedLimitEnabled") is False
    assert await client.call(dev_id, "/toolbar/toggleDownloadSpeedLimit") is True
    assert await get("DownloadSpeedLimitEnabled") is True
    status = await client.call(dev_id, "/toolbar/getStatus")
    assert (status["limit"], status["limitspeed"]) == (True, 123_456)
    clipboard = "org.jdownloader.settings.GraphicalUserInterfaceSettings"
    before = await get("ClipboardMonitored", clipboard)
    assert await client.call(dev_id, "/toolbar/toggleClipboardMonitoring") is (not before)
    assert await get("ClipboardMonitored", clipboard) is (not before)
    assert await get("NoSuchKey") is None
    assert await client.call(dev_id, "/config/get", "no.such.Interface", None, "x") is None


async def test_linkgrabber_add_and_move(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[1]
    job = await client.call(
        dev.id,
        "/linkgrabberv2/addLinks",
        {
            "links": "https://host.example/files/movie.mkv\nhttps://host.example/files/movie.nfo",
            "packageName": "My Movie",
            "destinationFolder": "/media/movies",
        },
    )
    assert isinstance(job["id"], int)
    packages = await client.call(
        dev.id,
        "/linkgrabberv2/queryPackages",
        {"saveTo": True, "childCount": True, "availableOnlineCount": True},
    )
    assert [(p["name"], p["saveTo"], p["childCount"], p["onlineCount"]) for p in packages] == [
        ("My Movie", "/media/movies", 2, 2)
    ]
    crawled = await client.call(
        dev.id, "/linkgrabberv2/queryLinks", {"availability": True, "host": True}
    )
    assert {(lk["name"], lk["availability"], lk["host"]) for lk in crawled} == {
        ("movie.mkv", "ONLINE", "host.example"),
        ("movie.nfo", "ONLINE", "host.example"),
    }
    assert await client.call(dev.id, "/linkgrabberv2/getPackageCount") == 1
    assert await client.call(dev.id, "/linkgrabberv2/isCollecting") is False

    before = len(dev.packages)
    await client.call(dev.id, "/linkgrabberv2/moveToDownloadlist", [], [packages[0]["uuid"]])
    assert await client.call(dev.id, "/linkgrabberv2/getPackageCount") == 0
    assert await client.call(dev.id, "/downloadsV2/packageCount") == before + 1

    # Without packageName the package is named after the URL; autostart starts downloading.
    await client.call(
        dev.id,
        "/linkgrabberv2/addLinks",
        {"links": "https://other.example/dl/archive.zip", "autostart": True},
    )
    names = [p["name"] for p in await client.call(dev.id, "/downloadsV2/queryPackages", {})]
    assert "archive" in names
    assert await client.call(dev.id, "/downloadcontroller/getCurrentState") == "RUNNING"
    assert await client.call(dev.id, "/linkgrabberv2/clearList") is True


async def test_captcha_flow(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    captcha_id = dev.add_captcha(hoster="rapidgator.net")
    jobs = await client.call(dev.id, "/captcha/list")
    assert [(j["id"], j["hoster"]) for j in jobs] == [(captcha_id, "rapidgator.net")]
    assert set(jobs[0]) >= {
        "id",
        "hoster",
        "link",
        "type",
        "explain",
        "timeout",
        "created",
        "remaining",
    }
    image = await client.call(dev.id, "/captcha/get", captcha_id)
    # ImageCaptchaChallenge.getAPIStorable: no "data:" prefix.
    assert image.startswith("image/png;base64,")
    assert await client.call(dev.id, "/captcha/solve", captcha_id, "abc") is True
    with pytest.raises(MyJDError) as err:
        await client.call(dev.id, "/captcha/get", captcha_id)
    assert (err.value.status, err.value.type) == (404, "NOT_AVAILABLE")
    assert await client.call(dev.id, "/captcha/list") == []


async def test_restart_and_update(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    dev.update_on_check = True
    dev.restart_delay = 0.3
    assert await client.call(dev.id, "/update/isUpdateAvailable") is False
    await client.call(dev.id, "/update/runUpdateCheck")
    assert await client.call(dev.id, "/update/isUpdateAvailable") is True
    version = await client.call(dev.id, "/jd/version")
    assert await client.call(dev.id, "/update/restartAndUpdate") == ""
    await asyncio.sleep(0.15)
    status, body, _ = await client.call_raw(dev.id, "/jd/version", [])
    assert status == 504
    assert json.loads(body) == {"src": "MYJD", "type": "OFFLINE"}
    await asyncio.sleep(0.4)
    assert await client.call(dev.id, "/jd/version") == version + 1
    assert await client.call(dev.id, "/update/isUpdateAvailable") is False
    assert await client.call(dev.id, "/jd/uptime") < 5_000


async def test_request_size_limit(emu: Emulator, client: RawClient) -> None:
    big = "x" * (1024 * 1024)
    status, body, _ = await client.call_raw(
        emu.devices[0].id, "/linkgrabberv2/addLinks", [json.dumps({"links": big})]
    )
    assert (status, body) == (413, b"Request size limit exceeded!")


async def test_system_and_misc(emu: Emulator, client: RawClient) -> None:
    dev = emu.devices[0]
    storage = await client.call(dev.id, "/system/getStorageInfos", "/downloads")
    assert storage == [
        {"path": "/downloads", "size": dev.storage_total, "free": dev.storage_free, "error": None}
    ]
    infos = await client.call(dev.id, "/device/getDirectConnectionInfos")
    assert infos == {
        "mode": "LAN",
        "rebindProtectionDetected": False,
        "infos": [{"ip": "127.0.0.1", "port": dev.direct_port}],
    }
    assert await client.call(dev.id, "/reconnect/doReconnect") == ""
    assert dev.reconnects == 1
    assert "startupTimeStamp" in await client.call(dev.id, "/system/getSystemInfos")
