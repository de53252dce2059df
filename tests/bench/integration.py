"""This integration in a test Home Assistant, polled against the emulator process (relay only)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import gc
import hashlib
import logging
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import ThreadedResolver
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.jdownloader.const import (
    CONF_API_URL,
    CONF_DEVICE_SECRET,
    CONF_DIRECT_CONNECTION,
    CONF_LOGIN_SECRET,
    CONF_MODE,
    DOMAIN,
    INTERVAL_ACCOUNT,
    INTERVAL_RELAY_ACTIVE,
    INTERVAL_RELAY_IDLE,
    MODE_CLOUD,
    SETTINGS_INTERVAL,
    SLOW_DATA_INTERVAL,
)
from custom_components.jdownloader.coordinator import JDownloaderDeviceCoordinator
from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_EMAIL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import aiohttp_client

from .measure import EmulatorProcess, Sample, measure

POLL_ENDPOINT = "/polling/poll"
# What the event detector reads on a transition (a package finished, failed or stopped).
DETECTOR_ENDPOINTS = frozenset({"/downloadsV2/queryPackages", "/downloadsV2/queryLinks"})


@dataclass
class IntegrationResult:
    """Measured cost of the integration for one emulator (K devices x L links)."""

    downloading: Sample
    transition: Sample  # downloading with the detector's transition check on every poll
    idle: Sample
    slow_requests: float  # per device: all slow data and the toolbar, once per SETTINGS_INTERVAL
    hourly_requests: float  # per device: the hourly part of the slow data (free space, accounts)
    account_requests: float  # per account, once per INTERVAL_ACCOUNT
    setup_seconds: float
    memory_mb: float  # resident memory the entry added: before setup → after the polls


def _rss_mb() -> float:
    """Resident set size of this process (Linux), after a full collection."""
    gc.collect()
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _entry(emu: EmulatorProcess) -> MockConfigEntry:
    email = emu.email
    secrets = {
        CONF_LOGIN_SECRET: hashlib.sha256((email.lower() + emu.password + "server").encode()),
        CONF_DEVICE_SECRET: hashlib.sha256((email.lower() + emu.password + "device").encode()),
    }
    return MockConfigEntry(
        domain=DOMAIN,
        title=email,
        unique_id=email.lower(),
        data={
            CONF_MODE: MODE_CLOUD,
            CONF_EMAIL: email,
            CONF_API_URL: emu.api_url,
            **{key: value.hexdigest() for key, value in secrets.items()},
        },
        # Relay only: every request the integration sends is a cloud request.
        options={CONF_DIRECT_CONNECTION: False},
    )


def _force_check(coordinator: JDownloaderDeviceCoordinator) -> None:
    """Worst case: the event detector's transition check on every poll.

    In steady state the detector adds no request (the running packages come with the poll); on a
    transition it reads all package rows and the unfinished packages' links. ``force`` is the
    tracker's "check everything on the next poll" flag.
    """
    detectors = coordinator.config_entry.runtime_data.detectors
    if (detector := detectors.get(coordinator.device_id)) is not None:
        detector.state.force = True


async def _poll_all(
    hass: HomeAssistant, coordinators: list[JDownloaderDeviceCoordinator], *, check: bool = False
) -> None:
    if check:
        for coordinator in coordinators:
            _force_check(coordinator)
    await asyncio.gather(*(c.async_refresh() for c in coordinators))
    # The event detector runs as its own task after the refresh: it is part of the poll.
    await hass.async_block_till_done()


def _plain_resolver() -> contextlib.AbstractContextManager[Any]:
    """HA's session resolves through zeroconf, which needs the network integration set up.

    Only loopback is used here; the HA test plugin swaps the resolver the same way.
    """
    if not hasattr(aiohttp_client, "_async_make_resolver"):
        return contextlib.nullcontext()
    return patch.object(aiohttp_client, "_async_make_resolver", lambda _hass: ThreadedResolver())


async def run_integration(emu: EmulatorProcess, cycles: int, slow_cycles: int) -> IntegrationResult:
    """Set up the integration against `emu` and measure downloading and idle polls."""
    with _plain_resolver():
        return await _run_integration(emu, cycles, slow_cycles)


async def _run_integration(
    emu: EmulatorProcess, cycles: int, slow_cycles: int
) -> IntegrationResult:
    loop = asyncio.get_running_loop()
    logging.getLogger("custom_components.jdownloader").setLevel(logging.WARNING)
    async with async_test_home_assistant() as hass:
        # What the enable_custom_integrations fixture does: load custom_components/ from sys.path.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        entry = _entry(emu)
        entry.add_to_hass(hass)
        memory_before = _rss_mb()
        start = loop.time()
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        setup_seconds = loop.time() - start
        if entry.state is not ConfigEntryState.LOADED:
            raise RuntimeError(f"integration setup failed: {entry.state}")
        data: Any = entry.runtime_data
        coordinators: list[JDownloaderDeviceCoordinator] = list(data.devices.values())

        await emu.acontrol("downloading", value=True)
        await _poll_all(hass, coordinators)  # settle: downloads just started
        # Home Assistant's start-up leaves a full garbage collection owed (about 70,000 objects
        # promoted since its last one); whichever allocation trips it pays ~0.2 s once, in any
        # thread. Pay it here, outside the measured windows: it is a one-off start-up cost.
        gc.collect()
        # Steady downloading: packages finishing in between are real transitions and count.
        downloading = await measure(
            emu,
            cycles,
            lambda _: _poll_all(hass, coordinators),
            advance=INTERVAL_RELAY_ACTIVE.total_seconds(),
        )
        transition = await measure(
            emu,
            cycles,
            lambda _: _poll_all(hass, coordinators, check=True),
            advance=INTERVAL_RELAY_ACTIVE.total_seconds(),
        )
        await emu.acontrol("downloading", value=False)
        await _poll_all(hass, coordinators)  # settle: downloads just stopped
        idle = await measure(emu, cycles, lambda _: _poll_all(hass, coordinators))

        async def slow_poll(_: int) -> None:
            for coordinator in coordinators:
                # Marks slow data stale and asks for a (debounced) refresh.
                await coordinator.async_request_slow_refresh()
            await hass.async_block_till_done()

        async def hourly_poll(_: int) -> None:
            for coordinator in coordinators:
                # What an hour passing does (the bench does not move HA's clock).
                coordinator._hourly_next = None
                await coordinator.async_refresh()
            await hass.async_block_till_done()

        idle_polls = max(idle.endpoints.get(POLL_ENDPOINT, 0), 1)

        def beyond_poll(sample: Sample) -> float:
            polls = max(sample.endpoints.get(POLL_ENDPOINT, 0), 1)
            return sample.requests / polls - idle.requests / idle_polls

        slow_requests = beyond_poll(await measure(emu, slow_cycles, slow_poll))
        hourly_requests = beyond_poll(await measure(emu, slow_cycles, hourly_poll))

        memory_mb = _rss_mb() - memory_before
        account = data.account
        listing = await measure(emu, 1, lambda _: account.async_refresh())
        await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
        await hass.async_stop(force=True)
    return IntegrationResult(
        downloading=downloading,
        transition=transition,
        idle=idle,
        slow_requests=slow_requests,
        hourly_requests=hourly_requests,
        account_requests=float(listing.requests),
        setup_seconds=setup_seconds,
        memory_mb=memory_mb,
    )


def requests_per_device_minute(
    result: IntegrationResult, devices: int, *, active: bool, detector_reads: bool = True
) -> float:
    """Cloud requests per device and minute at the coordinator's relay intervals.

    Poll cost per device x polls per minute (60 s / INTERVAL_RELAY_ACTIVE while downloading,
    60 s / INTERVAL_RELAY_IDLE idle), plus the account's device list (every INTERVAL_ACCOUNT,
    shared by the devices), the hourly slow data and the rest of it with the toolbar status
    (every SETTINGS_INTERVAL). ``detector_reads=False`` leaves out what the event detector read
    in the window (packages that finished or stopped): the cost of polling alone.
    """
    sample = result.downloading if active else result.idle
    interval = INTERVAL_RELAY_ACTIVE if active else INTERVAL_RELAY_IDLE
    polls = max(sample.endpoints.get(POLL_ENDPOINT, 0), 1)
    requests = sample.requests
    if not detector_reads:
        requests -= sum(n for ep, n in sample.endpoints.items() if ep in DETECTOR_ENDPOINTS)
    per_device_poll = requests / polls
    per_minute = per_device_poll * 60 / interval.total_seconds()
    account = result.account_requests / devices * 60 / INTERVAL_ACCOUNT.total_seconds()
    hourly = result.hourly_requests * 60 / SLOW_DATA_INTERVAL.total_seconds()
    rest = (result.slow_requests - result.hourly_requests) * 60 / SETTINGS_INTERVAL.total_seconds()
    return per_minute + account + hourly + rest


def polls_per_minute(active: bool) -> float:
    """Polls per device and minute over the relay."""
    interval = INTERVAL_RELAY_ACTIVE if active else INTERVAL_RELAY_IDLE
    return 60 / interval.total_seconds()
