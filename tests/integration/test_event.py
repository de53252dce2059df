"""Events: package finished, download failed, queue finished, captcha waiting.

The emulator drives downloads; every expected event must arrive exactly once, on the event entity
and on the bus, whatever happens in between (restarts, reloads, expired sessions).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.jdownloader.api import RunningPackage
from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import DOMAIN
from custom_components.jdownloader.detector import BUS_EVENT
from homeassistant.components.event import ATTR_EVENT_TYPE
from homeassistant.const import Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from tests.emulator import Emulator
from tests.emulator.device import SimDevice
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry

MB = 1_000_000


@pytest.fixture
def platforms() -> list[str]:
    """Only the event platform."""
    return [Platform.EVENT]


@pytest.fixture
def emulator_options() -> dict[str, object]:
    """One JDownloader with an empty download list (each test adds what it needs)."""
    return {"devices": 1, "links": 0}


@pytest.fixture
def bus_events(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every ``jdownloader_event`` fired on the bus, with its arrival time."""
    received: list[dict[str, Any]] = []

    @callback
    def _record(event: Event) -> None:
        received.append({**event.data, "_at": time.monotonic(), "_now": dt_util.utcnow()})

    hass.bus.async_listen(BUS_EVENT, _record)
    return received


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] == event_type]


async def wait_for(
    hass: HomeAssistant, condition: Callable[[], bool], timeout: float = 10.0
) -> None:
    """Wait (real time) until the event long-poll has delivered what the test expects."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for an event"
        await asyncio.sleep(0.02)
        await hass.async_block_till_done()


async def settle(hass: HomeAssistant, seconds: float = 1.5) -> None:
    """Give a long-poll time to deliver anything extra (duplicates would show up here)."""
    await asyncio.sleep(seconds)
    await hass.async_block_till_done()


def event_entity_state(hass: HomeAssistant, device_id: str) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id("event", DOMAIN, f"{device_id}_events")
    assert entity_id is not None
    return hass.states.get(entity_id)


def finish_all(sim: SimDevice) -> None:
    """Start downloads and let the emulator run them to the end."""
    sim.start_downloads()
    sim.advance(3600)


async def listening(hass: HomeAssistant, entry: MockConfigEntry, sim: SimDevice) -> None:
    """Wait until the integration's long-poll subscription exists on the device."""
    await wait_for(hass, lambda: bool(sim.events.subscribers))
    # ...and its catch-up refresh after subscribing is done.
    await settle(hass, 0.3)


@pytest.mark.freeze_time("2026-05-01 12:00:00+00:00")
async def test_snapshot(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """One translated event entity per JDownloader with the four event types."""
    await init_integration(relay_entry)
    await snapshot_platform(hass, entity_registry, snapshot, relay_entry.entry_id)


async def test_relay_diffing(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """Over the relay: idle polls stay at one request each, transitions are found by diffing."""
    sim = emulator.devices[0]
    sim.add_package("Old", links=2, finished=True)
    movie = sim.add_package("Movie", links=2, bytes_per_link=10 * MB)
    sim.add_package("Song", links=1, bytes_per_link=5 * MB)
    await init_integration(relay_entry)
    assert bus_events == []

    emulator.reset_counters()
    for _ in range(4):
        await advance(IDLE_POLL)
    relay = {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}
    assert relay == {"/polling/poll": 4}

    finish_all(sim)
    await advance(IDLE_POLL)
    finished = of_type(bus_events, "package_finished")
    assert sorted(e["package_name"] for e in finished) == ["Movie", "Song"]
    movie_event = next(e for e in finished if e["package_id"] == movie)
    assert movie_event["size"] == 20 * MB
    assert movie_event["link_count"] == 2
    assert movie_event["download_folder"].endswith("/Movie")
    device = async_get_device(dr.async_get(hass), (DOMAIN, sim.id))
    assert device is not None
    assert movie_event["device_id"] == device.id
    queue = of_type(bus_events, "queue_finished")
    assert len(queue) == 1
    assert queue[0]["package_count"] == 2
    assert queue[0]["link_count"] == 3
    assert queue[0]["failed_count"] == 0
    state = event_entity_state(hass, sim.id)
    assert state.attributes[ATTR_EVENT_TYPE] == "queue_finished"

    count = len(bus_events)
    for _ in range(3):
        await advance(IDLE_POLL)
    assert len(bus_events) == count


async def test_relay_failure_and_removal(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """A failed link is reported once; removed links are never reported."""
    sim = emulator.devices[0]
    sim.settings["MaxSimultaneDownloads"] = 1
    broken = sim.add_package("Broken", links=2, bytes_per_link=50 * MB)
    gone = sim.add_package("Gone", links=1, bytes_per_link=50 * MB)
    await init_integration(relay_entry)
    sim.start_downloads()
    sim.advance(1)
    await advance(IDLE_POLL)  # the idle interval; 30 s from now on
    first = sim.packages[broken].links[0]
    sim.fail_link(first)
    # The poll lists the running links: one that stopped without finishing is checked at the
    # next poll, although its package keeps running (the second link took over).
    await advance(30)
    assert sim.packages[broken].links[1] in {link.uuid for link in sim.running_links}
    failed = of_type(bus_events, "download_failed")
    assert len(failed) == 1
    assert failed[0]["link_id"] == first
    assert failed[0]["package_name"] == "Broken"
    assert failed[0]["host"]

    # The rest of "Broken" finishes, but the package never does: one of its links failed.
    sim.remove_links([sim.links[u] for u in sim.packages[gone].links])
    sim.advance(3600)
    for _ in range(3):
        await advance(IDLE_POLL)
    assert of_type(bus_events, "package_finished") == []
    queue = of_type(bus_events, "queue_finished")
    assert len(queue) == 1
    assert queue[0]["failed_count"] == 1
    assert len(of_type(bus_events, "download_failed")) == 1


async def test_relay_captcha(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """Captchas come with every poll: one event per new captcha, none when solved."""
    sim = emulator.devices[0]
    sim.add_package("Needs captcha", links=1)
    waiting_at_start = sim.add_captcha(hoster="mega.nz")
    await init_integration(relay_entry)
    emulator.reset_counters()
    captcha = sim.add_captcha(hoster="rapidgator.net")
    await advance(IDLE_POLL)
    events = of_type(bus_events, "captcha_required")
    assert [e["captcha_id"] for e in events] == [captcha]
    assert events[0]["hoster"] == "rapidgator.net"
    assert events[0]["link_name"] == "Needs captcha.part01.rar"
    assert events[0]["solve_url"] == (
        f"https://my.jdownloader.org/?deviceId={sim.id}#webinterface:captcha"
    )
    # The captcha cost nothing extra: it came with the poll.
    assert emulator.counters[("relay", "/polling/poll")] == 1
    assert sum(n for (t, _), n in emulator.counters.items() if t == "relay") == 1

    sim.remove_captcha(captcha)
    sim.remove_captcha(waiting_at_start)
    await advance(IDLE_POLL)
    again = sim.add_captcha(hoster="rapidgator.net")
    await advance(IDLE_POLL)
    await advance(IDLE_POLL)
    assert [e["captcha_id"] for e in of_type(bus_events, "captcha_required")] == [captcha, again]


async def test_direct_long_poll(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    bus_events: list[dict[str, Any]],
) -> None:
    """Direct connection: events arrive without waiting for a poll, exactly once."""
    sim = emulator.devices[0]
    sim.add_package("Old", links=1, finished=True)
    sim.add_package("Movie", links=2, bytes_per_link=10 * MB)
    await init_integration(cloud_entry)
    coordinator = cloud_entry.runtime_data.devices[sim.id]
    assert coordinator.data.connection_type == "direct"
    await listening(hass, cloud_entry, sim)
    assert bus_events == []

    started = time.monotonic()
    finish_all(sim)
    await wait_for(hass, lambda: bool(of_type(bus_events, "queue_finished")))
    latency = of_type(bus_events, "package_finished")[0]["_at"] - started
    print(f"\ndirect: package finished -> event {latency * 1000:.0f} ms")
    # Sensors follow too: the event triggered a refresh.
    assert coordinator.data.poll.jd_state == "STOPPED_STATE" or not coordinator.data.toolbar.running

    captcha = sim.add_captcha()
    await wait_for(hass, lambda: bool(of_type(bus_events, "captcha_required")))
    sim.remove_captcha(captcha)  # solved
    await settle(hass)
    assert [e["type"] for e in bus_events] == [
        "package_finished",
        "queue_finished",
        "captcha_required",
    ]
    assert emulator.counters[("relay", "/events/listen")] == 0


async def test_direct_jd_restart_and_session_expiry(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    bus_events: list[dict[str, Any]],
) -> None:
    """JDownloader restarts and the session expires mid long-poll: nothing lost or doubled."""
    sim = emulator.devices[0]
    sim.add_package("One", links=1, bytes_per_link=10 * MB)
    await init_integration(cloud_entry)
    await listening(hass, cloud_entry, sim)
    finish_all(sim)
    await wait_for(hass, lambda: len(of_type(bus_events, "package_finished")) == 1)

    first_subscription = set(sim.events.subscribers)
    sim.restart()  # drops the subscription; the download list stays
    await wait_for(hass, lambda: bool(sim.events.subscribers), timeout=15)
    assert set(sim.events.subscribers) != first_subscription
    await settle(hass, 0.3)
    sim.add_package("Two", links=1, bytes_per_link=10 * MB)
    finish_all(sim)
    await wait_for(hass, lambda: len(of_type(bus_events, "package_finished")) == 2)

    await settle(hass, 0.3)  # a listen is pending now
    logins = (
        emulator.counters[("server", "/my/reconnect")]
        + emulator.counters[("server", "/my/connect")]
    )
    emulator.expire_sessions()
    sim.add_package("Three", links=1, bytes_per_link=10 * MB)
    finish_all(sim)
    await wait_for(hass, lambda: len(of_type(bus_events, "package_finished")) == 3)
    await settle(hass)
    names = [e["package_name"] for e in of_type(bus_events, "package_finished")]
    assert names == ["One", "Two", "Three"]
    assert len(of_type(bus_events, "queue_finished")) == 3
    assert (
        emulator.counters[("server", "/my/reconnect")]
        + emulator.counters[("server", "/my/connect")]
        > logins
    )


async def test_doorbell_waits_for_the_cloud_back_off(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """While the entry backs off after a 429/503, the long-poll does not resubscribe."""
    sim = emulator.devices[0]
    await init_integration(cloud_entry)
    await listening(hass, cloud_entry, sim)
    cloud_entry.runtime_data.backoff.refused()  # what a 429 from any call records
    emulator.reset_counters()
    sim.restart()  # the pending listen ends with FILE_NOT_FOUND
    # Without the back-off the doorbell resubscribes after 2 s.
    await settle(hass, 3.5)
    assert not sim.events.subscribers
    assert [ep for (_, ep) in emulator.counters if ep == "/events/subscribe"] == []


async def test_local_long_poll(
    hass: HomeAssistant,
    emulator: Emulator,
    local_entry: MockConfigEntry,
    init_integration: SetupEntry,
    bus_events: list[dict[str, Any]],
) -> None:
    """Local API: long-poll events; the captcha link opens the MyJDownloader web interface."""
    sim = emulator.devices[0]
    sim.add_package("Local", links=1, bytes_per_link=10 * MB)
    await init_integration(local_entry)
    await listening(hass, local_entry, sim)
    started = time.monotonic()
    finish_all(sim)
    await wait_for(hass, lambda: bool(of_type(bus_events, "package_finished")))
    latency = of_type(bus_events, "package_finished")[0]["_at"] - started
    print(f"\nlocal: package finished -> event {latency * 1000:.0f} ms")
    sim.add_captcha()
    await wait_for(hass, lambda: bool(of_type(bus_events, "captcha_required")))
    assert of_type(bus_events, "captcha_required")[0]["solve_url"] == "https://my.jdownloader.org/"
    await settle(hass)
    assert [e["type"] for e in bus_events] == [
        "package_finished",
        "queue_finished",
        "captcha_required",
    ]
    assert bus_events[0]["jdownloader_id"] == local_entry.data["device_id"]


async def test_reload_does_not_repeat(
    hass: HomeAssistant,
    emulator: Emulator,
    cloud_entry: MockConfigEntry,
    init_integration: SetupEntry,
    bus_events: list[dict[str, Any]],
) -> None:
    """Reloading (or restarting) Home Assistant never reports what was already finished."""
    sim = emulator.devices[0]
    sim.add_package("Before", links=1, bytes_per_link=10 * MB)
    await init_integration(cloud_entry)
    await listening(hass, cloud_entry, sim)
    finish_all(sim)
    await wait_for(hass, lambda: bool(of_type(bus_events, "queue_finished")))
    sim.add_captcha()
    await wait_for(hass, lambda: bool(of_type(bus_events, "captcha_required")))
    state_before = event_entity_state(hass, sim.id).state

    assert await hass.config_entries.async_reload(cloud_entry.entry_id)
    await hass.async_block_till_done()
    await listening(hass, cloud_entry, sim)
    await settle(hass)
    assert len(bus_events) == 3
    # The entity keeps its last event across the reload instead of firing a new one.
    assert event_entity_state(hass, sim.id).state == state_before

    sim.add_package("After", links=1, bytes_per_link=10 * MB)
    finish_all(sim)
    await wait_for(hass, lambda: len(of_type(bus_events, "package_finished")) == 2)
    await settle(hass)
    assert [e["package_name"] for e in of_type(bus_events, "package_finished")] == [
        "Before",
        "After",
    ]


async def test_relay_long_poll_optional(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    bus_events: list[dict[str, Any]],
) -> None:
    """Over the relay the long-poll is off; switched on, it keeps its timeout below 20 s."""
    sim = emulator.devices[0]
    sim.add_package("Relay", links=1, bytes_per_link=10 * MB)
    await init_integration(relay_entry)
    assert sim.events.subscribers == {}
    coordinator = relay_entry.runtime_data.devices[sim.id]
    detector = relay_entry.runtime_data.detectors.get(sim.id)
    assert detector is not None
    detector.doorbell.relay_long_poll = True
    await coordinator.async_refresh()
    await listening(hass, relay_entry, sim)
    (subscriber,) = sim.events.subscribers.values()
    assert subscriber.poll_timeout_ms < 20_000
    finish_all(sim)
    await wait_for(hass, lambda: bool(of_type(bus_events, "package_finished")))
    assert emulator.counters[("relay", "/events/listen")] >= 1
    await settle(hass)
    assert [e["type"] for e in bus_events] == ["package_finished", "queue_finished"]


BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / "jdownloader"


@pytest.mark.parametrize(
    ("blueprint", "event_type", "expected"),
    [
        ("notify_package_finished.yaml", "package_finished", "Finished: Movie"),
        ("alert_captcha_waiting.yaml", "captcha_required", "rapidgator.net wants a captcha"),
    ],
)
async def test_blueprints(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    tmp_path: Path,
    blueprint: str,
    event_type: str,
    expected: str,
) -> None:
    """The shipped blueprints notify on the integration's events, for the chosen JDownloader."""
    sim = emulator.devices[0]
    sim.add_package("Movie", links=1, bytes_per_link=10 * MB)
    await init_integration(relay_entry)
    target = tmp_path / "blueprints" / "automation" / "jdownloader"
    target.mkdir(parents=True)
    (target / blueprint).write_text((BLUEPRINTS / blueprint).read_text())
    hass.config.config_dir = str(tmp_path)
    calls = async_mock_service(hass, "notify", "phone")
    device = async_get_device(dr.async_get(hass), (DOMAIN, sim.id))
    assert device is not None
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {
                    "path": f"jdownloader/{blueprint}",
                    "input": {"jdownloaders": [device.id], "notify_action": "notify.phone"},
                }
            }
        },
    )
    await hass.async_block_till_done()
    if event_type == "captcha_required":
        sim.add_captcha(hoster="rapidgator.net")
    else:
        finish_all(sim)
    await advance(IDLE_POLL)
    await hass.async_block_till_done()
    assert len(calls) == 1
    message = " ".join(calls[0].data["message"].split())
    assert expected in message
    if event_type == "captcha_required":
        assert sim.id in calls[0].data["data"]["url"]


async def test_relay_event_cost(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """An hour over the relay: snapshots only when something may have changed, every package once.

    Ten packages of five 200 MB links, three at a time at 2 MB/s each: about 28 minutes of
    downloading, then idle.
    """
    sim = emulator.devices[0]
    sim.settings["MaxSimultaneDownloads"] = 3
    for index in range(10):
        sim.add_package(f"P{index}", links=5, bytes_per_link=200 * MB)
    await init_integration(relay_entry)
    emulator.reset_counters()
    sim.start_downloads()
    for _ in range(240):
        sim.advance(15)
        await advance(14)  # the fixture adds a second
    relay = {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}
    delays = [
        e["_now"].timestamp()
        - max(sim.links[u].finished_date for u in sim.packages[e["package_id"]].links) / 1000
        for e in of_type(bus_events, "package_finished")
    ]
    print(
        f"\nrelay, one simulated hour: {relay}; package finished -> event: "
        f"{min(delays):.0f}-{max(delays):.0f} s (mean {sum(delays) / len(delays):.0f} s)"
    )
    assert sorted(e["package_name"] for e in of_type(bus_events, "package_finished")) == [
        f"P{i}" for i in range(10)
    ]
    assert len(of_type(bus_events, "queue_finished")) == 1
    # Queries only on transitions: at most 3 per finished package (its row, its links with their
    # extraction status: "finished" means usable, details of new failures), 2 each for start
    # and end. The toolbar only when the controller state changed (start, end), and the hourly
    # slow data (free space, accounts) once.
    queries = ("/downloadsV2/queryPackages", "/downloadsV2/queryLinks")
    hourly = ("/system/getStorageInfos", "/accountsV2/listAccounts")
    assert set(relay) <= {"/polling/poll", "/toolbar/getStatus", *queries, *hourly}
    assert relay["/toolbar/getStatus"] <= 2
    assert sum(relay.get(ep, 0) for ep in hourly) <= 2
    assert sum(relay.get(ep, 0) for ep in queries) <= 3 * 10 + 2 * 2


async def test_relay_steady_download_budget(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """Downloading costs one request per poll; a package finishing at most 2 more."""
    sim = emulator.devices[0]
    short = sim.add_package("Short", links=1, bytes_per_link=200 * MB)
    sim.add_package("Long", links=2, bytes_per_link=2_000 * MB)
    await init_integration(relay_entry)
    sim.start_downloads()
    sim.advance(1)
    await advance(IDLE_POLL)  # the start is a transition; 30 s polls from now on

    def relay() -> dict[str, int]:
        return {ep: n for (t, ep), n in emulator.counters.items() if t == "relay"}

    emulator.reset_counters()
    for _ in range(3):  # 3 x 30 s at 2 MB/s: "Short" (200 MB) is not done yet
        sim.advance(30)
        await advance(29)  # the fixture adds a second
    assert relay() == {"/polling/poll": 3}
    assert bus_events == []

    emulator.reset_counters()
    sim.advance(30)  # "Short" finishes, "Long" keeps downloading
    await advance(29)
    assert all(sim.links[u].finished for u in sim.packages[short].links)
    counts = relay()
    assert counts["/polling/poll"] == 1
    assert "/toolbar/getStatus" not in counts
    assert 1 <= sum(counts.values()) - 1 <= 2
    assert [e["package_name"] for e in of_type(bus_events, "package_finished")] == ["Short"]

    emulator.reset_counters()
    for _ in range(4):
        sim.advance(30)
        await advance(29)
    assert relay() == {"/polling/poll": 4}
    assert len(bus_events) == 1


async def test_poll_brings_running_packages(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
) -> None:
    """The running packages ride along with every poll; odd shapes are read leniently."""
    sim = emulator.devices[0]
    movie = sim.add_package("Movie", links=2, bytes_per_link=10 * MB)
    sim.add_package("Later", links=1, bytes_per_link=10 * MB)
    sim.settings["MaxSimultaneDownloads"] = 1
    await init_integration(relay_entry)
    coordinator = relay_entry.runtime_data.devices[sim.id]
    assert coordinator.data.poll.running_packages is None or not any(
        p.uuid == movie for p in coordinator.data.poll.running_packages
    )
    sim.start_downloads()
    sim.advance(1)
    emulator.reset_counters()
    await coordinator.async_refresh()
    running = coordinator.data.poll.running_packages
    assert running is not None
    assert [(p.uuid, p.done, p.size) for p in running] == [(movie, 0, 20 * MB)]
    assert emulator.counters[("relay", "/polling/poll")] == 1

    odd = [7, {"packageUUID": 8, "done": "x"}, {"name": "no uuid"}, "junk", True]
    assert RunningPackage.parse_all(odd) == [RunningPackage(7), RunningPackage(8)]
    assert RunningPackage.parse_all({"packages": [9]}) == [RunningPackage(9)]
    assert RunningPackage.parse_all(None) == []


async def test_relay_package_added_and_finished_between_polls(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    advance: Advance,
    bus_events: list[dict[str, Any]],
) -> None:
    """A package that was never seen running is still reported once, and only that one."""
    sim = emulator.devices[0]
    sim.add_package("Long", links=2, bytes_per_link=2_000 * MB)
    await init_integration(relay_entry)
    sim.start_downloads()
    sim.advance(1)
    await advance(IDLE_POLL)
    sim.add_package("Quick", links=1, bytes_per_link=10 * MB)
    sim.advance(15)  # "Quick" downloads and finishes before the next poll
    await advance(14)
    await advance(15)
    assert [e["package_name"] for e in of_type(bus_events, "package_finished")] == ["Quick"]
    assert of_type(bus_events, "queue_finished") == []
