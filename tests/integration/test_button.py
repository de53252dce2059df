"""Buttons: snapshot; every press changes the emulated JDownloader and the entities follow."""

from __future__ import annotations

import asyncio

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, snapshot_platform
from syrupy.assertion import SnapshotAssertion

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from tests.emulator import Emulator
from tests.emulator.device import SimDevice
from tests.ha_fixtures import IDLE_POLL, Advance, SetupEntry, entity_id_for


@pytest.fixture
def platforms() -> list[str]:
    """Only the button platform."""
    return [Platform.BUTTON]


async def press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )


def coordinator_data(entry: MockConfigEntry, sim: SimDevice):  # type: ignore[no-untyped-def]
    return entry.runtime_data.devices[sim.id].data


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_snapshot(
    hass: HomeAssistant,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """All buttons with translated names and categories."""
    await init_integration(relay_entry)
    await snapshot_platform(hass, entity_registry, snapshot, relay_entry.entry_id)


async def test_restart_disabled_by_default(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Restarting JDownloader is opt-in."""
    await init_integration(relay_entry)
    entry = entity_registry.async_get(
        entity_id_for(entity_registry, BUTTON_DOMAIN, emulator.devices[0].id, "restart")
    )
    assert entry is not None
    assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION


async def test_start_and_stop(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Start runs the downloads, stop halts them; the coordinator has the new state at once."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    await press(hass, entity_id_for(entity_registry, BUTTON_DOMAIN, sim.id, "start_downloads"))
    assert sim.state == "RUNNING"
    assert coordinator_data(relay_entry, sim).poll.jd_state == "RUNNING"
    await press(hass, entity_id_for(entity_registry, BUTTON_DOMAIN, sim.id, "stop_downloads"))
    assert sim.state == "STOPPED_STATE"
    assert coordinator_data(relay_entry, sim).poll.jd_state == "STOPPED_STATE"


async def test_confirm_linkgrabber(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Everything waiting in the linkgrabber moves to the download list."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    device = relay_entry.runtime_data.devices[sim.id].device
    links_before = len(sim.links)
    await device.call(
        "/linkgrabberv2/addLinks",
        {"links": "https://example.com/a.bin https://example.org/b.bin https://example.net/c.bin"},
    )
    assert len(sim.crawled_links) == 3
    entity_id = entity_id_for(entity_registry, BUTTON_DOMAIN, sim.id, "confirm_linkgrabber")
    await press(hass, entity_id)
    assert not sim.crawled_links
    assert len(sim.links) == links_before + 3
    aggregated = coordinator_data(relay_entry, sim).poll.aggregated
    assert aggregated.crawled_links_count == 0
    assert aggregated.links_count == links_before + 3

    # An empty linkgrabber: nothing to move, nothing sent but the query.
    emulator.reset_counters()
    await press(hass, entity_id)
    assert emulator.counters[("relay", "/linkgrabberv2/moveToDownloadlist")] == 0


async def test_remove_finished(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Finished links leave the download list; unfinished ones stay."""
    sim = emulator.devices[0]
    sim.add_package("done", links=2, finished=True)
    sim.add_package("todo", links=3)
    await init_integration(relay_entry)
    finished = sum(1 for link in sim.links.values() if link.finished)
    total = len(sim.links)
    assert finished >= 2
    await press(hass, entity_id_for(entity_registry, BUTTON_DOMAIN, sim.id, "remove_finished"))
    assert not any(link.finished for link in sim.links.values())
    assert len(sim.links) == total - finished
    assert coordinator_data(relay_entry, sim).poll.aggregated.links_count == total - finished


async def test_reconnect_router(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """The router reconnect is requested from JDownloader."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    await press(hass, entity_id_for(entity_registry, BUTTON_DOMAIN, sim.id, "reconnect_router"))
    assert sim.reconnects == 1


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_restart(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Restart brings JDownloader down (downloads halted) and up again."""
    sim = emulator.devices[0]
    sim.restart_delay = 0
    await init_integration(relay_entry)
    sim.start_downloads()
    assert sim.state == "RUNNING"
    await press(hass, entity_id_for(entity_registry, BUTTON_DOMAIN, sim.id, "restart"))
    # The emulated JDownloader restarts in the background (real time: no frozen clock here).
    for _ in range(200):
        if sim.state == "IDLE" and sim.online:
            break
        await asyncio.sleep(0.01)
    assert sim.state == "IDLE"
    await emulator.devices[0].cancel_tasks()


async def test_press_failure(
    hass: HomeAssistant,
    emulator: Emulator,
    relay_entry: MockConfigEntry,
    init_integration: SetupEntry,
    entity_registry: er.EntityRegistry,
    advance: Advance,
) -> None:
    """A failing press raises a translated error; an offline device makes buttons unavailable."""
    sim = emulator.devices[0]
    await init_integration(relay_entry)
    entity_id = entity_id_for(entity_registry, BUTTON_DOMAIN, sim.id, "start_downloads")

    emulator.faults.add("server_error", count=1, endpoint="/downloadcontroller/start")
    with pytest.raises(HomeAssistantError) as err:
        await press(hass, entity_id)
    assert err.value.translation_key in {"command_rejected", "communication_error"}
    assert sim.state == "IDLE"
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE

    sim.online = False
    with pytest.raises(HomeAssistantError) as err:
        await press(hass, entity_id)
    assert err.value.translation_key == "device_unreachable"
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    sim.online = True
    await advance(IDLE_POLL)
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE
