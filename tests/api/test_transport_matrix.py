"""Every public method of JDownloaderDevice over every transport: relay, direct and local.

One row = the method, a small async ``act`` (set the emulated JD up, call the method) and a
``check`` of the answer and of the emulated JD's state. Each row runs once per transport; between
``act`` and ``check`` the test asserts that the calls were served by that transport alone.

``check(out, sim, sent)`` gets what ``act`` returned, the SimDevice and ``sent``: per device
endpoint, the argument tuples the emulated JD *method* received (after the device's own
parameter conversion, ``tests/emulator/protocol.py``). Comparing ``sent`` with plain Python values
is what proves the parameters arrived intact on each transport: the relay/direct path JSON-encodes
every parameter into a string, the local path sends raw JSON values, and a mismatch shows up as a
string with stray quotes, a ``"null"`` text for null, or 400 BAD_PARAMETERS for objects and lists.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
import functools
import inspect
from typing import Any

import aiohttp
import pytest

from custom_components.jdownloader.api import (
    AddLinksRequest,
    Event,
    JDownloaderApiError,
    JDownloaderDevice,
    LocalJDownloader,
    MyJDownloaderClient,
    Secrets,
    StorageInfo,
)
from tests.emulator import Emulator, SimDevice, api as emulator_api
from tests.emulator.api import Method
from tests.emulator.model import GENERAL, IDLE, MYJD as MYJD_SETTINGS, PAUSE, RUNNING, STOPPED
from tests.fixtures import EMAIL

TRANSPORTS = ("relay", "direct", "local")

type Sent = Mapping[str, list[tuple[Any, ...]]]
type Act = Callable[[JDownloaderDevice, SimDevice], Awaitable[Any]]
type Check = Callable[[Any, SimDevice, Sent], None]


@dataclass(frozen=True)
class Row:
    method: str
    act: Act
    check: Check
    variant: str = ""
    # transport → reason: a known client/emulator bug, kept visible as a strict xfail.
    xfail: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method}:{self.variant}" if self.variant else self.method


# ------------------------------------------------------------------------------ helpers


def package_ids(sim: SimDevice) -> list[int]:
    return list(sim.packages)


def links_of(sim: SimDevice, package: int) -> list[int]:
    return list(sim.packages[package].links)


def crawl_named(sim: SimDevice) -> tuple[int, int]:
    """Two linkgrabber packages, "Alpha" (2 links) and "Beta" (1 link); returns their uuids."""
    sim.add_links(
        {
            "links": "https://example.com/a/one.bin\nhttps://example.com/a/two.bin",
            "packageName": "Alpha",
        }
    )
    sim.add_links({"links": "https://example.org/b/three.bin", "packageName": "Beta"})
    by_name = {p.name: uuid for uuid, p in sim.crawled_packages.items()}
    return by_name["Alpha"], by_name["Beta"]


def running(sim: SimDevice) -> SimDevice:
    """Downloads running (the first runnable links of the seeded list)."""
    sim.start_downloads()
    assert sim.running_links
    return sim


def running_packages(sim: SimDevice) -> set[int]:
    return {link.package_uuid for link in sim.running_links}


async def until(condition: Callable[[], bool]) -> None:
    """Wait (at most 2 s) for the emulated JD's background work, e.g. a restart."""
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the emulated JDownloader never got there")


def answers(expected: Callable[[SimDevice], Any], path: str, *args: Any) -> Check:
    """A check: the answer equals ``expected(sim)`` and ``path`` was called once with ``args``."""

    def check(out: Any, sim: SimDevice, sent: Sent) -> None:
        assert out == expected(sim)
        assert sent[path] == [args]

    return check


# ------------------------------------------------------------------------------ device / status


def check_direct_infos(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert out.mode == "LAN"
    assert out.infos == (("127.0.0.1", sim.direct_port),)
    assert sent["/device/getDirectConnectionInfos"] == [()]


POLL_ALL = dict.fromkeys(
    ("aggregatedNumbers", "jdState", "linkGrabberState", "captchasWaiting"), True
)


async def poll_default(d: JDownloaderDevice, s: SimDevice) -> Any:
    captcha = s.add_captcha(hoster="mega.nz")
    return captcha, await d.poll()


def check_poll_default(out: Any, sim: SimDevice, sent: Sent) -> None:
    captcha, poll = out
    assert sent["/polling/poll"] == [(POLL_ALL,)]  # no downloadProgress key at all
    assert poll.aggregated is not None
    assert poll.aggregated.links_count == len(sim.links)
    assert poll.aggregated.package_count == len(sim.packages)
    assert (poll.jd_state, poll.linkgrabber_state) == (IDLE, "IDLE")
    assert [(c.id, c.hoster) for c in poll.captchas] == [(captcha, "mega.nz")]
    assert poll.running_packages is None


async def poll_parts(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.poll(aggregated=False, captchas=False)


def check_poll_parts(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/polling/poll"] == [({"jdState": True, "linkGrabberState": True},)]
    assert (out.aggregated, out.captchas, out.jd_state) == (None, None, IDLE)


async def poll_progress_attribute(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    d.poll_download_progress = True
    return await d.poll()  # download_progress=None: the attribute decides


async def poll_progress_true(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    d.poll_download_progress = False  # an explicit argument wins over the attribute
    return await d.poll(download_progress=True)


def check_poll_progress_all(out: Any, sim: SimDevice, sent: Sent) -> None:
    # [] (not null): running packages without expanding every package's running links.
    assert sent["/polling/poll"] == [(POLL_ALL | {"downloadProgress": []},)]
    assert {p.uuid for p in out.running_packages} == running_packages(sim)
    assert out.jd_state == RUNNING


async def poll_progress_links(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    return await d.poll(download_progress="links")


def check_poll_progress_links(out: Any, sim: SimDevice, sent: Sent) -> None:
    # null: PollingAPIImpl expands every running package; its running links come along.
    assert sent["/polling/poll"] == [(POLL_ALL | {"downloadProgress": None},)]
    assert {p.uuid for p in out.running_packages} == running_packages(sim)
    assert {u for p in out.running_packages for u in p.links} == {
        link.uuid for link in sim.running_links
    }


async def poll_progress_false(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    d.poll_download_progress = True
    return await d.poll(download_progress=False)


def check_poll_progress_false(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/polling/poll"] == [(POLL_ALL,)]
    assert out.running_packages is None


async def poll_progress_ids(d: JDownloaderDevice, s: SimDevice) -> Any:
    (uuid,) = running_packages(running(s))
    return uuid, await d.poll(download_progress=[uuid])


def check_poll_progress_ids(out: Any, sim: SimDevice, sent: Sent) -> None:
    uuid, poll = out
    assert sent["/polling/poll"] == [(POLL_ALL | {"downloadProgress": [uuid]},)]
    (package,) = poll.running_packages
    assert package.uuid == uuid
    assert package.speed == sum(link.speed for link in sim.running_links)


async def toolbar(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.settings |= {"ClipboardMonitored": True, "DownloadSpeedLimitEnabled": True}
    s.settings["DownloadSpeedLimit"] = 4096
    running(s)
    return await d.toolbar_status()


def check_toolbar(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert (out.state, out.running, out.speed) == (RUNNING, True, sim.speed())
    assert (out.clipboard, out.limit, out.limitspeed) == (True, True, 4096)
    assert sent["/toolbar/getStatus"] == [()]


async def current_state(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    return await d.get_current_state()


async def speed(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    return await d.get_speed()


async def started(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.start_downloads()


async def stopped(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    return await d.stop_downloads()


async def paused(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    return await d.pause_downloads(True)


async def unpaused(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s).pause(True)
    return await d.pause_downloads(False)


def state_is(state: str, path: str, *args: Any) -> Check:
    def check(out: Any, sim: SimDevice, sent: Sent) -> None:
        assert out is True
        assert sim.state == state
        assert sent[path] == [args]

    return check


DEVICE_ROWS = [
    Row("ping", lambda d, s: d.ping(), answers(lambda s: True, "/device/ping")),
    Row("direct_connection_infos", lambda d, s: d.direct_connection_infos(), check_direct_infos),
    Row("poll", poll_default, check_poll_default, "default"),
    Row("poll", poll_parts, check_poll_parts, "some parts"),
    Row("poll", poll_progress_attribute, check_poll_progress_all, "progress=None attr True"),
    Row("poll", poll_progress_true, check_poll_progress_all, "progress=True"),
    Row("poll", poll_progress_false, check_poll_progress_false, "progress=False"),
    Row("poll", poll_progress_ids, check_poll_progress_ids, "progress=ids"),
    Row("poll", poll_progress_links, check_poll_progress_links, "progress=links"),
    Row("toolbar_status", toolbar, check_toolbar),
    Row(
        "get_current_state",
        current_state,
        answers(lambda s: RUNNING, "/downloadcontroller/getCurrentState"),
    ),
    Row(
        "get_speed",
        speed,
        answers(lambda s: s.speed(), "/downloadcontroller/getSpeedInBps"),
    ),
    Row("start_downloads", started, state_is(RUNNING, "/downloadcontroller/start")),
    Row("stop_downloads", stopped, state_is(STOPPED, "/downloadcontroller/stop")),
    Row("pause_downloads", paused, state_is(PAUSE, "/downloadcontroller/pause", True), "true"),
    Row(
        "pause_downloads", unpaused, state_is(RUNNING, "/downloadcontroller/pause", False), "false"
    ),
]


# ------------------------------------------------------------------------------ download list

PACKAGE_QUERY = dict.fromkeys(
    (
        "bytesTotal",
        "bytesLoaded",
        "speed",
        "eta",
        "finished",
        "running",
        "enabled",
        "status",
        "childCount",
        "hosts",
        "saveTo",
    ),
    True,
) | {"startAt": 0, "maxResults": -1}


async def packages_all(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.query_packages()


def check_packages_all(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/downloadsV2/queryPackages"] == [(PACKAGE_QUERY,)]
    assert [p.uuid for p in out] == list(sim.packages)
    first = sim.packages[out[0].uuid]
    assert (out[0].name, out[0].save_to, out[0].child_count) == (
        first.name,
        first.save_to,
        len(first.links),
    )


async def packages_by_id(d: JDownloaderDevice, s: SimDevice) -> Any:
    wanted = package_ids(s)[4]
    return wanted, await d.query_packages(("child_count",), package_ids=[wanted])


def check_packages_by_id(out: Any, sim: SimDevice, sent: Sent) -> None:
    wanted, packages = out
    assert sent["/downloadsV2/queryPackages"] == [
        ({"childCount": True, "packageUUIDs": [wanted], "startAt": 0, "maxResults": -1},)
    ]
    assert [(p.uuid, p.name) for p in packages] == [(wanted, sim.packages[wanted].name)]


async def packages_paged(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.query_packages((), start_at=2, max_results=3)


def check_packages_paged(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/downloadsV2/queryPackages"] == [({"startAt": 2, "maxResults": 3},)]
    assert [p.uuid for p in out] == package_ids(sim)[2:5]


async def links_by_package(d: JDownloaderDevice, s: SimDevice) -> Any:
    wanted = package_ids(s)[3]
    return wanted, await d.query_links(("host",), package_ids=[wanted])


def check_links_by_package(out: Any, sim: SimDevice, sent: Sent) -> None:
    wanted, links = out
    assert sent["/downloadsV2/queryLinks"] == [
        ({"host": True, "packageUUIDs": [wanted], "startAt": 0, "maxResults": -1},)
    ]
    assert [link.uuid for link in links] == sim.packages[wanted].links
    assert all(link.host == sim.links[link.uuid].host for link in links)


async def links_by_id(d: JDownloaderDevice, s: SimDevice) -> Any:
    # link_ids wins over package_ids on the device: only the two links of another package.
    first, other = package_ids(s)[0], package_ids(s)[5]
    wanted = links_of(s, other)[1:3]
    return wanted, await d.query_links((), package_ids=[first], link_ids=wanted)


def check_links_by_id(out: Any, sim: SimDevice, sent: Sent) -> None:
    wanted, links = out
    (args,) = sent["/downloadsV2/queryLinks"]
    assert args[0]["linkUUIDs"] == wanted
    assert len(args[0]["packageUUIDs"]) == 1
    assert [link.uuid for link in links] == wanted


async def links_all(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.query_links(max_results=7)


def check_links_all(out: Any, sim: SimDevice, sent: Sent) -> None:
    (args,) = sent["/downloadsV2/queryLinks"]
    assert "packageUUIDs" not in args[0]
    assert "linkUUIDs" not in args[0]
    assert (args[0]["maxResults"], args[0]["bytesTotal"]) == (7, True)
    assert [link.uuid for link in out] == list(sim.links)[:7]
    assert [link.bytes_total for link in out] == [lk.bytes_total for lk in sim.links.values()][:7]


def uuids(rows: list[tuple[Any, ...]]) -> list[int]:
    return [row[0] for row in rows]


async def packages_as(d: JDownloaderDevice, s: SimDevice) -> Any:
    wanted = package_ids(s)[1:3]
    return wanted, await d.query_packages_as(uuids, ("uuid", "save_to"), package_ids=wanted)


def check_packages_as(out: Any, sim: SimDevice, sent: Sent) -> None:
    wanted, got = out
    assert got == wanted
    assert sent["/downloadsV2/queryPackages"] == [
        ({"saveTo": True, "packageUUIDs": wanted, "startAt": 0, "maxResults": -1},)
    ]


async def links_as(d: JDownloaderDevice, s: SimDevice) -> Any:
    wanted = list(s.links)[10:13]
    return wanted, await d.query_links_as(uuids, ("uuid", "bytes_loaded"), link_ids=wanted)


def check_links_as(out: Any, sim: SimDevice, sent: Sent) -> None:
    wanted, got = out
    assert got == wanted
    assert sent["/downloadsV2/queryLinks"] == [
        ({"bytesLoaded": True, "linkUUIDs": wanted, "startAt": 0, "maxResults": -1},)
    ]


async def structure_counter(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.add_package("One more")
    return await d.structure_change_counter()


async def structure_counter_old(d: JDownloaderDevice, s: SimDevice) -> Any:
    old = s.structure_counter
    s.add_package("One more")
    return old, await d.structure_change_counter(old)


def check_structure_counter_old(out: Any, sim: SimDevice, sent: Sent) -> None:
    old, counter = out
    assert sent["/downloadsV2/getStructureChangeCounter"] == [(old,)]
    assert counter == sim.structure_counter == old + 1


async def cleanup_downloads(d: JDownloaderDevice, s: SimDevice) -> Any:
    assert any(link.finished for link in s.links.values())
    unfinished = sum(1 for link in s.links.values() if not link.finished)
    return unfinished, await d.cleanup("downloads", "DELETE_FINISHED")


def check_cleanup_downloads(out: Any, sim: SimDevice, sent: Sent) -> None:
    unfinished, _ = out
    assert len(sim.links) == unfinished
    assert not any(link.finished for link in sim.links.values())
    assert sent["/downloadsV2/cleanup"] == [([], [], "DELETE_FINISHED", "REMOVE_LINKS_ONLY", "ALL")]


async def cleanup_selected(d: JDownloaderDevice, s: SimDevice) -> Any:
    alpha, beta = crawl_named(s)
    doomed = s.crawled_packages[alpha].links[0]
    await d.cleanup(
        "linkgrabber", "DELETE_ALL", "REMOVE_LINKS_AND_DELETE_FILES", "SELECTED", [doomed], [beta]
    )
    return doomed, alpha, beta


def check_cleanup_selected(out: Any, sim: SimDevice, sent: Sent) -> None:
    doomed, alpha, beta = out
    assert sent["/linkgrabberv2/cleanup"] == [
        ([doomed], [beta], "DELETE_ALL", "REMOVE_LINKS_AND_DELETE_FILES", "SELECTED")
    ]
    assert doomed not in sim.crawled_links
    assert list(sim.crawled_packages) == [alpha]  # Beta's only link went too
    assert len(sim.crawled_links) == 1


DOWNLOAD_ROWS = [
    Row("query_packages", packages_all, check_packages_all, "defaults"),
    Row("query_packages", packages_by_id, check_packages_by_id, "package_ids"),
    Row("query_packages", packages_paged, check_packages_paged, "paged"),
    Row("query_links", links_all, check_links_all, "defaults"),
    Row("query_links", links_by_package, check_links_by_package, "package_ids"),
    Row("query_links", links_by_id, check_links_by_id, "link_ids win"),
    Row("query_packages_as", packages_as, check_packages_as),
    Row("query_links_as", links_as, check_links_as),
    Row(
        "structure_change_counter",
        structure_counter,
        answers(lambda s: s.structure_counter, "/downloadsV2/getStructureChangeCounter", -1),
        "old=-1",
    ),
    Row(
        "structure_change_counter",
        structure_counter_old,
        check_structure_counter_old,
        "old=n",
    ),
    Row("cleanup", cleanup_downloads, check_cleanup_downloads, "downloads ALL"),
    Row("cleanup", cleanup_selected, check_cleanup_selected, "linkgrabber SELECTED"),
]


# ------------------------------------------------------------------------------ linkgrabber

PACKAGE_NAME = 'Mein "Paket" \u2013 ü/ß'  # quotes, a dash, umlauts, a slash: all arrive as they are


async def add_links(d: JDownloaderDevice, s: SimDevice) -> Any:
    request = AddLinksRequest(
        links=["https://example.com/file/a.bin", "https://example.com/file/b.bin"],
        package_name=PACKAGE_NAME,
        destination_folder="/data/new folder",
        download_password='pa"ss',
        autostart=False,
        priority="HIGH",
        overwrite_packagizer_rules=True,
        comment="null",  # the text "null", not null
    )
    return request, await d.add_links(request)


def check_add_links(out: Any, sim: SimDevice, sent: Sent) -> None:
    request, job_ids = out
    assert sent["/linkgrabberv2/addLinks"] == [(request.to_json(),)]
    (package,) = sim.crawled_packages.values()
    assert (package.name, package.save_to, package.priority) == (
        PACKAGE_NAME,
        "/data/new folder",
        "HIGH",
    )
    links = [sim.crawled_links[uuid] for uuid in package.links]
    assert [link.name for link in links] == ["a.bin", "b.bin"]
    assert {(link.password, link.comment, link.job_uuid) for link in links} == {
        ('pa"ss', "null", job_ids[0])
    }
    assert not sim.packages or all(p.name != PACKAGE_NAME for p in sim.packages.values())


CONTAINER = "data:application/dlc;base64,AAAA"


async def add_container(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.add_links(AddLinksRequest(links=[], data_urls=[CONTAINER], autostart=True))


def check_add_container(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/linkgrabberv2/addLinks"] == [
        ({"links": "", "priority": "DEFAULT", "autostart": True, "dataURLs": [CONTAINER]},)
    ]
    # autostart: moved to the download list at once, downloads started.
    (moved,) = [link for link in sim.links.values() if link.job_uuid == out[0]]
    assert moved.name == "container1.dlc"
    assert sim.state == RUNNING


async def lg_packages_by_id(d: JDownloaderDevice, s: SimDevice) -> Any:
    _, beta = crawl_named(s)
    return beta, await d.linkgrabber_query_packages(package_ids=[beta])


def check_lg_packages_by_id(out: Any, sim: SimDevice, sent: Sent) -> None:
    beta, packages = out
    (args,) = sent["/linkgrabberv2/queryPackages"]
    assert args[0]["packageUUIDs"] == [beta]
    assert args[0]["saveTo"] is True
    assert [(p.uuid, p.name, p.child_count) for p in packages] == [(beta, "Beta", 1)]


async def lg_packages_all(d: JDownloaderDevice, s: SimDevice) -> Any:
    crawl_named(s)
    return await d.linkgrabber_query_packages(("child_count",), max_results=5)


def check_lg_packages_all(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/linkgrabberv2/queryPackages"] == [
        ({"childCount": True, "startAt": 0, "maxResults": 5},)
    ]
    assert [(p.name, p.child_count) for p in out] == [("Alpha", 2), ("Beta", 1)]


async def lg_links_by_id(d: JDownloaderDevice, s: SimDevice) -> Any:
    alpha, _ = crawl_named(s)
    wanted = s.crawled_packages[alpha].links[1]
    return wanted, await d.linkgrabber_query_links(link_ids=[wanted])


def check_lg_links_by_id(out: Any, sim: SimDevice, sent: Sent) -> None:
    wanted, links = out
    (args,) = sent["/linkgrabberv2/queryLinks"]
    assert args[0]["linkUUIDs"] == [wanted]
    assert "packageUUIDs" not in args[0]
    assert [(link.uuid, link.name, link.url) for link in links] == [
        (wanted, "two.bin", "https://example.com/a/two.bin")
    ]


async def lg_links_by_package(d: JDownloaderDevice, s: SimDevice) -> Any:
    alpha, _ = crawl_named(s)
    return alpha, await d.linkgrabber_query_links(package_ids=[alpha])


def check_lg_links_by_package(out: Any, sim: SimDevice, sent: Sent) -> None:
    alpha, links = out
    (args,) = sent["/linkgrabberv2/queryLinks"]
    assert args[0]["packageUUIDs"] == [alpha]
    assert [link.name for link in links] == ["one.bin", "two.bin"]
    assert {link.availability for link in links} == {"ONLINE"}


async def lg_count(d: JDownloaderDevice, s: SimDevice) -> Any:
    crawl_named(s)
    return await d.linkgrabber_package_count()


async def move_package(d: JDownloaderDevice, s: SimDevice) -> Any:
    alpha, beta = crawl_named(s)
    await d.move_to_download_list([], [alpha])
    return alpha, beta


def check_move_package(out: Any, sim: SimDevice, sent: Sent) -> None:
    alpha, beta = out
    assert sent["/linkgrabberv2/moveToDownloadlist"] == [([], [alpha])]
    assert list(sim.crawled_packages) == [beta]
    moved = [p for p in sim.packages.values() if p.name == "Alpha"]
    assert [len(p.links) for p in moved] == [2]


async def move_link(d: JDownloaderDevice, s: SimDevice) -> Any:
    alpha, _ = crawl_named(s)
    link = s.crawled_packages[alpha].links[0]
    await d.move_to_download_list([link], [])
    return link


def check_move_link(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/linkgrabberv2/moveToDownloadlist"] == [([out], [])]
    assert out in sim.links
    assert out not in sim.crawled_links
    assert len(sim.crawled_links) == 2


LINKGRABBER_ROWS = [
    Row("add_links", add_links, check_add_links, "links"),
    Row("add_links", add_container, check_add_container, "container autostart"),
    Row("linkgrabber_query_packages", lg_packages_all, check_lg_packages_all, "all"),
    Row("linkgrabber_query_packages", lg_packages_by_id, check_lg_packages_by_id, "package_ids"),
    Row("linkgrabber_query_links", lg_links_by_id, check_lg_links_by_id, "link_ids"),
    Row("linkgrabber_query_links", lg_links_by_package, check_lg_links_by_package, "package_ids"),
    Row(
        "linkgrabber_package_count",
        lg_count,
        answers(lambda s: 2, "/linkgrabberv2/getPackageCount"),
    ),
    Row("move_to_download_list", move_package, check_move_package, "package"),
    Row("move_to_download_list", move_link, check_move_link, "link"),
]


# ------------------------------------------------------------------------------ toolbar toggles


def toggles(setting: str, endpoint: str) -> Row:
    """A toggle flips the setting and answers its new value."""
    method = {
        "toggleDownloadSpeedLimit": "toggle_speed_limit",
        "togglePremium": "toggle_premium",
        "toggleClipboardMonitoring": "toggle_clipboard_monitoring",
        "toggleAutomaticReconnect": "toggle_automatic_reconnect",
    }[endpoint]

    async def act(d: JDownloaderDevice, s: SimDevice) -> Any:
        before = s.settings[setting]
        return before, await getattr(d, method)()

    def check(out: Any, sim: SimDevice, sent: Sent) -> None:
        before, answer = out
        assert answer is (not before)
        assert sim.settings[setting] is answer
        assert sent[f"/toolbar/{endpoint}"] == [()]

    return Row(method, act, check)


async def toggle_pause(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    return await d.toggle_pause_downloads()


async def toggle_stop_mark(d: JDownloaderDevice, s: SimDevice) -> Any:
    running(s)
    return await d.toggle_stop_after_current_download()


def check_stop_mark(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert out is True
    assert sim.stop_after is True
    assert sent["/toolbar/toggleStopAfterCurrentDownload"] == [()]


TOGGLE_ROWS = [
    toggles("DownloadSpeedLimitEnabled", "toggleDownloadSpeedLimit"),
    toggles("UseAvailableAccounts", "togglePremium"),
    toggles("ClipboardMonitored", "toggleClipboardMonitoring"),
    toggles("AutoReconnectEnabled", "toggleAutomaticReconnect"),
    Row("toggle_pause_downloads", toggle_pause, state_is(PAUSE, "/toolbar/togglePauseDownloads")),
    Row("toggle_stop_after_current_download", toggle_stop_mark, check_stop_mark),
]


# ------------------------------------------------------------------------------ config

FOLDER = "/mnt/new folder"


def config_get(key: str, storage: str | None = None) -> Act:
    return lambda d, s: d.config_get(GENERAL, key, storage)


def config_set(key: str, value: object) -> Act:
    return lambda d, s: d.config_set(GENERAL, key, value)


def sets(key: str, value: object, answer: bool = True) -> Check:
    """config/set received the value as it was sent (a string without quotes) and stored it."""

    def check(out: Any, sim: SimDevice, sent: Sent) -> None:
        assert sent["/config/set"] == [(GENERAL, None, key, value)]
        assert out is answer
        if answer:
            assert sim.settings[key] == value
            assert type(sim.settings[key]) is type(value)
        else:
            assert sim.settings[key] != value

    return check


async def identity(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.device_identity()


def check_identity(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert (out.name, out.device_id) == (sim.name, sim.id)
    assert sent["/config/get"] == [
        (MYJD_SETTINGS, None, "DeviceName"),
        (MYJD_SETTINGS, None, "UniqueDeviceIDV2"),
    ]


async def speed_limit(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.settings |= {"DownloadSpeedLimitEnabled": True, "DownloadSpeedLimit": 4321}
    return await d.get_speed_limit()


def check_speed_limit(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert (out.enabled, out.bytes_per_second) == (True, 4321)
    assert sent["/config/get"] == [
        (GENERAL, None, "DownloadSpeedLimitEnabled"),
        (GENERAL, None, "DownloadSpeedLimit"),
    ]


async def speed_limit_off(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.settings["DownloadSpeedLimitEnabled"] = True
    return await d.set_speed_limit_enabled(False)


async def max_downloads(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.settings["MaxSimultaneDownloads"] = 7
    return await d.get_max_simultaneous_downloads()


async def max_downloads_rejected(d: JDownloaderDevice, s: SimDevice) -> Any:
    with pytest.raises(JDownloaderApiError) as info:
        await d.set_max_simultaneous_downloads(99)  # the device allows 1..20
    return info.value


def check_max_downloads_rejected(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert out.error_type == "INVALID_VALUE"
    assert sent["/config/set"] == [(GENERAL, None, "MaxSimultaneDownloads", 99)]
    assert sim.settings["MaxSimultaneDownloads"] == 3


def stored(key: str, value: object) -> Check:
    """A setter answering None that stored ``value`` under ``key`` (sent as it is)."""

    def check(out: Any, sim: SimDevice, sent: Sent) -> None:
        assert out is None
        assert sent["/config/set"] == [(GENERAL, None, key, value)]
        assert sim.settings[key] == value
        assert type(sim.settings[key]) is type(value)

    return check


CONFIG_ROWS = [
    Row(
        "config_get",
        config_get("PauseSpeed"),
        answers(lambda s: 10240, "/config/get", GENERAL, None, "PauseSpeed"),
        "int",
    ),
    Row(
        "config_get",
        config_get("DefaultDownloadFolder"),
        answers(lambda s: "/downloads", "/config/get", GENERAL, None, "DefaultDownloadFolder"),
        "string",
    ),
    Row(
        "config_get",
        config_get("PauseSpeed", "cfg/other"),
        answers(lambda s: None, "/config/get", GENERAL, "cfg/other", "PauseSpeed"),
        "storage",
    ),
    Row(
        "config_get",
        lambda d, s: d.config_get("org.example.Unknown", "Key"),
        answers(lambda s: None, "/config/get", "org.example.Unknown", None, "Key"),
        "unknown",
    ),
    Row("config_set", config_set("MaxChunksPerFile", 5), sets("MaxChunksPerFile", 5), "int"),
    Row(
        "config_set",
        config_set("MaxDownloadsPerHostEnabled", True),
        sets("MaxDownloadsPerHostEnabled", True),
        "bool",
    ),
    Row(
        "config_set",
        config_set("DefaultDownloadFolder", FOLDER),
        sets("DefaultDownloadFolder", FOLDER),
        "string",
    ),
    Row(
        "config_set",
        config_set("MaxChunksPerFile", 50),
        sets("MaxChunksPerFile", 50, answer=False),
        "rejected",
    ),
    Row("device_identity", identity, check_identity),
    Row("get_speed_limit", speed_limit, check_speed_limit),
    Row(
        "set_speed_limit",
        lambda d, s: d.set_speed_limit(123_456),
        stored("DownloadSpeedLimit", 123_456),
    ),
    Row(
        "set_speed_limit_enabled",
        lambda d, s: d.set_speed_limit_enabled(True),
        stored("DownloadSpeedLimitEnabled", True),
        "true",
    ),
    Row(
        "set_speed_limit_enabled",
        speed_limit_off,
        stored("DownloadSpeedLimitEnabled", False),
        "false",
    ),
    Row(
        "get_max_simultaneous_downloads",
        max_downloads,
        answers(lambda s: 7, "/config/get", GENERAL, None, "MaxSimultaneDownloads"),
    ),
    Row(
        "set_max_simultaneous_downloads",
        lambda d, s: d.set_max_simultaneous_downloads(5),
        stored("MaxSimultaneDownloads", 5),
        "5",
    ),
    Row(
        "set_max_simultaneous_downloads",
        max_downloads_rejected,
        check_max_downloads_rejected,
        "99 rejected",
    ),
]


# ------------------------------------------------------------------------------ update / system / jd


async def update_available(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.update_available = True
    return await d.is_update_available()


async def update_check(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.update_on_check = True
    return await d.run_update_check()


def check_update_check(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert out is None
    assert sim.update_available is True
    assert sent["/update/runUpdateCheck"] == [()]


async def restart_and_update(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.restart_delay = 0.0
    s.update_available = True
    before = s.jd_version
    await d.restart_and_update()
    await until(lambda: s.jd_version != before and s.online)
    return before


def check_restart_and_update(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sim.jd_version == out + 1
    assert sim.update_available is False
    assert sent["/update/restartAndUpdate"] == [()]


async def restart_jd(d: JDownloaderDevice, s: SimDevice) -> Any:
    s.restart_delay = 0.0
    running(s)
    started_at = s.started_at
    await d.restart_jd()
    await until(lambda: s.state == IDLE and s.online)
    return started_at


def check_restart_jd(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sim.started_at >= out
    assert not sim.running_links
    assert sent["/system/restartJD"] == [()]


async def reconnect_router(d: JDownloaderDevice, s: SimDevice) -> Any:
    return await d.reconnect_router()


def check_reconnect_router(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert out is None
    assert sim.reconnects == 1
    assert sent["/reconnect/doReconnect"] == [()]


def check_storage_all(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/system/getStorageInfos"] == [(None,)]  # null, not the text "null"
    assert [info.path for info in out] == ["/", "/downloads"]


STORAGE_PATH = '/media/usb "disk"'


def check_storage_path(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/system/getStorageInfos"] == [(STORAGE_PATH,)]
    assert out == [StorageInfo(STORAGE_PATH, sim.storage_total, sim.storage_free)]


def check_uptime(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert 0 <= out <= sim.uptime()
    assert sent["/jd/uptime"] == [()]


def check_system_infos(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert (out["osFamily"], out["startupTimeStamp"]) == ("LINUX", sim.started_at)
    assert sent["/system/getSystemInfos"] == [()]


SYSTEM_ROWS = [
    Row(
        "is_update_available",
        update_available,
        answers(lambda s: True, "/update/isUpdateAvailable"),
    ),
    Row("run_update_check", update_check, check_update_check),
    Row("restart_and_update", restart_and_update, check_restart_and_update),
    Row("restart_jd", restart_jd, check_restart_jd),
    Row("reconnect_router", reconnect_router, check_reconnect_router),
    Row("storage_infos", lambda d, s: d.storage_infos(), check_storage_all, "path=None"),
    Row("storage_infos", lambda d, s: d.storage_infos(STORAGE_PATH), check_storage_path, "path"),
    Row("system_infos", lambda d, s: d.system_infos(), check_system_infos),
    Row("version", lambda d, s: d.version(), answers(lambda s: s.jd_version, "/jd/version")),
    Row("uptime", lambda d, s: d.uptime(), check_uptime),
    Row(
        "core_revision",
        lambda d, s: d.core_revision(),
        answers(lambda s: s.core_revision, "/jd/getCoreRevision"),
    ),
]


# ------------------------------------------------------------------------------ captchas / accounts


async def captcha_list(d: JDownloaderDevice, s: SimDevice) -> Any:
    first = s.add_captcha(hoster="rapidgator.net")
    second = s.add_captcha(hoster="mega.nz", challenge="RecaptchaV2Challenge")
    return {first: "rapidgator.net", second: "mega.nz"}, await d.captcha_list()


def check_captcha_list(out: Any, sim: SimDevice, sent: Sent) -> None:
    expected, jobs = out
    assert {job.id: job.hoster for job in jobs} == expected
    assert {job.type for job in jobs} == {"ImageCaptchaChallenge", "RecaptchaV2Challenge"}
    assert sent["/captcha/list"] == [()]


async def captcha_get(d: JDownloaderDevice, s: SimDevice) -> Any:
    captcha = s.add_captcha()
    return captcha, await d.captcha_get(captcha)


def check_captcha_get(out: Any, sim: SimDevice, sent: Sent) -> None:
    captcha, challenge = out
    assert sent["/captcha/get"] == [(captcha,)]  # one parameter: captcha/get(id)
    assert challenge.content_type == "image/png"
    assert challenge.image is not None
    assert challenge.image.startswith(b"\x89PNG")


async def captcha_get_format(d: JDownloaderDevice, s: SimDevice) -> Any:
    captcha = s.add_captcha(hoster="uploaded.net", challenge="RecaptchaV2Challenge")
    return captcha, await d.captcha_get(captcha, "RAWTOKEN")


def check_captcha_get_format(out: Any, sim: SimDevice, sent: Sent) -> None:
    captcha, challenge = out
    assert sent["/captcha/get"] == [(captcha, "RAWTOKEN")]
    assert challenge.image is None
    assert challenge.raw["siteUrl"] == "https://uploaded.net/file"


ANSWER = 'a "b" null'


async def captcha_solve(d: JDownloaderDevice, s: SimDevice) -> Any:
    captcha = s.add_captcha()
    return captcha, await d.captcha_solve(captcha, ANSWER)


def check_captcha_solve(out: Any, sim: SimDevice, sent: Sent) -> None:
    captcha, ok = out
    assert ok is True
    assert sent["/captcha/solve"] == [(captcha, ANSWER)]
    assert captcha not in sim.captchas
    assert ("captchas", "DONE", captcha) in sim.events.published


def skip(*skip_type: str) -> Act:
    async def act(d: JDownloaderDevice, s: SimDevice) -> Any:
        captcha = s.add_captcha()
        return captcha, await d.captcha_skip(captcha, *skip_type)

    return act


def skipped(skip_type: str) -> Check:
    def check(out: Any, sim: SimDevice, sent: Sent) -> None:
        captcha, ok = out
        assert ok is True
        assert sent["/captcha/skip"] == [(captcha, skip_type)]
        assert captcha not in sim.captchas

    return check


ACCOUNT_QUERY = dict.fromkeys(
    ("userName", "validUntil", "trafficLeft", "trafficMax", "enabled", "valid", "error"), True
)


def check_accounts(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/accountsV2/listAccounts"] == [(ACCOUNT_QUERY,)]
    assert [(a.uuid, a.hostname, a.username) for a in out] == [
        (a.uuid, a.hostname, a.username) for a in sim.accounts
    ]
    assert [(a.enabled, a.valid, a.traffic_left) for a in out] == [
        (a.enabled, a.valid, a.traffic_left) for a in sim.accounts
    ]
    assert out[2].error_string == "Invalid login"


CAPTCHA_ROWS = [
    Row("captcha_list", captcha_list, check_captcha_list),
    Row("captcha_get", captcha_get, check_captcha_get, "no format"),
    Row("captcha_get", captcha_get_format, check_captcha_get_format, "RAWTOKEN"),
    Row("captcha_solve", captcha_solve, check_captcha_solve),
    Row("captcha_skip", skip(), skipped("SINGLE"), "default type"),
    Row("captcha_skip", skip("BLOCK_HOSTER"), skipped("BLOCK_HOSTER"), "BLOCK_HOSTER"),
    Row("list_accounts", lambda d, s: d.list_accounts(), check_accounts),
]


# ------------------------------------------------------------------------------ events

PATTERNS = ([r"^captchas\.", r"downloads\.LINK_UPDATE\.(running|finished)"], ["DONE$"])


def check_subscribe(out: Any, sim: SimDevice, sent: Sent) -> None:
    assert sent["/events/subscribe"] == [PATTERNS]
    subscriber = sim.events.subscribers[out.subscription_id]
    assert (subscriber.subscriptions, subscriber.exclusions) == PATTERNS
    assert (out.subscribed, out.subscriptions, out.exclusions) == (
        True,
        tuple(PATTERNS[0]),
        tuple(PATTERNS[1]),
    )


async def change_timeouts(d: JDownloaderDevice, s: SimDevice) -> Any:
    subscription = s.events.subscribe(["^captchas"], [])["subscriptionid"]
    return subscription, await d.events_change_timeouts(subscription, 2_000, 60_000)


def check_change_timeouts(out: Any, sim: SimDevice, sent: Sent) -> None:
    subscription, answer = out
    assert sent["/events/changesubscriptiontimeouts"] == [(subscription, 2_000, 60_000)]
    subscriber = sim.events.subscribers[subscription]
    assert (subscriber.poll_timeout_ms, subscriber.keepalive_ms) == (2_000, 60_000)
    assert (answer.subscription_id, answer.max_poll_timeout) == (subscription, 2_000)


async def listen(d: JDownloaderDevice, s: SimDevice) -> Any:
    subscription = s.events.subscribe(["^captchas\\."], [])["subscriptionid"]
    captcha = s.add_captcha()  # queued before the long poll: it answers at once
    return subscription, captcha, await d.events_listen(subscription)


def check_listen(out: Any, sim: SimDevice, sent: Sent) -> None:
    subscription, captcha, events = out
    assert sent["/events/listen"] == [(subscription,)]
    assert events == [Event("captchas", "NEW", captcha)]


async def unsubscribe(d: JDownloaderDevice, s: SimDevice) -> Any:
    subscription = s.events.subscribe(["^captchas"], [])["subscriptionid"]
    return subscription, await d.events_unsubscribe(subscription)


def check_unsubscribe(out: Any, sim: SimDevice, sent: Sent) -> None:
    subscription, answer = out
    assert answer is None
    assert sent["/events/unsubscribe"] == [(subscription,)]
    assert subscription not in sim.events.subscribers


EVENT_ROWS = [
    Row("events_subscribe", lambda d, s: d.events_subscribe(*PATTERNS), check_subscribe),
    Row("events_change_timeouts", change_timeouts, check_change_timeouts),
    Row("events_listen", listen, check_listen),
    Row("events_unsubscribe", unsubscribe, check_unsubscribe),
]


# ------------------------------------------------------------------------------ raw call


async def raw_call_object(d: JDownloaderDevice, s: SimDevice) -> Any:
    wanted = package_ids(s)[-1]
    query = {"packageUUIDs": [wanted], "saveTo": True}
    return query, wanted, await d.call("/downloadsV2/queryPackages", query)


def check_raw_call_object(out: Any, sim: SimDevice, sent: Sent) -> None:
    query, wanted, answer = out
    assert sent["/downloadsV2/queryPackages"] == [(query,)]
    assert answer == [
        {"name": sim.packages[wanted].name, "uuid": wanted, "saveTo": sim.packages[wanted].save_to}
    ]


CALL_ROWS = [
    Row(
        "call",
        lambda d, s: d.call("/config/get", GENERAL, None, "DefaultDownloadFolder"),
        answers(lambda s: "/downloads", "/config/get", GENERAL, None, "DefaultDownloadFolder"),
        "strings and null",
    ),
    Row("call", raw_call_object, check_raw_call_object, "object"),
    Row(
        "call",
        lambda d, s: d.call("/downloadsV2/getStructureChangeCounter", -1, parse=lambda n: n + 1),
        answers(lambda s: s.structure_counter + 1, "/downloadsV2/getStructureChangeCounter", -1),
        "parse",
    ),
]


ROWS = [
    *DEVICE_ROWS,
    *DOWNLOAD_ROWS,
    *LINKGRABBER_ROWS,
    *TOGGLE_ROWS,
    *CONFIG_ROWS,
    *SYSTEM_ROWS,
    *CAPTCHA_ROWS,
    *EVENT_ROWS,
    *CALL_ROWS,
]


def matrix() -> Iterator[Any]:
    for row in ROWS:
        for transport in TRANSPORTS:
            marks = []
            if transport in row.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=row.xfail[transport]))
            yield pytest.param(row, transport, id=f"{row.id}-{transport}", marks=marks)


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[tuple[Any, ...]]]:
    """What the emulated JD's methods receive, per endpoint: their converted Python arguments."""
    received: dict[str, list[tuple[Any, ...]]] = defaultdict(list)

    def spy(path: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def recording(dev: SimDevice, *args: Any) -> Any:
            received[path].append(args)
            return fn(dev, *args)

        return recording

    table = {
        namespace: {
            key: Method(spy(f"/{namespace}/{key[0]}", found.fn), found.params)
            for key, found in methods.items()
        }
        for namespace, methods in emulator_api.API.items()
    }
    monkeypatch.setattr(emulator_api, "API", table)
    return received


async def connect(
    transport: str, emulator: Emulator, http: aiohttp.ClientSession, secrets: Secrets
) -> JDownloaderDevice:
    """The emulator's device over ``transport``, logged in and (direct) discovered."""
    sim = emulator.devices[0]
    if transport == "local":
        device = LocalJDownloader(http, "127.0.0.1", sim.local_port, timeout=10.0)
    else:
        client = MyJDownloaderClient(
            http,
            EMAIL,
            secrets,
            api_url=emulator.api_url,
            timeout=10.0,
            direct_connection=transport == "direct",
        )
        device = client.device(sim.id)
    assert await device.ping() is True
    assert device.connection_type == transport
    return device


# ------------------------------------------------------------------------------ tests


@pytest.mark.parametrize(("row", "transport"), matrix())
async def test_method_over_transport(
    row: Row,
    transport: str,
    emulator: Emulator,
    http: aiohttp.ClientSession,
    secrets: Secrets,
    sent: dict[str, list[tuple[Any, ...]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = emulator.devices[0]
    device = await connect(transport, emulator, http, secrets)
    emulator.reset_counters()
    sent.clear()
    # The row must really exercise the method it names.
    calls = 0
    method = getattr(device, row.method)

    @functools.wraps(method)
    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return await method(*args, **kwargs)

    monkeypatch.setattr(device, row.method, counted)

    out = await row.act(device, sim)

    assert calls >= 1, f"the act of {row.id} never called {row.method}"
    # (a) Served by that transport, and only by it (for direct: no relay request either).
    device_requests = [r for r in emulator.requests if r.transport != "server"]
    assert device_requests, "no device request was made"
    assert {r.transport for r in device_requests} == {transport}
    assert [r for r in device_requests if r.status != 200] == []
    assert sent, "the emulated JDownloader ran no method"
    for endpoint in sent:
        assert emulator.counters[(transport, endpoint)] >= 1
        for other in TRANSPORTS:
            if other != transport:
                assert emulator.counters[(other, endpoint)] == 0
    assert device.connection_type == transport
    # (b) The answer or effect matches the emulated JDownloader's state.
    row.check(out, sim, sent)


def public_methods() -> set[str]:
    return {
        name
        for name, member in inspect.getmembers(JDownloaderDevice, inspect.isfunction)
        if not name.startswith("_")
    }


def test_matrix_covers_every_public_method() -> None:
    """A new public method of JDownloaderDevice needs a row (and a row needs a real method)."""
    covered = {row.method for row in ROWS}
    assert public_methods() - covered == set(), "methods without a row"
    assert covered - public_methods() == set(), "rows for methods that do not exist"
    assert len({row.id for row in ROWS}) == len(ROWS), "duplicate row ids"
