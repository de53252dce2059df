"""A simulated day of faults against five JDownloaders with 20,000 links.

What is simulated (time is Home Assistant's frozen clock plus ``SimDevice.advance``; nothing waits
on the wall clock except the emulator's own tiny delays):

* 24 simulated hours. Every hour starts with all session tokens expiring (hour 6 also expires the
  regain tokens, so the client has to log in again) and then one fault episode from ``EPISODES``:
  bursts of TOO_MANY_REQUESTS / OVERLOAD / MAINTENANCE on the cloud (server + relay), a
  JDownloader restarting (offline for 10 min), a JDownloader updating through the update entity,
  a direct connection disappearing, garbled and wrong-rid answers, lost answers to
  ``add_links``, a failed download and a captcha, and a slow relay: answers 5 s late for
  10 minutes, then 45 s late (past the client's 30 s timeout) for 3 minutes. A late answer moves
  the simulated clock (``Soak.simulated_sleep``), so it is late in the client's time too.
  Hours 0-9 have one episode each; hours 10-23 only the session expiry (hours 12-23 are traced
  for memory growth, after every kind of fault and cache has been exercised).
* During an episode and until the entities recovered, time moves in 15 s steps (half the
  relay's active poll interval; direct polls due in between run at the next step); the rest of
  the hour is skipped in one tick (one poll per coordinator, downloads progress by the skipped
  time).
* Devices 1-3 are reachable directly (LAN), devices 4-5 only through the relay.
* JDownloader's event long-poll (the events engine's "doorbell") runs for the LAN devices. The
  simulated clock's jumps (the skipped rest of each hour) time its pending request out now and
  then, which it survives like any network hiccup; events still come exactly once.

The per-fault figures (requests during each burst, recovery time) and the memory at start and end
are printed; run with ``pytest -s`` to see them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
import gc
import logging
import os
from pathlib import Path
import time
import tracemalloc
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.jdownloader.api import Connection
from custom_components.jdownloader.compat import async_get_device
from custom_components.jdownloader.const import DOMAIN, INTERVAL_ACCOUNT, SETTINGS_INTERVAL
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.util import dt as dt_util
from tests.emulator import Emulator
from tests.emulator.device import SimDevice
from tests.ha_fixtures import make_cloud_entry

DEVICES = 5
RELAY_ONLY = (3, 4)  # no direct connection to these JDownloaders
LINKS_PER_DEVICE = 4_000
STEP = 15.0  # seconds: half the poll interval over the relay while downloading
SETTLE = 30.0  # seconds of fine steps after each hour's episode
HOUR = 3600.0
MEMORY_LIMIT = 10 * 1024 * 1024
TRACE_FROM = 12  # hour: after every episode (see the module docstring)
BURST = 10 * 60.0
# Requests to the cloud (connection server + relay) allowed during one 10-minute burst, for
# 5 JDownloaders: the first round hits the devices polling at that moment, then the shared
# back-off sends one probe at 60 s and one every 2 minutes (steady polling sends ~70 in 10 min).
BURST_LIMIT = 12
# "Recovered within one poll after the fault ended": a relay poll is 60 s apart at most; after
# a 429/503 burst the next probe is at most one back-off step (2 min) away, plus the few
# seconds the other devices wait for the probe's outcome.
ONE_POLL = 60.0
AFTER_BURST = 120.0 + 15.0


@pytest.fixture
def emulator_options() -> dict[str, object]:
    return {"devices": DEVICES, "links": LINKS_PER_DEVICE}


@dataclass
class Attempt:
    """One coordinator update: when, whether it sent anything, and how it ended."""

    time: float
    device: str
    ok: bool
    sent: bool


@dataclass
class Soak:
    hass: HomeAssistant
    emu: Emulator
    freezer: FrozenDateTimeFactory
    entity_ids: list[str]
    attempts: list[Attempt] = field(default_factory=list)
    now: float = 0.0
    faults: Counter[str] = field(default_factory=Counter)
    figures: list[str] = field(default_factory=list)

    async def step(self, seconds: float) -> None:
        for dev in self.emu.devices:
            dev.advance(seconds)
        self.now += seconds
        self.freezer.tick(timedelta(seconds=seconds))
        async_fire_time_changed(self.hass)
        await self.hass.async_block_till_done(wait_background_tasks=True)

    async def simulated_sleep(self, seconds: float) -> None:
        """The emulator's wait for a late answer: moves the simulated clock, once for answers
        that are late together, so the client's own timeouts see the delay."""
        until = dt_util.utcnow() + timedelta(seconds=seconds)
        # A moment of real time first: requests sent in the same instant register, and LAN
        # answers (which a slow relay does not delay) arrive before the clock jumps.
        await asyncio.to_thread(time.sleep, 0.05)
        late = (until - dt_util.utcnow()).total_seconds()
        if late > 0:
            for dev in self.emu.devices:
                dev.advance(late)
            self.now += late
            self.freezer.tick(timedelta(seconds=late))
        await asyncio.sleep(0)

    async def run_for(self, seconds: float) -> None:
        end = self.now + seconds
        while self.now < end:
            await self.step(min(STEP, end - self.now))

    def device_success(self) -> dict[str, bool]:
        """Whether each JDownloader's last poll succeeded, by name."""
        entry = self.hass.config_entries.async_entries(DOMAIN)[0]
        return {c.device_name: c.last_update_success for c in entry.runtime_data.devices.values()}

    def unavailable(self) -> list[str]:
        return [
            eid
            for eid in self.entity_ids
            if (state := self.hass.states.get(eid)) is None or state.state == STATE_UNAVAILABLE
        ]

    async def recover(self, name: str, fault_end: float, *, within: float = ONE_POLL) -> float:
        """Step until every entity is available again (at most ``within`` seconds after the
        fault ended, give or take one step); check the first real poll succeeded."""
        while self.unavailable():
            assert self.now - fault_end <= within + STEP, (
                f"{name}: still unavailable {self.unavailable()}"
            )
            await self.step(STEP)
        taken = self.now - fault_end
        first: dict[str, Attempt] = {}
        for attempt in self.attempts:
            if attempt.time > fault_end and attempt.sent:
                first.setdefault(attempt.device, attempt)
        failed = [a.device for a in first.values() if not a.ok]
        assert not failed, f"{name}: first poll after the fault failed for {failed}"
        self.figures.append(f"{name}: entities recovered {taken:.0f} s (simulated) after the end")
        return taken


def _watch(soak: Soak, coordinator: Any) -> None:
    """Record every update attempt of a device coordinator (for "recovered within one poll")."""
    original: Callable[[], Awaitable[Any]] = coordinator._async_update_data

    async def watched() -> Any:
        try:
            result = await original()
        except UpdateFailed as err:
            # A poll skipped because of the shared back-off sends nothing: it has no cause, or
            # its cause is a request the client's cloud gate held back.
            cause = err.__cause__
            sent = cause is not None and getattr(cause, "sent", True)
            soak.attempts.append(Attempt(soak.now, coordinator.device_id, False, sent))
            raise
        soak.attempts.append(Attempt(soak.now, coordinator.device_id, True, True))
        return result

    coordinator._async_update_data = watched


def _rss() -> int:
    """Resident set size in bytes (Linux), for the printed figures only."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _cloud_requests(emu: Emulator) -> int:
    return sum(n for (transport, _), n in emu.counters.items() if transport in ("server", "relay"))


async def _burst(soak: Soak, kind: str) -> None:
    emu = soak.emu
    emu.reset_counters()
    for transport in ("server", "relay"):
        emu.faults.add(kind, count=100_000, transport=transport)
    await soak.run_for(BURST)
    sent = _cloud_requests(emu)
    emu.faults.clear()
    soak.faults[f"{kind} answers"] += sent
    by_endpoint = {
        ep: n for (transport, ep), n in emu.counters.items() if transport in ("server", "relay")
    }
    soak.figures.append(
        f"{kind} burst ({BURST / 60:.0f} min): {sent} cloud requests sent {by_endpoint}"
    )
    assert sent <= BURST_LIMIT, (
        f"{kind}: {sent} requests during the burst {[(r.transport, r.endpoint, r.status, round(r.time)) for r in emu.requests if r.transport != 'direct']}"
    )
    await soak.recover(f"{kind} burst", soak.now, within=AFTER_BURST)


async def _restart(soak: Soak, dev: SimDevice) -> None:
    dev.online = False
    soak.faults["device offline"] += 1
    await soak.run_for(5 * 60)
    dev.restart()
    dev.start_downloads()
    dev.online = True
    soak.faults["device restart"] += 1
    await soak.recover("JDownloader restart", soak.now)


async def _update(soak: Soak, dev: SimDevice, entity_id: str) -> None:
    dev.update_available = True
    dev.restart_delay = 0.05
    version = dev.jd_version
    # The slow refresh (every SETTINGS_INTERVAL) sees the update; then the user installs it.
    await soak.step(SETTINGS_INTERVAL.total_seconds())
    assert soak.hass.states.get(entity_id).state == "on"
    await soak.hass.services.async_call(
        "update", "install", {"entity_id": entity_id}, blocking=True
    )
    soak.faults["update + restart"] += 1
    # JDownloader goes down a moment after the call and comes back updated (the emulator's
    # restart waits on the simulated clock).
    for _ in range(8):
        await soak.run_for(STEP)
        if dev.jd_version == version + 1 and dev.online:
            break
    assert dev.jd_version == version + 1
    await soak.recover("JDownloader update", soak.now)
    # The version is re-read once JDownloader is back: at the first poll two minutes after
    # the install (or sooner, had a poll found it gone). The update entity turns off.
    await soak.run_for(180)
    assert soak.hass.states.get(entity_id).state == "off"


async def _direct_gone(soak: Soak, dev: SimDevice) -> None:
    dev.direct_enabled = False
    soak.faults["direct connection gone"] += 1
    start = soak.now
    await soak.run_for(5 * 60)
    # Polls moved to the relay at once: the entities never went unavailable for long.
    assert not soak.unavailable()
    dev.direct_enabled = True
    await soak.recover("direct connection gone", soak.now)
    assert soak.now == start + 5 * 60, "no entity went unavailable"


async def _garbled(soak: Soak) -> None:
    emu = soak.emu
    emu.faults.add("garbage", count=3, endpoint="/polling/poll", transport="relay")
    emu.faults.add("wrong_rid", count=3, endpoint="/toolbar/getStatus", transport="direct")
    emu.faults.add("wrong_rid", count=1, endpoint="/my/listdevices")
    soak.faults["garbage"] += 3
    soak.faults["wrong rid"] += 4
    # The device list is read every INTERVAL_ACCOUNT: long enough for it to come due.
    await soak.run_for(INTERVAL_ACCOUNT.total_seconds())
    assert not emu.faults.rules, "every garbled answer was requested"
    await soak.recover("garbled / wrong-rid answers", soak.now)


async def _slow_relay(soak: Soak) -> None:
    emu = soak.emu
    emu.sleep = soak.simulated_sleep
    try:
        emu.faults.add("slow", count=1_000_000, transport="relay", delay=5.0)
        soak.faults["slow relay (5 s, 10 min)"] += 1
        await soak.run_for(10 * 60)
        # Late but answered: nothing turns unavailable.
        assert not soak.unavailable()
        late = sum(r.count < 1_000_000 for r in emu.faults.rules)
        emu.faults.clear()
        emu.faults.add("slow", count=1_000_000, transport="relay", delay=45.0)
        soak.faults["stalled relay (45 s, 3 min)"] += 1
        await soak.run_for(3 * 60)
        # Past the timeout: the relay-only JDownloaders are unavailable, the LAN ones are not.
        down = len(soak.unavailable())
        failing = sorted(name for name, ok in soak.device_success().items() if not ok)
        emu.faults.clear()
        soak.figures.append(
            f"stalled relay: {down} of {len(soak.entity_ids)} entities unavailable meanwhile "
            f"({', '.join(failing)})"
        )
        assert late
        # The relay-only JDownloaders are down. A LAN one can be too, now and then: the
        # simulated clock's 45 s jump also times out its pending events long-poll, which
        # puts the direct address on a cooldown (a real stalled relay would not touch it).
        assert {soak.emu.devices[i].name for i in RELAY_ONLY} <= set(failing)
        await soak.recover("stalled relay", soak.now)
    finally:
        emu.sleep = asyncio.sleep
        emu.faults.clear()


EPISODES = [
    "rate_limit",
    "add_links",
    "overload",
    "restart",
    "maintenance",
    "direct_gone",
    "garbled",
    "update",
    "failures",
    "slow_relay",
]


def _links_with(emu: Emulator, url: str) -> int:
    return sum(
        link.url == url
        for dev in emu.devices
        for link in (*dev.links.values(), *dev.crawled_links.values())
    )


async def _add_links(soak: Soak, ha_devices: list[str], hour: int) -> None:
    """Actions under faults: each applied exactly once when the device got it, never twice."""
    emu, hass = soak.emu, soak.hass

    async def add(index: int, url: str) -> bool:
        try:
            await hass.services.async_call(
                DOMAIN,
                "add_links",
                {"device_id": ha_devices[index], "links": [url]},
                blocking=True,
                return_response=True,
            )
        except HomeAssistantError:
            return False
        return True

    base = f"https://example.com/h{hour}"
    # Plain, and right after the session expired: renewed transparently, applied once.
    assert await add(3, f"{base}/plain")
    emu.expire_sessions()
    assert await add(1, f"{base}/after-expiry")
    # The direct answer is lost after JDownloader added the links: an error, not a resend. The
    # call must go direct: should a clock jump have cut this LAN device's long-poll (its address
    # then cools down on the relay, see the module docstring), wait until it is back, bounded.
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    lan = entry.runtime_data.devices[emu.devices[0].id]
    for _ in range(30):
        if lan.device.connection_type is Connection.DIRECT:
            break
        await soak.run_for(60)
    assert lan.device.connection_type is Connection.DIRECT
    emu.faults.add("lost_response", endpoint="/linkgrabberv2/addLinks", transport="direct")
    assert not await add(0, f"{base}/lost")
    # Wrong rid over the relay: rejected, but the device did it.
    emu.faults.add("wrong_rid", endpoint="/linkgrabberv2/addLinks", transport="relay")
    assert not await add(4, f"{base}/wrong-rid")
    # Rate limited: nothing reached the device; the user's retry then works.
    emu.faults.add("rate_limit", endpoint="/linkgrabberv2/addLinks", transport="relay")
    assert not await add(3, f"{base}/limited")
    soak.faults["add_links lost answer / wrong rid / 429"] += 3
    # The 429 started the entry's back-off (60 s); once a probe is answered, everything flows.
    await soak.run_for(90)
    assert await add(3, f"{base}/limited")
    for suffix in ("plain", "after-expiry", "lost", "wrong-rid", "limited"):
        assert _links_with(emu, f"{base}/{suffix}") == 1, suffix
    await soak.recover("add_links faults", soak.now)


async def _failures(soak: Soak) -> None:
    dev = soak.emu.devices[4]
    running = dev.running_links
    if running:
        dev.fail_link(running[0].uuid)
        soak.faults["failed download"] += 1
    dev.add_captcha()
    soak.faults["captcha"] += 1
    await soak.run_for(2 * 60)


# A simulated day takes about a minute; CI runs three legs at once on two cores. It runs in the
# host leg: its simulated clock moves only as fast as the CPU allows, and three soaks at once
# starve each other until real timeouts (direct probes) fire that the day does not contain.
# .ci/run sets JD_SOAK=0 in the chroot legs, whose Home Assistants the other tests cover.
@pytest.mark.skipif(os.environ.get("JD_SOAK") == "0", reason="the soak runs in the host leg")
@pytest.mark.timeout(600)
async def test_simulated_day(
    hass: HomeAssistant,
    emulator: Emulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
) -> None:
    # The test loop runs in asyncio debug mode, which records a stack for every task and
    # callback: too slow for a day of polls (the checks here do not rely on it).
    asyncio.get_running_loop().set_debug(False)
    caplog.set_level(logging.DEBUG, logger="custom_components.jdownloader")
    for index in RELAY_ONLY:
        emulator.devices[index].direct_enabled = False
    for dev in emulator.devices:
        dev.start_downloads()
    fired: list[dict[str, Any]] = []

    def on_event(event: Event) -> None:
        fired.append(dict(event.data))

    hass.bus.async_listen("jdownloader_event", on_event)

    entry = make_cloud_entry(emulator)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    entity_ids = [
        e.entity_id
        for e in er.async_entries_for_config_entry(entity_registry, entry.entry_id)
        if e.disabled_by is None
    ]
    soak = Soak(hass, emulator, freezer, entity_ids)
    await soak.run_for(60)
    assert not soak.unavailable()
    coordinators = entry.runtime_data.devices
    for coordinator in coordinators.values():
        _watch(soak, coordinator)
    ha_devices = [
        async_get_device(device_registry, (DOMAIN, dev.id)).id for dev in emulator.devices
    ]
    update_entity = next(
        e.entity_id
        for e in er.async_entries_for_device(entity_registry, ha_devices[2])
        if e.domain == "update"
    )

    for hour in range(24):
        if hour == TRACE_FROM:
            # Tracing slows every allocation down: only the second half of the day is traced,
            # after each kind of fault has happened once (and every cache has filled).
            gc.collect()
            start_rss = _rss()
            tracemalloc.start()
            start_memory = tracemalloc.take_snapshot()
            start_size = sum(stat.size for stat in start_memory.statistics("filename"))
        hour_start = soak.now
        emulator.expire_sessions()
        soak.faults["sessions expired"] += 1
        if hour == 6:
            emulator.expire_regain_tokens()
            soak.faults["regain tokens expired"] += 1
        episode = EPISODES[hour] if hour < len(EPISODES) else "quiet"
        if episode == "quiet":
            pass  # only the hourly session expiry
        elif episode in ("rate_limit", "overload", "maintenance"):
            await _burst(soak, episode)
        elif episode == "add_links":
            await _add_links(soak, ha_devices, hour)
        elif episode == "restart":
            await _restart(soak, emulator.devices[1])
        elif episode == "direct_gone":
            await _direct_gone(soak, emulator.devices[0])
        elif episode == "garbled":
            await _garbled(soak)
        elif episode == "update":
            await _update(soak, emulator.devices[2], update_entity)
        elif episode == "slow_relay":
            await _slow_relay(soak)
        else:
            await _failures(soak)
        await soak.run_for(SETTLE)
        assert not soak.unavailable(), f"hour {hour}: {soak.unavailable()}"
        if (rest := hour_start + HOUR - soak.now) > 0:
            await soak.step(rest)

    gc.collect()
    end_memory = tracemalloc.take_snapshot()
    tracemalloc.stop()
    end_size = sum(stat.size for stat in end_memory.statistics("filename"))
    growth = end_size - start_size

    print()
    print(
        f"Simulated {soak.now / HOUR:.1f} h, {DEVICES} JDownloaders, "
        f"{DEVICES * LINKS_PER_DEVICE} links"
    )
    print("Faults injected:", dict(soak.faults), f"(total {sum(soak.faults.values())})")
    for line in soak.figures:
        print(" ", line)
    print(f"Process RSS: hour {TRACE_FROM} {start_rss / 1e6:.1f} MB, end {_rss() / 1e6:.1f} MB")
    print(
        f"Memory (tracemalloc, live allocations made since hour {TRACE_FROM}): start {start_size / 1e6:.2f} MB, end {end_size / 1e6:.2f} MB, "
        f"growth {growth / 1e6:.2f} MB"
    )
    print(f"Events fired: {Counter(e['type'] for e in fired)}")
    if growth > MEMORY_LIMIT:
        top = end_memory.compare_to(start_memory, "lineno")[:10]
        pytest.fail("memory grew:\n" + "\n".join(str(s) for s in top))

    # No unhandled exception anywhere in the log.
    # Newer HA adds a DEBUG "Full error:" record with the traceback of every handled UpdateFailed
    # (update_coordinator.py); that is HA's debug detail of a failure we reported, not a crash.
    tracebacks = [
        r
        for r in caplog.records
        if (r.exc_info or "Traceback" in r.getMessage())
        and not (r.levelno <= logging.DEBUG and r.pathname.endswith("update_coordinator.py"))
    ]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
    assert not [r for r in caplog.records if "Unexpected error" in r.getMessage()]

    # Events: something happened, and nothing was announced twice.
    assert any(e["type"] == "package_finished" for e in fired)
    keys = [
        (e["type"], e["jdownloader_id"], e.get("package_id"), e.get("link_id"), e.get("captcha_id"))
        for e in fired
        if e["type"] != "queue_finished"
    ]
    assert [k for k, n in Counter(keys).items() if n > 1] == []
