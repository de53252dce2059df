"""CPU cost of one coordinator poll, measured and printed (`pytest -s`); nothing is asserted on time.

The emulator runs in a child process (`python -m tests.emulator`, downloads running in real
time), so `time.process_time()` counts only Home Assistant and our integration: the fetch
(requests, decryption, parsing) and the state writes of every entity of the device.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
from pathlib import Path
import statistics
import sys
import time
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.jdownloader.const import (
    CONF_API_URL,
    CONF_DIRECT_CONNECTION,
    CONF_MODE,
    DOMAIN,
    MODE_CLOUD,
)
from homeassistant.const import CONF_EMAIL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from tests.fixtures import EMAIL, PASSWORD
from tests.ha_fixtures import SetupEntry, derived_secrets

REPO_ROOT = Path(__file__).resolve().parents[2]
POLLS = 5


@pytest.fixture
def links() -> int:
    """Links on the emulated JDownloader (parametrized by the test)."""
    return 100


@pytest.fixture
async def emulator_process(links: int, socket_enabled: None) -> AsyncIterator[dict[str, Any]]:
    """A standalone emulator with `links` links; yields its JSON ready line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.emulator",
        "--email",
        EMAIL,
        "--password",
        PASSWORD,
        "--links",
        str(links),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        yield json.loads(line)
    finally:
        proc.terminate()
        await proc.wait()


@pytest.mark.parametrize("links", [100, 10_000])
@pytest.mark.parametrize("direct", [False, True], ids=["relay", "direct"])
async def test_poll_cpu_time(
    hass: HomeAssistant,
    emulator_process: dict[str, Any],
    init_integration: SetupEntry,
    links: int,
    direct: bool,
) -> None:
    """CPU seconds of one poll (fetch + entity state writes) for 100 and 10,000 links."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=EMAIL,
        unique_id=EMAIL.lower(),
        data={
            CONF_MODE: MODE_CLOUD,
            CONF_EMAIL: EMAIL,
            CONF_API_URL: emulator_process["api_url"],
            **derived_secrets(EMAIL, PASSWORD),
        },
        options={CONF_DIRECT_CONNECTION: direct},
    )
    await init_integration(entry)
    coordinator = next(iter(entry.runtime_data.devices.values()))
    assert coordinator.last_update_success
    entity_ids = {
        e.entity_id for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    }
    writes = 0

    @callback
    def _count(event: Event[Any]) -> None:
        nonlocal writes
        if event.data["entity_id"] in entity_ids:
            writes += 1

    unsub = hass.bus.async_listen("state_changed", _count)

    async def one_poll() -> float:
        start = time.process_time()
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        return time.process_time() - start

    # A poll that also re-reads the slow data (hourly / after an action).
    start = time.process_time()
    await coordinator.async_request_slow_refresh()
    await hass.async_block_till_done()
    slow = time.process_time() - start
    samples = [await one_poll() for _ in range(POLLS)]
    unsub()
    assert coordinator.last_update_success
    assert coordinator.data.connection_type == ("direct" if direct else "relay")
    agg = coordinator.data.poll.aggregated
    assert agg is not None
    assert agg.links_count == links
    print(
        f"\nCPU per poll, {agg.links_count} links over {coordinator.data.connection_type}: "
        f"median {statistics.median(samples) * 1000:.2f} ms, max {max(samples) * 1000:.2f} ms "
        f"({len(entity_ids)} entities, {writes} state changes in {POLLS} polls); "
        f"poll with slow data {slow * 1000:.2f} ms"
    )
